"""The reports head office and the stores read. Each entry: its filters and its selector (see framework.py for how
to add one)."""

from django.utils.translation import gettext_lazy as _

from crm.reports import segment_reports, selectors
from crm.reports.forms import (
    AsOfFilterForm,
    FunnelFilterForm,
    NotReturnedFilterForm,
    ReportFilterForm,
    SatisfactionFilterForm,
)
from crm.reports.framework import AGGREGATED, LIVE, Report, register

FUNNEL = register(Report(
    slug="funnel",
    title=_("Acquisition funnel"),
    description=_("From lead to delivered car for the people who came in during the period, self-service and "
                  "agent-guided, and why people stopped."),
    form_class=FunnelFilterForm,
    run=selectors.acquisition_funnel,
    freshness=AGGREGATED,
))  # fmt: skip

NOT_RETURNED = register(Report(
    slug="not-returned",
    title=_("Cars not back for service"),
    description=_("Cars with no service visit for 6 or 12 months, and their owners, the longest away first."),
    form_class=NotReturnedFilterForm,
    run=selectors.not_returned_report,
    freshness=LIVE,
))  # fmt: skip

LIFETIME_VALUE = register(Report(
    slug="lifetime-value",
    title=_("Customer lifetime value"),
    description=_("What members have spent with us to date, by years of membership and per year."),
    form_class=AsOfFilterForm,
    run=selectors.lifetime_value_report,
    freshness=AGGREGATED,
))  # fmt: skip

REFERRALS = register(Report(
    slug="referrals",
    title=_("Referral funnel"),
    description=_("Members who registered with a referral code in the period, and how far they got."),
    form_class=ReportFilterForm,
    run=selectors.referral_funnel,
    freshness=LIVE,
))  # fmt: skip

CAMPAIGNS = register(Report(
    slug="campaigns",
    title=_("Campaigns: reach, conversion and return"),
    description=_("Per campaign sent in the period: members reached, applications that followed, and the return on "
                  "the cost entered for it."),
    form_class=ReportFilterForm,
    run=selectors.campaign_report,
    freshness=AGGREGATED,
))  # fmt: skip

POINTS_LIABILITY = register(Report(
    slug="points-liability",
    title=_("Points liability"),
    description=_("The points members hold now, and the coupons they could buy with them."),
    form_class=AsOfFilterForm,
    run=selectors.points_liability_report,
    freshness=LIVE,
))  # fmt: skip

TASK_EXECUTION = register(Report(
    slug="task-execution",
    title=_("Task execution"),
    description=_("Tasks created in the period per store and agent: done, on time, overdue, reached."),
    form_class=ReportFilterForm,
    run=selectors.task_execution,
    freshness=AGGREGATED,
))  # fmt: skip

COMPLAINTS = register(Report(
    slug="complaints",
    title=_("Complaints: topics and SLA"),
    description=_("Complaints received in the period per store: closed within the deadline, late, still open and "
                  "overdue, average resolution time; and what members complain about most."),
    form_class=ReportFilterForm,
    run=selectors.complaint_report,
    freshness=LIVE,
))  # fmt: skip

SATISFACTION = register(Report(
    slug="satisfaction",
    title=_("Satisfaction: CSAT and NPS"),
    description=_("CSAT and NPS month by month, per store and per survey; figures from fewer than 30 responses "
                  "are marked thin."),
    form_class=SatisfactionFilterForm,
    run=selectors.satisfaction_over_time,
    freshness=LIVE,
))  # fmt: skip

RESCUE = register(Report(
    slug="rescue",
    title=_("Roadside rescue response times"),
    description=_("Rescue requests of the period per store, and the minutes from the request to help arriving."),
    form_class=ReportFilterForm,
    run=selectors.rescue_response_times,
    freshness=LIVE,
))  # fmt: skip

TIERS = register(segment_reports.TIERS)
CHURN = register(segment_reports.CHURN)
COMPLAINT_RATE = register(segment_reports.COMPLAINT_RATE)
