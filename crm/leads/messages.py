"""The SMS a lead's phone gets after a contact attempt that did not reach them or that they declined (registered in
the message catalog, so operators edit the text in the admin under "Message templates")."""

from django.utils.translation import gettext_lazy as _

from crm.leads.enums import SMS_EVENT_AFTER_OUTCOME, ContactOutcome
from notifications.catalog import EventSpec, register_event
from notifications.models import Category

SAMPLE = {"name": "张先生"}


def _unreached_body():
    return _(
        "Hello {name}, this is Member Center customer service. We called about the car you asked after but could "
        "not reach you. Sign up at Member Center to compare models and monthly payments in your own time, or reply "
        "to this message and we will call you back."
    )


def _declined_body():
    return _(
        "Hello {name}, thank you for your time on the phone today. Whenever you are ready, Member Center has the "
        "latest models, offers and finance plans for you, and we are always glad to help. Member Center customer "
        "service"
    )


def register_lead_events() -> None:
    for outcome, code in SMS_EVENT_AFTER_OUTCOME.items():
        declined = outcome == ContactOutcome.REACHED_NOT_INTERESTED
        register_event(
            EventSpec(
                code=code,
                category=Category.MARKETING,
                placeholders=("name",),
                sample=SAMPLE,
                subject=lambda declined=declined: (
                    _("Thank you for your time") if declined else _("Sorry we missed you")
                ),
                body=_declined_body if declined else _unreached_body,
            )
        )
