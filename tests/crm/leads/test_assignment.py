"""Assignment: by hand (managers within their store, head office anyone), or round-robin over a team's agents with
a daily cap per agent — fair, capped, and safe when two assignments run at once."""

import threading

import pytest
from django.db import connection

from crm.leads import services
from crm.leads.exceptions import TeamFull
from crm.leads.models import Lead, LeadAssignment, LeadTeam, LeadTeamAgent
from tests.crm.leads.conftest import staff_client
from tests.members.factories import StaffFactory


def _leads(count: int) -> list[Lead]:
    return [
        services.submit_quick_lead(name=f"客户{index}", phone=f"138001380{index:02d}", ip=None).lead
        for index in range(count)
    ]


@pytest.fixture
def team(db):
    team = LeadTeam.objects.create(name="电销一组", daily_cap_per_agent=2)
    agents = [StaffFactory(username=f"agent{index}", role="call_center") for index in range(3)]
    for agent in agents:
        LeadTeamAgent.objects.create(team=team, agent=agent)
    return team, agents


@pytest.mark.django_db
def test_round_robin_takes_turns_and_stops_at_the_daily_cap(team):
    team, agents = team
    leads = _leads(7)

    for lead in leads[:6]:
        services.assign_round_robin(lead_id=lead.pk, team_id=team.pk)
    with pytest.raises(TeamFull) as full:
        services.assign_round_robin(lead_id=leads[6].pk, team_id=team.pk)

    assert full.value.code == "team_full"
    assigned = [Lead.objects.get(pk=lead.pk).assignee for lead in leads]
    assert assigned == [agents[0], agents[1], agents[2], agents[0], agents[1], agents[2], None]
    assert LeadAssignment.objects.count() == 6


@pytest.mark.django_db
def test_an_agent_at_the_cap_is_skipped_and_an_inactive_one_gets_nothing(team):
    team, agents = team
    LeadTeamAgent.objects.filter(agent=agents[1]).update(is_active=False)
    leads = _leads(4)

    for lead in leads:
        services.assign_round_robin(lead_id=lead.pk, team_id=team.pk)

    assert [Lead.objects.get(pk=lead.pk).assignee for lead in leads] == [agents[0], agents[2], agents[0], agents[2]]


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_never_pass_the_cap():
    team = LeadTeam.objects.create(name="并发组", daily_cap_per_agent=1)
    agents = [StaffFactory(username=f"busy{index}", role="call_center") for index in range(2)]
    for agent in agents:
        LeadTeamAgent.objects.create(team=team, agent=agent)
    leads = _leads(4)
    barrier = threading.Barrier(4)
    outcomes = []

    def assign(lead_id):
        try:
            barrier.wait()
            services.assign_round_robin(lead_id=lead_id, team_id=team.pk)
            outcomes.append("assigned")
        except Exception as error:  # noqa: BLE001
            outcomes.append(getattr(error, "code", repr(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(lead.pk,)) for lead in leads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["assigned", "assigned", "team_full", "team_full"]
    assert sorted(Lead.objects.exclude(assignee=None).values_list("assignee", flat=True)) == sorted(
        agent.pk for agent in agents
    )


@pytest.mark.django_db
def test_a_store_team_s_lead_moves_to_its_store(cast):
    team = LeadTeam.objects.create(name="广州门店", store=cast.other_store)
    LeadTeamAgent.objects.create(team=team, agent=cast.other_store_staff)
    [lead] = _leads(1)

    services.assign_round_robin(lead_id=lead.pk, team_id=team.pk)

    lead.refresh_from_db()
    assert (lead.assignee, lead.store, lead.team) == (cast.other_store_staff, cast.other_store, team)


@pytest.mark.django_db
def test_head_office_assigns_through_the_api(cast):
    lead = services.submit_quick_lead(name="张", phone="13800138000", city="深圳", ip=None).lead

    response = staff_client(cast.call_center).post(
        f"/api/v1/backoffice/leads/{lead.pk}/assign/", {"assignee": cast.store_staff.username}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["assignee"] == cast.store_staff.username
    assert Lead.objects.get(pk=lead.pk).assignee == cast.store_staff


@pytest.mark.django_db
def test_a_clerk_may_not_assign(cast):
    lead = services.submit_quick_lead(name="张", phone="13800138000", city="深圳", ip=None).lead

    response = staff_client(cast.store_staff).post(
        f"/api/v1/backoffice/leads/{lead.pk}/assign/", {"assignee": cast.store_staff.username}, format="json"
    )

    assert response.status_code == 403
    assert Lead.objects.get(pk=lead.pk).assignee is None
    assert LeadAssignment.objects.count() == 0


@pytest.mark.django_db
def test_a_manager_may_not_hand_a_lead_to_another_store(cast):
    lead = services.submit_quick_lead(name="张", phone="13800138000", city="深圳", ip=None).lead

    response = staff_client(cast.store_manager).post(
        f"/api/v1/backoffice/leads/{lead.pk}/assign/", {"assignee": cast.other_store_staff.username}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_assignee"
    assert Lead.objects.get(pk=lead.pk).assignee is None


@pytest.mark.django_db
def test_the_api_sends_a_lead_to_a_team(cast, team):
    team, agents = team
    lead = services.submit_quick_lead(name="张", phone="13800138000", ip=None).lead

    response = staff_client(cast.call_center).post(
        f"/api/v1/backoffice/leads/{lead.pk}/assign/", {"team": team.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["assignee"] == agents[0].username
