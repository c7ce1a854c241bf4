"""Campaigns: segment count and preview, refusal of an empty segment, sending through the outbox, pause and resume."""

import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from crm import campaigns
from crm.models import Campaign
from notifications.models import Notification
from notifications.services import dispatch_due_notifications
from tests.members.factories import MemberFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shenzhen_members():
    store = StoreFactory(code="SZ01")
    members = [MemberFactory(city="深圳", preferred_store=store, name=f"会员{index}") for index in range(3)]
    MemberFactory(city="广州")
    return members


def make(**fields):
    defaults = {"name": "双十二购车节", "subject": "双十二购车节", "body": "{name}您好：本周末到店试驾送好礼。"}
    return Campaign.objects.create(**{**defaults, **fields})


def test_segment_count_and_preview(shenzhen_members):
    campaign = make(city="深圳")
    assert campaigns.count_segment(campaign) == 3
    assert campaigns.preview(campaign) == ("双十二购车节", "王经理您好：本周末到店试驾送好礼。")
    assert campaigns.count_segment(make(city="深圳", owns_car=True)) == 0
    assert campaigns.count_segment(make(min_points=1)) == 0
    assert campaigns.count_segment(make(verification_status="unverified")) == 4


def test_an_empty_segment_is_refused_and_writes_nothing(shenzhen_members, staff_user):
    campaign = make(city="北京")
    with translation.override("en"), pytest.raises(campaigns.CampaignError, match="No member matches"):
        campaigns.schedule_campaign(campaign_id=campaign.pk, actor=staff_user)
    campaign.refresh_from_db()
    assert campaign.state == "draft"
    assert not Notification.objects.exists()


def test_unknown_placeholders_are_refused(shenzhen_members, staff_user):
    campaign = make(city="深圳", body="{name} 您的积分 {points}")
    with pytest.raises(campaigns.CampaignError):
        campaigns.schedule_campaign(campaign_id=campaign.pk, actor=staff_user)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.total) == ("draft", 0)
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_send_pause_resume(shenzhen_members, staff_user, sms_outbox):
    # Noon tomorrow: inside the daytime window, so quiet hours do not move the SMS.
    noon = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(12)))
    campaign = make(city="深圳", scheduled_at=noon + datetime.timedelta(days=1))
    campaign = campaigns.schedule_campaign(campaign_id=campaign.pk, actor=staff_user, send_at=campaign.scheduled_at)
    assert campaign.total == 6  # inbox + SMS for 3 members
    with pytest.raises(campaigns.CampaignError):
        campaigns.schedule_campaign(campaign_id=campaign.pk, actor=staff_user)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.total) == ("scheduled", 6)
    assert Notification.objects.count() == 6
    campaigns.pause_campaign(campaign_id=campaign.pk)
    progress = campaigns.campaign_progress([campaign])[campaign.pk]
    assert (progress["sent"], progress["held"]) == (3, 3)
    with time_machine.travel(campaign.scheduled_at + datetime.timedelta(minutes=1), tick=False):
        assert dispatch_due_notifications() == 0  # paused: nothing goes
        campaigns.resume_campaign(campaign_id=campaign.pk)
        assert dispatch_due_notifications() == 3
    assert len(sms_outbox.messages) == 3
    body = sms_outbox.messages[0]["body"]
    # Mainland SMS rules: the signature first, an opt-out line on marketing.
    assert body.startswith("【会员中心】")
    assert "本周末到店试驾送好礼。" in body
    assert body.endswith("回TD退订")
    assert campaigns.campaign_progress([campaign])[campaign.pk]["sent"] == 6


def test_admin_shows_audience_and_preview(client, shenzhen_members):
    from members.services import ensure_role_groups
    from tests.members.factories import StaffFactory

    boss = StaffFactory(username="hq-campaigns", role="head_office")
    boss.groups.set([ensure_role_groups()["head_office"]])
    client.force_login(boss)
    campaign = make(city="深圳")
    page = client.get(f"/admin/crm/campaign/{campaign.pk}/change/").content.decode()
    assert "王经理您好：本周末到店试驾送好礼。" in page
    assert client.get("/admin/crm/campaign/").status_code == 200
    client.post("/admin/crm/campaign/", {"action": "send", "_selected_action": [campaign.pk]})
    campaign.refresh_from_db()
    assert (campaign.state, campaign.total) == ("scheduled", 6)
