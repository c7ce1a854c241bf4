"""The call center's lead screens: entry through the capture service, contacts, assignment actions, and who may
import partner files."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from crm.leads import services
from crm.leads.models import Lead, LeadContact, LeadTeam, LeadTeamAgent
from notifications.models import Notification
from staff_tasks.models import Task


def _admin_client(user, *, superuser=False) -> Client:
    if superuser:
        user.is_superuser = True
        user.save()
    else:
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="leads"))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_agent_enters_a_lead_and_a_known_phone_adds_an_enquiry(cast):
    client = _admin_client(cast.call_center)
    data = {"name": "陈先生", "phone": "13800138000", "city": "深圳", "model": "", "channel": "call_center"}

    first = client.post("/admin/leads/lead/add/", data)
    second = client.post("/admin/leads/lead/add/", {**data, "name": "陈"})

    lead = Lead.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == f"/admin/leads/lead/{lead.pk}/change/"
    assert (lead.name, lead.channel, lead.enquiries_count, lead.created_by, lead.store) == (
        "陈先生", "call_center", 2, cast.call_center, cast.store,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_bad_phone_in_the_admin_entry_is_shown_at_the_field(cast):
    response = _admin_client(cast.call_center).post(
        "/admin/leads/lead/add/", {"name": "陈", "phone": "123", "channel": "call_center"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert Lead.objects.count() == 0


@pytest.mark.django_db
def test_the_agent_records_a_contact_from_the_lead_s_page(cast):
    lead = services.enter_lead(actor=cast.call_center, name="陈", phone="13800138000", city="深圳").lead
    client = _admin_client(cast.call_center)
    due = timezone.localtime() + datetime.timedelta(days=2)

    response = client.post(
        f"/admin/leads/lead/{lead.pk}/contact/",
        {"outcome": "no_answer", "note": "没人接", "next_contact_at": due.strftime("%Y-%m-%d %H:%M")},
    )

    assert response.status_code == 302
    contact = LeadContact.objects.get()
    assert (contact.outcome, contact.note, contact.contacted_by) == ("no_answer", "没人接", cast.call_center)
    assert Lead.objects.get(pk=lead.pk).status == "unreached"
    assert Notification.objects.get().event == "lead.no_answer"
    assert Task.objects.get().kind == "lead_follow_up"
    page = client.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    assert "没人接" in page


@pytest.mark.django_db
def test_another_store_s_clerk_gets_not_found_for_the_contact_page(cast):
    lead = services.enter_lead(actor=cast.store_staff, name="陈", phone="13800138000", channel="store").lead

    response = _admin_client(cast.other_store_staff).post(
        f"/admin/leads/lead/{lead.pk}/contact/", {"outcome": "no_answer"}
    )

    assert response.status_code == 404
    assert LeadContact.objects.count() == 0


@pytest.mark.django_db
def test_the_distribute_action_shares_the_selected_leads_over_the_team(cast):
    team = LeadTeam.objects.create(name="电销", daily_cap_per_agent=5)
    LeadTeamAgent.objects.create(team=team, agent=cast.call_center)
    LeadTeamAgent.objects.create(team=team, agent=cast.head_office)
    leads = [
        services.submit_quick_lead(name=f"客户{index}", phone=f"1380013800{index}", ip=None).lead for index in range(3)
    ]
    client = _admin_client(cast.call_center, superuser=True)

    response = client.post(
        "/admin/leads/lead/",
        {"action": "distribute_over_team", "_selected_action": [lead.pk for lead in leads], "team": team.pk,
         "index": 0},
    )  # fmt: skip

    assert response.status_code == 302
    first_agent, second_agent = sorted([cast.call_center, cast.head_office], key=lambda user: user.pk)
    assert [Lead.objects.get(pk=lead.pk).assignee for lead in leads] == [first_agent, second_agent, first_agent]


@pytest.mark.django_db
def test_the_action_form_offers_a_manager_only_their_store_s_people(cast):
    client = _admin_client(cast.store_manager)

    response = client.get("/admin/leads/lead/")

    offered = set(response.context_data["action_form"].fields["assignee"].queryset)
    assert cast.store_staff in offered
    assert cast.other_store_staff not in offered
    assert cast.call_center not in offered


@pytest.mark.django_db
def test_only_head_office_imports_partner_files(cast):
    response = _admin_client(cast.store_manager).get("/admin/leads/lead/import/")

    assert response.status_code == 403


@pytest.mark.django_db
def test_the_roles_own_permissions_open_the_lead_screens(cast):
    def role_client(user):
        client = Client()
        client.force_login(user)
        return client

    agent, clerk, hq = role_client(cast.call_center), role_client(cast.store_staff), role_client(cast.head_office)
    lead = services.enter_lead(actor=cast.store_staff, name="陈", phone="13800138000", channel="store").lead

    assert agent.get("/admin/leads/lead/add/").status_code == 200
    assert clerk.get(f"/admin/leads/lead/{lead.pk}/contact/").status_code == 200
    assert clerk.get("/admin/leads/lead/import/").status_code == 403
    assert hq.get("/admin/leads/lead/import/").status_code == 200
    assert hq.get("/admin/leads/partnerapikey/add/").status_code == 200
    assert clerk.get("/admin/leads/partnerapikey/").status_code == 403
