from celery import shared_task

from domain_events import services


@shared_task(acks_late=True)
def dispatch_domain_event_task(*, event_id: int) -> str:
    """Run one event's subscribers; what fails waits for the sweeper (its retry time is on the row)."""
    return services.dispatch_event(event_id=event_id)


@shared_task(acks_late=True)
def sweep_domain_events_task() -> dict[str, int]:
    return services.sweep_domain_events()
