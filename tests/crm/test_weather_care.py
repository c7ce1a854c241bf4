"""Weather care: a staff-sent notice to a city's members, through the campaign engine."""

import pytest
from django.urls import reverse

from crm.campaigns import CampaignError
from crm.models import Campaign
from crm.weather_care import send_weather_care
from notifications.models import Notification
from tests.helpers import row_counts
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db


def test_head_office_sends_a_city_the_notice_in_its_words():
    head_office = StaffFactory(role="head_office")
    shenzhen = [MemberFactory(city="深圳", name="王经理"), MemberFactory(city="深圳")]
    MemberFactory(city="广州")

    campaign = send_weather_care(city="深圳", kind="heavy_rain", staff=head_office)

    assert (campaign.city, campaign.store_id, campaign.state, campaign.send_sms) == ("深圳", None, "scheduled", True)
    inbox = Notification.objects.filter(event=campaign.event, channel="inbox")
    assert set(inbox.values_list("recipient_id", flat=True)) == {member.user_id for member in shenzhen}
    assert inbox.get(recipient=shenzhen[0].user).body.startswith("王经理")


def test_store_staff_reach_their_own_stores_members_of_the_city(staff_user, client):
    own = MemberFactory(city="深圳", preferred_store=staff_user.store)
    MemberFactory(city="深圳", preferred_store=StoreFactory(code="NEXT"))
    client.force_login(staff_user)
    response = client.post(reverse("crm-backoffice:weather-care"), {"city": "深圳", "kind": "heat"})
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    recipients = set(Notification.objects.filter(event=campaign.event).values_list("recipient_id", flat=True))
    assert recipients == {own.user_id}


def test_a_city_without_members_sends_nothing():
    head_office = StaffFactory(role="head_office")
    before = row_counts(Notification, Campaign)
    with pytest.raises(CampaignError):
        send_weather_care(city="拉萨", kind="snow", staff=head_office)
    assert row_counts(Notification, Campaign) == before
