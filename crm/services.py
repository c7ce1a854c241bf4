"""Runs every reminder rule for one local date: what beat runs each morning, and `manage.py run_reminders`."""

import datetime
import logging

from django.conf import settings
from django.utils import translation

from crm.campaigns import send_monthly_campaigns
from crm.care.complaints.services import sweep_complaint_slas
from crm.reminders import run_member_care
from domain_events.services import sweep_domain_events
from members.cards import upgrade_cards_to_tiers
from orders.reminders import run_repayment_reminders
from orders.task_rules import run_task_rules
from points.services import issue_birthday_coupons, notify_expiring_points
from vehicles.reminders import run_vehicle_reminders
from vehicles.services import confirm_requested_aftermarket_bookings

logger = logging.getLogger("member_center.reminders")


def run_reminders(*, day: datetime.date) -> dict[str, int]:
    """Every rule for ``day``. Running it again for the same day, or twice at once, creates nothing new: each row's
    dedupe key is unique in the outbox."""
    # Events whose reactions have not run yet (broker down, no beat) are handled first, so the rules see their
    # results (points earned, referrals recorded).
    swept = sweep_domain_events()
    logger.info("domain events swept", extra=swept)
    created = {}
    with translation.override(settings.LANGUAGE_CODE):
        _run_all(day=day, created=created)
    logger.info("reminders created", extra={"day": day.isoformat(), "total": sum(created.values())})
    return created


def _run_all(*, day: datetime.date, created: dict) -> None:
    created.update({f"vehicles.{key}": count for key, count in run_vehicle_reminders(day=day).items()})
    created.update({f"orders.{key}": count for key, count in run_repayment_reminders(day=day).items()})
    created.update({f"crm.{key}": count for key, count in run_member_care(day=day).items()})
    created["crm.monthly_campaigns"] = send_monthly_campaigns(day=day)
    created["points.expiring"] = notify_expiring_points(today=day)
    created["points.birthday_coupons"] = issue_birthday_coupons(day=day)
    created.update({f"tasks.{key}": count for key, count in run_task_rules(day=day).items()})
    # Not reminders, but daily upkeep that belongs with them: cards follow the tiers computed overnight, and
    # aftermarket bookings whose after-commit task was lost are sent to the partner.
    created["members.cards_upgraded"] = upgrade_cards_to_tiers()
    created["vehicles.aftermarket_bookings_confirmed"] = confirm_requested_aftermarket_bookings()
    # Complaint deadlines: beat sweeps every few minutes; the morning run catches up when beat was down.
    created.update({f"complaints.{key}": count for key, count in sweep_complaint_slas().items()})
