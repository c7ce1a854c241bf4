"""Every event the product sends a message for, with the placeholders its text may use, a sample for previews, and
the default text per channel (translatable source strings, so zh-hans and English both exist from the start).

Domain apps declare their events here from AppConfig.ready(); operators may override any text in the admin
(NotificationTemplate), where unknown placeholders are refused on save."""

import functools
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation

Text = Callable[[], str]


@dataclass(frozen=True)
class EventSpec:
    code: str
    category: str
    placeholders: tuple[str, ...]
    sample: dict[str, str]
    subject: Text
    body: Text
    # A different text for some channels (e.g. a short SMS, or what staff should say on a call).
    channel_bodies: dict[str, Text] = field(default_factory=dict)


_events: dict[str, EventSpec] = {}


def register_event(spec: EventSpec) -> EventSpec:
    _events[spec.code] = spec
    default_text.cache_clear()
    return spec


def get_event(code: str) -> EventSpec | None:
    return _events.get(code)


def event_label(code: str) -> str:
    """What people read for an event code in the admin: its default subject in the current language, placeholders
    shown as "…" (``points.earn`` reads 您获得了 … 积分). An unknown code is shown as it is."""
    spec = _events.get(code)
    if spec is None:
        return code
    subject = str(spec.subject())
    try:
        parts = string.Formatter().parse(subject)
        return "".join(literal + ("…" if name is not None else "") for literal, name, _spec, _conv in parts)
    except ValueError:
        return subject


def all_events() -> list[EventSpec]:
    return sorted(_events.values(), key=lambda spec: spec.code)


def placeholders_in(text: str) -> set[str]:
    """The {names} a text uses. ``{a.b}`` or ``{a[0]}`` count as themselves, so they never match an allowed name."""
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def formatted_placeholders_in(text: str) -> set[str]:
    """The {names} written with a format or a conversion ({points:>5}, {name!r}). Texts may not use them: the
    database renders texts too (bulk reminders, the points ledger's functions) and fills in plain values only."""
    return {
        name
        for _literal, name, spec, conversion in string.Formatter().parse(text)
        if name is not None and (spec or conversion)
    }


@functools.cache  # the catalog and the translations are fixed once the process has started
def default_text(*, event: str, channel: str, language: str) -> tuple[str, str]:
    spec = _events[event]
    with translation.override(language):
        body = spec.channel_bodies.get(channel, spec.body)
        return str(spec.subject()), str(body())


def resolve_text(*, event: str, channel: str, language: str) -> tuple[str, str]:
    """The (subject, body) to use: an active operator template, else the default text."""
    from notifications.models import NotificationTemplate

    template = NotificationTemplate.objects.filter(
        event=event, channel=channel, language=language, is_active=True
    ).first()
    if template is not None:
        return template.subject, template.body
    return default_text(event=event, channel=channel, language=language)


def render(text: str, context: dict) -> str:
    """Fill a text's {placeholders}; names missing from the context are left empty."""
    values = {name: "" if context.get(name) is None else str(context[name]) for name in placeholders_in(text)}
    return text.format_map(values)


def language_of(user) -> str:
    """The language to write to a person in: the one they last chose on the site, else the site's default."""
    chosen = getattr(user, "language", "") or ""
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
