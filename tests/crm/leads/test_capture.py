"""Capture: the public quick submit (API and page), call-center entry, one open lead per phone."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from crm.leads import services
from crm.leads.models import Lead, LeadEnquiry

QUICK = "/api/v1/leads/"


def _submit(client, phone="13800138000", name="张先生", **extra):
    return client.post(QUICK, {"name": name, "phone": phone, **extra}, format="json", REMOTE_ADDR="10.0.0.1")


@pytest.mark.django_db
def test_quick_submit_twice_with_the_same_phone_gives_one_lead_with_two_enquiries(api_client, store):
    first = _submit(api_client, city=store.city)
    second = _submit(api_client, phone="+86 138 0013 8000", name="张三")

    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()  # the same words for a new and a known phone
    lead = Lead.objects.get()
    assert (lead.phone, lead.name, lead.status, lead.channel, lead.enquiries_count) == (
        "+8613800138000", "张先生", "new", "web_quick_submit", 2,
    )  # fmt: skip
    assert lead.store == store  # the store of the lead's city
    assert list(lead.enquiries.values_list("channel", flat=True)) == ["web_quick_submit", "web_quick_submit"]


@pytest.mark.django_db
def test_a_malformed_phone_is_400_and_records_nothing(api_client):
    response = _submit(api_client, phone="12345")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_phone"
    assert "phone" in response.json()["fields"]
    assert Lead.objects.count() == LeadEnquiry.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_name_is_400(api_client):
    response = api_client.post(QUICK, {"phone": "13800138000"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["name"]
    assert Lead.objects.count() == 0


@pytest.mark.django_db
def test_quick_submits_are_limited_per_address(api_client, settings):
    settings.LEAD_SUBMITS_PER_IP_HOURLY = 2
    # Inside one clock hour (the window is the hour), whenever the test runs.
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 15, tzinfo=datetime.UTC), tick=False):
        assert _submit(api_client, phone="13800138001").status_code == 202
        assert _submit(api_client, phone="13800138002").status_code == 202

        refused = _submit(api_client, phone="13800138003")

        assert refused.status_code == 429
        assert refused.json()["code"] == "too_many_requests"
        assert sorted(Lead.objects.values_list("phone", flat=True)) == ["+8613800138001", "+8613800138002"]
        assert LeadEnquiry.objects.count() == 2
        other_address = APIClient().post(
            QUICK, {"name": "李", "phone": "13800138004"}, format="json", REMOTE_ADDR="10.0.0.2"
        )
        assert other_address.status_code == 202


@pytest.mark.django_db
def test_a_model_is_matched_to_the_catalog_or_kept_as_text(api_client, cast):
    car_model = cast.trim.car_model
    _submit(api_client, phone="13800138001", model=str(car_model.pk))
    _submit(api_client, phone="13800138002", model="某款新能源 SUV")

    assert Lead.objects.get(phone="+8613800138001").car_model == car_model
    free = Lead.objects.get(phone="+8613800138002")
    assert (free.car_model, free.model_text) == (None, "某款新能源 SUV")


@pytest.mark.django_db
def test_a_closed_lead_s_phone_opens_a_new_lead(api_client):
    _submit(api_client)
    Lead.objects.update(status="not_interested")

    _submit(api_client)

    assert sorted(Lead.objects.values_list("status", "enquiries_count")) == [("new", 1), ("not_interested", 1)]


@pytest.mark.django_db
def test_the_quick_submit_page_records_a_lead_and_thanks(client, cast):
    page = client.get(reverse("leads:quick-submit"))
    assert page.status_code == 200
    assert str(cast.trim.car_model) in page.content.decode()

    response = client.post(
        reverse("leads:quick-submit"), {"name": "王女士", "phone": "139 0013 9000", "city": "深圳", "model": ""}
    )

    assert response.status_code == 302
    assert response.url == reverse("leads:quick-submit-done")
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.store) == ("王女士", "+8613900139000", cast.store)


@pytest.mark.django_db
def test_the_page_shows_a_bad_phone_next_to_the_field(client, db):
    response = client.post(reverse("leads:quick-submit"), {"name": "王女士", "phone": "12"})

    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert Lead.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_racing_enquiries_for_a_new_phone_give_one_lead():
    barrier = threading.Barrier(4)
    errors = []

    def enquire(index):
        try:
            barrier.wait()
            services.submit_quick_lead(name=f"客户{index}", phone="13800138000", ip=None)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=enquire, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    lead = Lead.objects.get()
    assert lead.enquiries_count == 4
    assert lead.enquiries.count() == 4


@pytest.mark.django_db
def test_call_center_entry_adds_an_enquiry_to_an_open_lead(agent_client, api_client):
    _submit(api_client)

    response = agent_client.post(
        "/api/v1/backoffice/leads/", {"name": "张先生", "phone": "13800138000", "channel": "call_center"}, format="json"
    )

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert response.json()["id"] == lead.pk
    assert response.json()["enquiries"] == 2
    assert list(lead.enquiries.values_list("channel", flat=True)) == ["web_quick_submit", "call_center"]


@pytest.mark.django_db
def test_a_store_clerk_s_entry_belongs_to_their_store(cast):
    from tests.crm.leads.conftest import staff_client

    response = staff_client(cast.other_store_staff).post(
        "/api/v1/backoffice/leads/", {"name": "到店客户", "phone": "13800138000", "channel": "store"}, format="json"
    )

    assert response.status_code == 201
    assert Lead.objects.get().store == cast.other_store
