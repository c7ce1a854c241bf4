-- The two busiest writes of the points ledger as PostgreSQL functions: one round trip each instead of a dozen
-- statements (docs/performance.md, "Points ledger"). points.services calls them on PostgreSQL; the ORM code in
-- points.services does the same on other databases (the SQLite demo) and stays the reference: the tests run both.
--
-- The rules are those of points.services: the member's account row is locked first and every lot change happens
-- under that lock; the entry, its lot or lot consumptions, the balance, the coupon and the in-app message are
-- written together or not at all; the idempotency key makes a repeated call return what the first one wrote.
-- Each statement of a VOLATILE function sees what other transactions committed before it ran (READ COMMITTED), so
-- the lots read after the lock are current. Dates and times come from the caller, so a test clock applies here too.
-- Expected refusals are returned as an outcome word, never raised; an exception means a broken invariant.
-- Applied by migrations on PostgreSQL only; when you change this file, add a migration that applies it again.

-- The member's account row, created on first use, locked for the rest of the transaction; with the member's user.
CREATE OR REPLACE FUNCTION points_lock_account(
    p_member_id bigint, p_now timestamptz, OUT account_id bigint, OUT balance integer, OUT user_id bigint
)
LANGUAGE plpgsql AS $$
BEGIN
    SELECT a.id, a.balance, m.user_id INTO account_id, balance, user_id
    FROM points_pointsaccount a JOIN members_member m ON m.id = a.member_id
    WHERE a.member_id = p_member_id FOR UPDATE OF a;
    IF NOT FOUND THEN
        -- First use: create it; a concurrent first use may have done so a moment ago.
        INSERT INTO points_pointsaccount (member_id, balance, updated_at) VALUES (p_member_id, 0, p_now)
        ON CONFLICT (member_id) DO NOTHING;
        SELECT a.id, a.balance, m.user_id INTO account_id, balance, user_id
        FROM points_pointsaccount a JOIN members_member m ON m.id = a.member_id
        WHERE a.member_id = p_member_id FOR UPDATE OF a;
    END IF;
END
$$;

-- Earn the points of an earn rule (see points.services.earn_points). p_points NULL means the rule's fixed points;
-- an empty p_reason means the rule's name. Outcomes: created, existing (the key was used before), rule_off, nothing
-- (zero points, or a cap reached).
CREATE OR REPLACE FUNCTION points_earn(
    p_member_id bigint, p_event text, p_points integer, p_reason text, p_key text, p_source text, p_actor_id bigint,
    p_now timestamptz, p_today date, p_day_start timestamptz, p_month_start timestamptz,
    p_default_expiry_months integer, p_language text, p_default_subject text, p_default_body text, p_link text
) RETURNS TABLE (
    outcome text, entry_id bigint, account_id bigint, points integer, balance_after integer, reason text,
    rule_id bigint
)
LANGUAGE plpgsql AS $$
DECLARE
    v_rule points_earnrule;
    v_account record;
    v_points integer;
    v_earned integer;
    v_entry_id bigint;
    v_reason text;
BEGIN
    SELECT * INTO v_account FROM points_lock_account(p_member_id, p_now);
    -- A repeated event answers with what it earned the first time, even if the rule has changed since.
    RETURN QUERY SELECT 'existing'::text, e.id, e.account_id, e.points, e.balance_after, e.reason::text, e.rule_id
        FROM points_pointsentry e WHERE e.idempotency_key = p_key;
    IF FOUND THEN
        RETURN;
    END IF;
    SELECT * INTO v_rule FROM points_earnrule r WHERE r.event = p_event AND r.is_active;
    IF NOT FOUND
        OR (v_rule.active_from IS NOT NULL AND p_today < v_rule.active_from)
        OR (v_rule.active_until IS NOT NULL AND p_today > v_rule.active_until) THEN
        RETURN QUERY SELECT 'rule_off'::text, NULL::bigint, v_account.account_id, 0, v_account.balance, NULL::text,
            NULL::bigint;
        RETURN;
    END IF;
    v_points := coalesce(p_points, v_rule.points);
    IF v_rule.daily_cap IS NOT NULL AND v_points > 0 THEN
        SELECT coalesce(sum(e.points), 0) INTO v_earned FROM points_pointsentry e
        WHERE e.account_id = v_account.account_id AND e.rule_id = v_rule.id AND e.kind = 'earn'
          AND e.created_at >= p_day_start;
        v_points := least(v_points, greatest(v_rule.daily_cap - v_earned, 0));
    END IF;
    IF v_rule.monthly_cap IS NOT NULL AND v_points > 0 THEN
        SELECT coalesce(sum(e.points), 0) INTO v_earned FROM points_pointsentry e
        WHERE e.account_id = v_account.account_id AND e.rule_id = v_rule.id AND e.kind = 'earn'
          AND e.created_at >= p_month_start;
        v_points := least(v_points, greatest(v_rule.monthly_cap - v_earned, 0));
    END IF;
    IF v_points <= 0 THEN
        RETURN QUERY SELECT 'nothing'::text, NULL::bigint, v_account.account_id, 0, v_account.balance, NULL::text,
            v_rule.id;
        RETURN;
    END IF;

    v_reason := left(coalesce(nullif(p_reason, ''), v_rule.name), 200);
    UPDATE points_pointsaccount a SET balance = a.balance + v_points, updated_at = p_now
    WHERE a.id = v_account.account_id RETURNING a.balance INTO v_account.balance;
    INSERT INTO points_pointsentry (
        account_id, kind, points, balance_after, reason, rule_id, source, idempotency_key, created_at, created_by_id
    ) VALUES (
        v_account.account_id, 'earn', v_points, v_account.balance, v_reason, v_rule.id, p_source, p_key, p_now,
        p_actor_id
    ) RETURNING id INTO v_entry_id;
    INSERT INTO points_pointslot (account_id, entry_id, points, remaining, expires_on, created_at)
    VALUES (
        v_account.account_id, v_entry_id, v_points, v_points,
        (p_today + make_interval(months => coalesce(
            (SELECT p.expiry_months FROM points_pointspolicy p WHERE p.id = 1), p_default_expiry_months
        )))::date,
        p_now
    );
    PERFORM notifications_queue_inbox(
        v_account.user_id, 'points.earn', 'points-entry:' || v_entry_id, p_link, p_language, p_default_subject,
        p_default_body, ARRAY['reason', 'points', 'balance'],
        ARRAY[v_reason, v_points::text, v_account.balance::text], p_now
    );
    RETURN QUERY SELECT 'created'::text, v_entry_id, v_account.account_id, v_points, v_account.balance, v_reason,
        v_rule.id;
END
$$;

-- Spend points on a reward (see points.services.redeem_reward). Outcomes: created, existing (same key, same
-- reward: the coupon of the first call), key_reused (same key, something else), reward_not_found,
-- reward_unavailable, limit_reached, insufficient.
CREATE OR REPLACE FUNCTION points_redeem(
    p_member_id bigint, p_reward_id bigint, p_key text, p_actor_id bigint, p_code text, p_now timestamptz,
    p_today date, p_language text, p_default_subject text, p_default_body text, p_link text
) RETURNS TABLE (
    outcome text, entry_id bigint, coupon_id bigint, balance integer, valid_until date, face_value numeric
)
LANGUAGE plpgsql AS $$
DECLARE
    v_account record;
    v_reward points_reward;
    v_existing record;
    v_taken integer;
    v_left integer;
    v_lot record;
    v_entry_id bigint;
    v_coupon_id bigint;
    v_valid_until date;
BEGIN
    SELECT * INTO v_account FROM points_lock_account(p_member_id, p_now);
    SELECT e.id, e.account_id, c.id AS coupon_id, c.reward_id, c.valid_until, c.face_value INTO v_existing
    FROM points_pointsentry e LEFT JOIN points_coupon c ON c.redemption_id = e.id
    WHERE e.idempotency_key = p_key;
    IF FOUND THEN
        IF v_existing.account_id <> v_account.account_id OR v_existing.coupon_id IS NULL
            OR v_existing.reward_id <> p_reward_id THEN
            RETURN QUERY SELECT 'key_reused'::text, v_existing.id, NULL::bigint, v_account.balance, NULL::date,
                NULL::numeric;
        ELSE
            RETURN QUERY SELECT 'existing'::text, v_existing.id, v_existing.coupon_id, v_account.balance,
                v_existing.valid_until, v_existing.face_value;
        END IF;
        RETURN;
    END IF;

    SELECT * INTO v_reward FROM points_reward r WHERE r.id = p_reward_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'reward_not_found'::text, NULL::bigint, NULL::bigint, v_account.balance, NULL::date,
            NULL::numeric;
        RETURN;
    END IF;
    IF v_reward.stock IS NOT NULL THEN
        -- Only limited rewards are locked, so unlimited ones do not serialize every redemption.
        SELECT * INTO v_reward FROM points_reward r WHERE r.id = p_reward_id FOR UPDATE;
    END IF;
    IF NOT v_reward.is_active OR v_reward.stock = 0 THEN
        RETURN QUERY SELECT 'reward_unavailable'::text, NULL::bigint, NULL::bigint, v_account.balance, NULL::date,
            NULL::numeric;
        RETURN;
    END IF;
    IF v_reward.per_member_limit IS NOT NULL AND (
        SELECT count(*) FROM points_coupon c WHERE c.member_id = p_member_id AND c.reward_id = v_reward.id
    ) >= v_reward.per_member_limit THEN
        RETURN QUERY SELECT 'limit_reached'::text, NULL::bigint, NULL::bigint, v_account.balance, NULL::date,
            NULL::numeric;
        RETURN;
    END IF;
    IF v_account.balance < v_reward.cost_points THEN
        RETURN QUERY SELECT 'insufficient'::text, NULL::bigint, NULL::bigint, v_account.balance, NULL::date,
            NULL::numeric;
        RETURN;
    END IF;

    UPDATE points_pointsaccount a SET balance = a.balance - v_reward.cost_points, updated_at = p_now
    WHERE a.id = v_account.account_id RETURNING a.balance INTO v_account.balance;
    INSERT INTO points_pointsentry (
        account_id, kind, points, balance_after, reason, reward_id, source, idempotency_key, created_at, created_by_id
    ) VALUES (
        v_account.account_id, 'redeem', -v_reward.cost_points, v_account.balance, left(v_reward.name, 200),
        v_reward.id, '', p_key, p_now, p_actor_id
    ) RETURNING id INTO v_entry_id;
    -- Oldest expiry first. The account lock, not a lock per lot, keeps other writers away from these lots.
    v_left := v_reward.cost_points;
    FOR v_lot IN
        SELECT l.id, l.remaining FROM points_pointslot l
        WHERE l.account_id = v_account.account_id AND l.remaining > 0 ORDER BY l.expires_on, l.id
    LOOP
        v_taken := least(v_lot.remaining, v_left);
        UPDATE points_pointslot l SET remaining = l.remaining - v_taken WHERE l.id = v_lot.id;
        INSERT INTO points_lotconsumption (entry_id, lot_id, points) VALUES (v_entry_id, v_lot.id, v_taken);
        v_left := v_left - v_taken;
        EXIT WHEN v_left = 0;
    END LOOP;
    IF v_left > 0 THEN
        -- The balance said there were enough points; lots disagreeing means a broken invariant: stop everything.
        RAISE EXCEPTION 'Lots of account % hold fewer points than its balance', v_account.account_id;
    END IF;
    IF v_reward.stock IS NOT NULL THEN
        UPDATE points_reward r SET stock = r.stock - 1 WHERE r.id = v_reward.id;
    END IF;
    v_valid_until := p_today + v_reward.valid_days;
    INSERT INTO points_coupon (
        code, member_id, reward_id, redemption_id, face_value, status, valid_until, used_for, created_at
    ) VALUES (
        p_code, p_member_id, v_reward.id, v_entry_id, v_reward.face_value, 'active', v_valid_until, '', p_now
    ) RETURNING id INTO v_coupon_id;
    PERFORM notifications_queue_inbox(
        v_account.user_id, 'points.redeem', 'points-entry:' || v_entry_id, p_link, p_language, p_default_subject,
        p_default_body, ARRAY['reward', 'points', 'code', 'valid_until'],
        ARRAY[v_reward.name, v_reward.cost_points::text, p_code, v_valid_until::text], p_now
    );
    RETURN QUERY SELECT 'created'::text, v_entry_id, v_coupon_id, v_account.balance, v_valid_until,
        v_reward.face_value;
END
$$;
