"""The back office's leads: scoped to the store for store roles (another store's lead is "not found"), the phone
masked for them, search by phone with or without +86 and by name, and a list whose queries do not grow with it."""

import pytest

from crm.leads import services
from tests.crm.leads.conftest import staff_client

LIST = "/api/v1/backoffice/leads/"


@pytest.fixture
def two_leads(cast):
    in_a = services.submit_quick_lead(name="深圳客户", phone="13800138001", city="深圳", ip=None).lead
    in_b = services.submit_quick_lead(name="广州客户", phone="13800138002", city="广州", ip=None).lead
    assert (in_a.store, in_b.store) == (cast.store, cast.other_store)
    return in_a, in_b


@pytest.mark.django_db
def test_a_clerk_sees_their_store_s_leads_masked(cast, two_leads):
    in_a, in_b = two_leads
    client = staff_client(cast.store_staff)

    listed = client.get(LIST).json()["results"]
    detail = client.get(f"{LIST}{in_a.pk}/")

    assert [(row["id"], row["phone"]) for row in listed] == [(in_a.pk, "138****8001")]
    assert detail.status_code == 200
    assert detail.json()["phone"] == "138****8001"
    assert client.get(f"{LIST}{in_b.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_call_center_sees_every_lead_with_the_number(cast, two_leads):
    in_a, in_b = two_leads

    listed = staff_client(cast.call_center).get(LIST).json()["results"]

    assert sorted((row["id"], row["phone"]) for row in listed) == [
        (in_a.pk, "+8613800138001"),
        (in_b.pk, "+8613800138002"),
    ]


@pytest.mark.django_db
def test_the_detail_has_the_contract_s_fields(cast, two_leads):
    in_a, _in_b = two_leads
    services.record_contact(lead_id=in_a.pk, actor=cast.call_center, outcome="busy", note="占线")

    body = staff_client(cast.call_center).get(f"{LIST}{in_a.pk}/").json()

    shown = ("id", "name", "phone", "status", "channel", "enquiries", "assignee", "member")
    assert {key: body[key] for key in shown} == {
        "id": in_a.pk, "name": "深圳客户", "phone": "+8613800138001", "status": "unreached",
        "channel": "web_quick_submit", "enquiries": 1, "assignee": None, "member": None,
    }  # fmt: skip
    assert [(c["outcome"], c["note"], c["by"]) for c in body["contacts"]] == [("busy", "占线", "agent")]


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["13800138001", "+8613800138001", "+86 138 0013 8001", "0138001", "深圳"])
def test_search_by_phone_with_or_without_the_country_code_and_by_name(cast, two_leads, q):
    in_a, _in_b = two_leads

    listed = staff_client(cast.call_center).get(LIST, {"q": q}).json()["results"]

    assert [row["id"] for row in listed] == [in_a.pk]


@pytest.mark.django_db
def test_filters_status_and_assignee_me(cast, two_leads):
    in_a, in_b = two_leads
    services.assign_lead(lead_id=in_b.pk, actor=cast.call_center, assignee=cast.call_center)
    services.record_contact(lead_id=in_a.pk, actor=cast.call_center, outcome="reached_interested")
    client = staff_client(cast.call_center)

    assert [row["id"] for row in client.get(LIST, {"assignee": "me"}).json()["results"]] == [in_b.pk]
    assert [row["id"] for row in client.get(LIST, {"status": "interested"}).json()["results"]] == [in_a.pk]
    assert client.get(LIST, {"status": "nonsense"}).status_code == 400


@pytest.mark.django_db
def test_a_member_cannot_read_the_staff_list(member_client, cast, two_leads):
    assert member_client.get(LIST).status_code == 403


def _many_leads(count: int, start: int, cast) -> None:
    for index in range(start, start + count):
        lead = services.submit_quick_lead(name=f"客户{index}", phone=f"1390013{index:04d}", city="深圳", ip=None).lead
        services.assign_lead(lead_id=lead.pk, actor=cast.call_center, assignee=cast.store_staff)


@pytest.mark.django_db
def test_the_staff_list_takes_the_same_queries_for_n_and_3n_leads(cast, django_assert_num_queries):
    client = staff_client(cast.store_staff)
    _many_leads(3, 0, cast)
    # The token with its account, the page's count, its rows (assignee and store joined): whatever the length.
    with django_assert_num_queries(3):
        assert len(client.get(LIST).json()["results"]) == 3
    _many_leads(6, 3, cast)
    with django_assert_num_queries(3):
        assert len(client.get(LIST).json()["results"]) == 9
