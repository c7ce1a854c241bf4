"""A lead whose phone signs up is converted and linked; the member's channel is the lead's. An agent can register
the caller on their behalf (channel: call center)."""

import pytest
from django.test import Client

from crm.leads import services
from crm.leads.exceptions import LeadNotFound, PhoneAlreadyMember
from crm.leads.models import Lead
from members import services as member_services
from members.models import Member
from tests.members.factories import StaffFactory

PHONE = "+8613800138000"


def _sign_up(sms_outbox, capture) -> Member:
    with capture(execute=True):
        member_services.request_sign_in_code(phone=PHONE, requested_ip="10.0.0.9")
    with capture(execute=True):
        result = member_services.sign_in_with_code(phone=PHONE, code=sms_outbox.last_code_for(PHONE), accept_terms=True)
    assert result.is_new_member
    return result.member


@pytest.mark.django_db
def test_a_lead_that_signs_up_is_converted_and_gives_the_member_its_channel(
    cast, sms_outbox, django_capture_on_commit_callbacks
):
    lead = services.submit_quick_lead(name="张先生", phone="13800138000", ip=None).lead

    member = _sign_up(sms_outbox, django_capture_on_commit_callbacks)

    lead.refresh_from_db()
    assert (lead.status, lead.member, lead.converted_at is not None) == ("converted", member, True)
    assert Member.objects.get(pk=member.pk).channel == "quick_submit"


@pytest.mark.django_db
def test_a_partner_lead_gives_the_member_the_partner(cast, sms_outbox, partner, django_capture_on_commit_callbacks):
    services.submit_partner_lead(partner=partner, name="刘", phone="13800138000", external_id="P-1")

    member = _sign_up(sms_outbox, django_capture_on_commit_callbacks)

    member.refresh_from_db()
    assert (member.channel, member.channel_partner) == ("partner", "汽车之家")
    assert Lead.objects.get().status == "converted"


@pytest.mark.django_db
def test_a_declined_lead_converts_when_the_phone_signs_up_later(cast, sms_outbox, django_capture_on_commit_callbacks):
    lead = services.submit_quick_lead(name="张先生", phone="13800138000", ip=None).lead
    services.record_contact(lead_id=lead.pk, actor=cast.call_center, outcome="reached_not_interested")

    member = _sign_up(sms_outbox, django_capture_on_commit_callbacks)

    lead.refresh_from_db()
    assert (lead.status, lead.member) == ("converted", member)


@pytest.mark.django_db
def test_a_sign_up_without_a_lead_changes_nothing(cast, sms_outbox, django_capture_on_commit_callbacks):
    services.submit_quick_lead(name="李", phone="13900139000", ip=None)

    member = _sign_up(sms_outbox, django_capture_on_commit_callbacks)

    assert Member.objects.get(pk=member.pk).channel == "online"
    assert list(Lead.objects.values_list("status", "member")) == [("new", None)]


@pytest.mark.django_db
def test_conversion_twice_changes_nothing_the_second_time(cast, sms_outbox, django_capture_on_commit_callbacks):
    services.submit_quick_lead(name="张先生", phone="13800138000", ip=None)
    member = _sign_up(sms_outbox, django_capture_on_commit_callbacks)
    services.submit_quick_lead(name="张先生", phone="13800138000", ip=None)  # a new enquiry after sign-up

    assert services.convert_lead_for_member(member_id=member.pk) is None

    assert sorted(Lead.objects.values_list("status", flat=True)) == ["converted", "new"]


@pytest.mark.django_db
def test_an_agent_registers_the_caller_from_the_admin(cast, django_capture_on_commit_callbacks):
    lead = services.enter_lead(actor=cast.call_center, name="王女士", phone="13800138000", city="深圳").lead
    agent = cast.call_center
    agent.is_superuser = True  # every admin permission; the role still decides what it sees
    agent.save()
    client = Client()
    client.force_login(agent)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/leads/lead/", {"action": "register_as_member", "_selected_action": [lead.pk], "index": 0}
        )

    assert response.status_code == 302
    lead.refresh_from_db()
    member = Member.objects.get(user__phone=PHONE)
    assert (lead.status, lead.member) == ("converted", member)
    assert (member.channel, member.name, member.city) == ("call_center", "王女士", "深圳")


@pytest.mark.django_db
def test_registering_a_staff_phone_is_refused(cast):
    StaffFactory(phone=PHONE)
    lead = services.enter_lead(actor=cast.call_center, name="王", phone="13800138000").lead

    with pytest.raises(PhoneAlreadyMember) as refused:
        services.register_member_for_lead(lead_id=lead.pk, actor=cast.call_center)

    assert refused.value.code == "already_member"
    assert Lead.objects.get(pk=lead.pk).status == "new"
    assert Member.objects.filter(user__phone=PHONE).count() == 0


@pytest.mark.django_db
def test_another_store_s_clerk_cannot_register_the_lead(cast):
    lead = services.enter_lead(actor=cast.store_staff, name="王", phone="13800138000", channel="store").lead

    with pytest.raises(LeadNotFound) as refused:
        services.register_member_for_lead(lead_id=lead.pk, actor=cast.other_store_staff)

    assert refused.value.code == "not_found"
    assert Member.objects.filter(user__phone=PHONE).count() == 0
