"""Demo data for the reports: this month's leads from each channel (some declined, with their reasons) and a
campaign's cost, so the funnel and the campaign report have something to show; then the nightly aggregates, as
beat would have built them last night. Idempotent."""

from decimal import Decimal

from django.utils import timezone

from crm.leads.enums import LeadChannel, LeadLostReason, LeadStatus
from crm.leads.models import Lead
from crm.models import Campaign
from crm.reports.services import refresh_report_aggregates
from members.models import User

DEMO_LEADS = [
    # phone, name, channel, status, reason
    ("+8613900000101", "周先生", LeadChannel.CALL_CENTER, LeadStatus.NOT_INTERESTED, LeadLostReason.PRICE),
    ("+8613900000102", "吴女士", LeadChannel.WEB_QUICK_SUBMIT, LeadStatus.NOT_INTERESTED,
     LeadLostReason.BOUGHT_ELSEWHERE),
    ("+8613900000103", "郑先生", LeadChannel.STORE, LeadStatus.INTERESTED, ""),
    ("+8613900000104", "冯女士", LeadChannel.WEB_QUICK_SUBMIT, LeadStatus.NEW, ""),
    ("+8613900000105", "陈先生", LeadChannel.CALL_CENTER, LeadStatus.NOT_INTERESTED, LeadLostReason.NOT_BUYING_NOW),
]  # fmt: skip


def seed_reports_demo(*, stores) -> None:
    store = stores["SZ01"]
    agent = User.objects.filter(username="callcenter").first()
    now = timezone.now()
    for phone, name, channel, status, reason in DEMO_LEADS:
        Lead.objects.get_or_create(
            phone=phone,
            defaults={"name": name, "channel": channel, "status": status, "lost_reason": reason, "store": store,
                      "assignee": agent if channel == LeadChannel.CALL_CENTER else None, "last_enquiry_at": now},
        )  # fmt: skip
    campaign, _created = Campaign.objects.get_or_create(
        name="双十一到店礼",
        defaults={"subject": "双十一到店礼", "body": "{name}，您好：双十一到店即享保养礼包，期待您的光临。",
                  "store": store, "cost": Decimal("3000.00"), "state": Campaign.State.PAUSED, "scheduled_at": now},
    )  # fmt: skip
    refresh_report_aggregates()
