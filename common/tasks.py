"""Queuing a Celery task without letting a broker outage turn a committed request into an error."""

import logging

logger = logging.getLogger("member_center.tasks")


def enqueue(task, **kwargs) -> bool:
    """``task.apply_async(kwargs=...)``; False (and a log line) when the broker cannot be reached. Callers that must
    not lose the work keep a row that a periodic job picks up again."""
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except Exception:  # noqa: BLE001  (any broker failure; the work is recoverable from the database)
        logger.warning("broker unavailable, task not queued", extra={"task": task.name})
        return False
    return True
