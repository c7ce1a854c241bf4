"""The messages segments send: a tier going up or down, and the "we miss you" note to a member who has churned.
Texts are the catalog's defaults; operators override them with notification templates."""

from django.utils.translation import gettext_lazy as _

from notifications.catalog import EventSpec, register_event
from notifications.models import Category

SAMPLE = {"name": "王经理", "tier": "黄金会员"}


def register_segment_events() -> None:
    events = [
        ("segments.tier_up", Category.SERVICE, ("name", "tier"), _("Your membership is now {tier}"),
         _("{name}, congratulations: your membership is now {tier}. See your new benefits in the member center.")),
        ("segments.tier_down", Category.SERVICE, ("name", "tier"), _("Your membership level has changed"),
         _("{name}, your membership level is now {tier}. Every service visit and repayment counts towards your "
           "level; see what it takes to move up in the member center.")),
        ("segments.churned", Category.MARKETING, ("name",), _("We miss you"),
         _("{name}, it has been a while since we last saw you and your car. We would love to welcome you back: "
           "book a check-up or reply to this message and we will call you.")),
    ]  # fmt: skip
    for code, category, placeholders, subject, body in events:
        register_event(
            EventSpec(
                code=code, category=category, placeholders=placeholders, sample=SAMPLE,
                subject=lambda subject=subject: subject, body=lambda body=body: body,
            )
        )  # fmt: skip
