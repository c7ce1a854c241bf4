"""Recording domain events and running their subscribers: once each, after commit, and again until they succeed.

An app records an event in the transaction of its cause (``record_event``); after commit one task dispatches it.
If that task never runs (broker down, worker lost), the sweeper finds the row and dispatches it. Subscribers come
from ``settings.DOMAIN_EVENT_SUBSCRIBERS`` as dotted paths resolved at dispatch time, so the app that records an
event imports nothing above it.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from common.tasks import enqueue
from domain_events.lock_objects import unhandled_event_select_for_update_skip_locked
from domain_events.models import DomainEvent, EventHandling

logger = logging.getLogger("member_center.domain_events")

# A failed attempt waits 1, 2, 4, … minutes before the next, at most an hour.
_MAX_RETRY_DELAY = datetime.timedelta(hours=1)


def subscribers_for(name: str) -> list[str]:
    return list(settings.DOMAIN_EVENT_SUBSCRIBERS.get(name, ()))


def record_event(*, name: str, payload: dict) -> DomainEvent:
    """Write the event in the caller's transaction; its subscribers run after commit (or, failing that, when the
    sweeper finds it). ``payload`` holds ids: subscribers read current rows when they run."""
    now = timezone.now()
    event = DomainEvent.objects.create(
        name=name,
        payload=payload,
        created_at=now,
        retry_at=now + datetime.timedelta(seconds=settings.DOMAIN_EVENT_SWEEP_AFTER_SECONDS),
    )
    transaction.on_commit(lambda pk=event.pk: _enqueue_dispatch(event_id=pk))
    return event


def _enqueue_dispatch(*, event_id: int) -> bool:
    from domain_events.tasks import dispatch_domain_event_task

    # A broker outage is logged by enqueue and the row waits for the sweeper; the committed request is unaffected.
    return enqueue(dispatch_domain_event_task, event_id=event_id)


def dispatch_event(*, event_id: int) -> str:
    """Run the subscribers of one event that have not run yet. Answers "handled" (this call finished it), "failed"
    (a subscriber failed; the row says when to try again), "busy" (another dispatcher holds it) or "done" (it was
    handled before).

    The event row is locked with SKIP LOCKED, so two dispatchers at once (the task and a sweeper) never run a
    subscriber twice: the second one skips the event. Each subscriber runs in a savepoint together with the row
    that records it, so its work and "done" commit or roll back together, and a failing subscriber is retried
    later without running the others again.
    """
    with transaction.atomic():
        event = unhandled_event_select_for_update_skip_locked(event_id=event_id)
        if event is None:
            return "done" if DomainEvent.objects.filter(pk=event_id, handled_at__isnull=False).exists() else "busy"
        done = set(EventHandling.objects.filter(event=event).values_list("subscriber", flat=True))
        errors = []
        for path in subscribers_for(event.name):
            if path in done:
                continue
            try:
                with transaction.atomic():
                    import_string(path)(event)
                    EventHandling.objects.create(event=event, subscriber=path)
            except Exception as error:  # noqa: BLE001  (any subscriber failure: recorded and retried later)
                logger.exception("domain event subscriber failed", extra={"event": event.pk, "subscriber": path})
                errors.append(f"{path}: {error!r}")
        now = timezone.now()
        event.attempts += 1
        if errors:
            event.last_error = "\n".join(errors)[:4000]
            event.retry_at = now + min(datetime.timedelta(minutes=2 ** min(event.attempts - 1, 6)), _MAX_RETRY_DELAY)
        else:
            event.last_error = ""
            event.handled_at = now
        event.save(update_fields=["attempts", "last_error", "retry_at", "handled_at"])
    return "failed" if errors else "handled"


def sweep_domain_events(*, limit: int = 500) -> dict[str, int]:
    """Dispatch events whose after-commit task did not handle them (broker down, worker lost, a subscriber failed
    and its retry time has come). Run every minute by beat and by ``run_reminders``."""
    ids = list(
        DomainEvent.objects.filter(handled_at__isnull=True, retry_at__lte=timezone.now())
        .order_by("retry_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes = [dispatch_event(event_id=pk) for pk in ids]
    # "done" and "busy" belong to another dispatcher running at the same time: not counted here.
    return {"handled": outcomes.count("handled"), "failed": outcomes.count("failed")}
