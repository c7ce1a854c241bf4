"""Contact attempts: the status follows the outcome; the outcome's SMS goes once per outcome per lead, never to an
opted-out phone; a next contact time opens one follow-up task; a closed lead takes no more contacts."""

import datetime

import pytest
from django.utils import timezone

from crm.leads import services
from crm.leads.enums import STATUS_AFTER_OUTCOME, ContactOutcome
from crm.leads.models import Lead, LeadContact
from notifications.models import Notification, NotificationTemplate, SmsOptOut
from notifications.services import save_preferences
from staff_tasks.models import Task
from tests.crm.leads.conftest import staff_client
from tests.members.factories import MemberFactory


@pytest.fixture
def lead(cast):
    return services.submit_quick_lead(name="张先生", phone="13800138000", city="深圳", ip=None).lead


def _contact(client, lead, outcome, **extra):
    return client.post(f"/api/v1/backoffice/leads/{lead.pk}/contacts/", {"outcome": outcome, **extra}, format="json")


EXPECTED_STATUS = {
    "reached_interested": "interested",
    "reached_not_interested": "not_interested",
    "no_answer": "unreached",
    "busy": "unreached",
    "powered_off": "unreached",
    "invalid_number": "invalid",
    "callback_requested": "contacting",
    "wrong_person": "invalid",
}


def test_the_table_covers_every_outcome():
    assert set(STATUS_AFTER_OUTCOME) == set(ContactOutcome) == set(EXPECTED_STATUS)


@pytest.mark.django_db
@pytest.mark.parametrize(("outcome", "status"), sorted(EXPECTED_STATUS.items()))
def test_every_outcome_moves_the_status(agent_client, cast, lead, outcome, status):
    response = _contact(agent_client, lead, outcome, note="客户在开会", carrier_result="ringing")

    assert response.status_code == 201
    body = response.json()
    assert (body["outcome"], body["note"], body["carrier_result"], body["by"]) == (
        outcome, "客户在开会", "ringing", cast.call_center.username,
    )  # fmt: skip
    assert Lead.objects.get(pk=lead.pk).status == status


@pytest.mark.django_db
def test_the_unreached_sms_goes_once_per_outcome(agent_client, lead):
    for outcome in ("no_answer", "no_answer", "busy", "callback_requested", "no_answer"):
        assert _contact(agent_client, lead, outcome).status_code == 201

    rows = Notification.objects.order_by("pk")
    assert [(row.event, row.to_phone, row.recipient_id, row.channel, row.category) for row in rows] == [
        ("lead.no_answer", "+8613800138000", None, "sms", "marketing"),
        ("lead.busy", "+8613800138000", None, "sms", "marketing"),
    ]
    assert "张先生" in rows[0].body
    assert LeadContact.objects.count() == 5


@pytest.mark.django_db
def test_unreached_and_declined_get_different_texts(agent_client, lead):
    _contact(agent_client, lead, "powered_off")
    _contact(agent_client, lead, "reached_not_interested")

    unreached, declined = Notification.objects.order_by("pk")
    assert (unreached.event, declined.event) == ("lead.powered_off", "lead.not_interested")
    assert unreached.body != declined.body
    # Signed as customer service, in zh-hans.
    assert unreached.body.startswith("张先生您好,我是会员中心客服。")
    assert declined.body.endswith("——会员中心客服")


@pytest.mark.django_db
def test_the_operator_s_template_is_used(agent_client, lead):
    NotificationTemplate.objects.create(
        event="lead.busy", channel="sms", language="zh-hans", subject="忙", body="{name}您好,刚才您在忙,稍后再联系。"
    )

    _contact(agent_client, lead, "busy")

    assert Notification.objects.get().body == "张先生您好,刚才您在忙,稍后再联系。"


@pytest.mark.django_db
def test_the_sms_is_delivered_to_the_lead_s_phone(agent_client, lead, settings, sms_outbox,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 24, 0  # no quiet hours for this test
    with django_capture_on_commit_callbacks(execute=True):
        _contact(agent_client, lead, "no_answer")

    [sms] = sms_outbox.messages
    assert sms["to"] == "+8613800138000"
    assert "张先生" in sms["body"]
    assert Notification.objects.get().status == "sent"


@pytest.mark.django_db
def test_a_phone_that_replied_stop_gets_no_sms(agent_client, lead):
    SmsOptOut.objects.create(phone="+8613800138000")

    assert _contact(agent_client, lead, "no_answer").status_code == 201

    assert Notification.objects.count() == 0
    assert Lead.objects.get(pk=lead.pk).status == "unreached"


@pytest.mark.django_db
def test_a_member_who_switched_marketing_sms_off_gets_no_lead_sms(agent_client, lead):
    member = MemberFactory(user__phone="+8613800138000")
    save_preferences(user=member.user, choices={"marketing": {"sms": False}})

    _contact(agent_client, lead, "reached_not_interested")

    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_the_inbound_stop_keyword_is_remembered_for_a_phone_without_account(client, settings):
    from twilio.request_validator import RequestValidator

    settings.TWILIO_AUTH_TOKEN = "token"
    url = "http://testserver/webhooks/twilio/inbound/"
    data = {"From": "+8613800138000", "Body": "TD"}
    signature = RequestValidator("token").compute_signature(url, data)

    response = client.post(url, data, HTTP_X_TWILIO_SIGNATURE=signature)

    assert response.status_code == 200
    assert list(SmsOptOut.objects.values_list("phone", flat=True)) == ["+8613800138000"]


@pytest.mark.django_db
def test_a_next_contact_time_opens_one_follow_up_task(agent_client, cast, lead):
    due = (timezone.now() + datetime.timedelta(days=1)).replace(microsecond=0)

    _contact(agent_client, lead, "callback_requested", next_contact_at=due.isoformat())
    services.record_contact(lead_id=lead.pk, actor=cast.call_center, outcome="callback_requested", next_contact_at=due)

    task = Task.objects.get()
    assert (task.kind, task.subject_type, task.subject_id, task.contact_phone, task.contact_name, task.due_at,
            task.store, task.assignee, task.status) == (
        "lead_follow_up", "lead", lead.pk, "+8613800138000", "张先生", due, cast.store, cast.call_center, "open",
    )  # fmt: skip


@pytest.mark.django_db
def test_a_next_contact_time_in_the_past_is_400(agent_client, lead):
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()

    response = _contact(agent_client, lead, "no_answer", next_contact_at=past)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["next_contact_at"]
    assert (LeadContact.objects.count(), Notification.objects.count(), Task.objects.count()) == (0, 0, 0)
    assert Lead.objects.get(pk=lead.pk).status == "new"


@pytest.mark.django_db
def test_an_unknown_outcome_is_400(agent_client, lead):
    response = _contact(agent_client, lead, "gone_fishing")

    assert response.status_code == 400
    assert LeadContact.objects.count() == 0


@pytest.mark.django_db
def test_a_closed_lead_takes_no_contact(agent_client, lead):
    _contact(agent_client, lead, "invalid_number")

    response = _contact(agent_client, lead, "reached_interested")

    assert response.status_code == 409
    assert response.json()["code"] == "lead_closed"
    assert LeadContact.objects.count() == 1
    assert Lead.objects.get(pk=lead.pk).status == "invalid"


@pytest.mark.django_db
def test_another_store_s_clerk_cannot_record_a_contact(cast, lead):
    response = _contact(staff_client(cast.other_store_staff), lead, "no_answer")

    assert response.status_code == 404
    assert (LeadContact.objects.count(), Notification.objects.count()) == (0, 0)
    assert Lead.objects.get(pk=lead.pk).status == "new"
