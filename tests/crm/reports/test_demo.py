"""The demo shows the reports something: declined leads with their reasons, a campaign with a cost; twice is once."""

import datetime

import pytest
from django.utils import timezone

from crm.leads.models import Lead
from crm.models import Campaign
from crm.reports import selectors
from crm.reports.demo import DEMO_LEADS, seed_reports_demo
from crm.reports.models import AggregateRefresh


@pytest.mark.django_db
def test_the_demo_funnel_shows_declined_leads_with_reasons_and_is_idempotent(cast):
    stores = {"SZ01": cast.store}
    seed_reports_demo(stores=stores)
    seed_reports_demo(stores=stores)
    assert Lead.objects.count() == len(DEMO_LEADS)
    assert Campaign.objects.get().cost is not None
    today = timezone.localdate()
    funnel = selectors.acquisition_funnel(user=cast.head_office, date_from=today - datetime.timedelta(days=1),
                                          date_to=today)  # fmt: skip
    reasons = {(d["step"], d["reason"]): d["count"] for d in funnel.extra["drop_outs"]}
    assert reasons[("lead", "price")] == 1
    assert reasons[("lead", "in_progress")] == 2
    assert AggregateRefresh.objects.get(name="funnel").covers_until == today  # the nightly figures are built
