"""What the member is told at each step of a rescue (in-app and SMS; registered in the message catalog, so operators
edit the texts in the admin under "Message templates"). Rescue messages are transactional: they go at once, even
in quiet hours, since the member is waiting on the road."""

from django.utils.translation import gettext_lazy as _

from crm.care.rescue.enums import RescueStatus
from notifications.catalog import EventSpec, register_event
from notifications.models import Category

PLACEHOLDERS = ("name", "plate", "kind", "store", "store_phone")
SAMPLE = {"name": "张先生", "plate": "粤B12345", "kind": "拖车", "store": "广州天河店", "store_phone": "020-88886666"}

STEP_TEXTS = {
    RescueStatus.DISPATCHED: (
        lambda: _("Help is arranged for {plate}"),
        lambda: _(
            "Dear {name}, we have received your request ({kind}) for {plate}. {store} is arranging help now and will "
            "call you shortly. Please stay in a safe place. Store phone: {store_phone}."
        ),
    ),
    RescueStatus.ON_THE_WAY: (
        lambda: _("Help is on the way to {plate}"),
        lambda: _(
            "Dear {name}, help from {store} is on its way to you. Please keep your phone at hand. Store phone: "
            "{store_phone}."
        ),
    ),
    RescueStatus.ARRIVED: (
        lambda: _("Help has arrived for {plate}"),
        lambda: _("Dear {name}, help from {store} has arrived. Thank you for waiting."),
    ),
    RescueStatus.DONE: (
        lambda: _("Rescue for {plate} completed"),
        lambda: _("Dear {name}, the rescue for {plate} is complete. We wish you a safe journey. {store}"),
    ),
    RescueStatus.CANCELLED: (
        lambda: _("Rescue request for {plate} cancelled"),
        lambda: _(
            "Dear {name}, your rescue request for {plate} has been cancelled. If you still need help, ask again in "
            "Member Center or call us any time."
        ),
    ),
}


def step_event(status: str) -> str:
    return f"rescue.{status}"


def register_rescue_events() -> None:
    for status, (subject, body) in STEP_TEXTS.items():
        register_event(
            EventSpec(
                code=step_event(status),
                category=Category.TRANSACTIONAL,
                placeholders=PLACEHOLDERS,
                sample=SAMPLE,
                subject=subject,
                body=body,
            )
        )
