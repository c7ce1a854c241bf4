from celery import shared_task
from django.utils import timezone

from crm.segments.services import compute_segments


@shared_task(acks_late=True)
def compute_segments_task() -> dict:
    """Beat runs it each night; safe to run twice (the computation is idempotent and serialised)."""
    run = compute_segments(as_of=timezone.localdate())
    return {"members": run.members, "tier_changes": run.tier_changes, "tasks": run.tasks}
