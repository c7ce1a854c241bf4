-- In-app messages written by PostgreSQL functions of other apps (the points ledger), in the caller's transaction.
-- The same rules as notifications.services.queue_notification for the inbox channel: an operator's active template
-- for (event, inbox, language) replaces the default text; {placeholders} are filled in one pass like
-- notifications.catalog.render; the same dedupe key twice writes nothing. Applied by migrations on PostgreSQL only;
-- when you change this file, add a migration that applies it again (every statement is CREATE OR REPLACE).

CREATE OR REPLACE FUNCTION notifications_render(p_text text, p_names text[], p_values text[])
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    v_result text := p_text;
BEGIN
    -- Usually every brace in the text belongs to a known {name} and no value has braces of its own: replacing each
    -- name is then the whole job.
    IF strpos(coalesce(array_to_string(p_values, ''), ''), '{') = 0 THEN
        FOR i IN 1 .. coalesce(array_length(p_names, 1), 0) LOOP
            v_result := replace(v_result, '{' || p_names[i] || '}', coalesce(p_values[i], ''));
        END LOOP;
        IF strpos(v_result, '{') = 0 AND strpos(v_result, '}') = 0 THEN
            RETURN v_result;
        END IF;
    END IF;
    -- Otherwise one pass over the text: "{{" and "}}" are literal braces, "{name}" (or "{name:spec}") is the value
    -- of name or nothing, anything else is kept, so a value that itself contains "{...}" is never filled in again.
    SELECT coalesce(string_agg(
        CASE
            WHEN token = '{{' THEN '{'
            WHEN token = '}}' THEN '}'
            WHEN token ~ '^\{[^{}]*\}$' THEN coalesce(
                p_values[array_position(
                    p_names, split_part(split_part(substr(token, 2, length(token) - 2), ':', 1), '!', 1)
                )],
                ''
            )
            ELSE token
        END, '' ORDER BY position), '')
    INTO v_result
    FROM regexp_matches(p_text, '\{\{|\}\}|\{[^{}]*\}|[^{}]+|[{}]', 'g') WITH ORDINALITY AS part(match, position),
         LATERAL (SELECT part.match[1] AS token) AS t;
    RETURN v_result;
END
$$;

CREATE OR REPLACE FUNCTION notifications_queue_inbox(
    p_recipient_id bigint, p_event text, p_dedupe_key text, p_link text, p_language text,
    p_default_subject text, p_default_body text, p_names text[], p_values text[], p_now timestamptz
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO notifications_notification (
        recipient_id, category, event, channel, subject, body, link, dedupe_key, status, send_after, attempts,
        last_error, provider_message_id, provider_status, created_at, sent_at
    )
    SELECT
        p_recipient_id, 'transactional', p_event, 'inbox',
        left(notifications_render(coalesce(t.subject, p_default_subject), p_names, p_values), 200),
        notifications_render(coalesce(t.body, p_default_body), p_names, p_values), p_link, p_dedupe_key || ':inbox',
        'sent', p_now, 0, '', '', '', p_now, p_now
    FROM (VALUES (1)) AS one (n)
    LEFT JOIN notifications_notificationtemplate t
        ON t.event = p_event AND t.channel = 'inbox' AND t.language = p_language AND t.is_active
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
