"""Partners: the API key (required, revoked refused, only its hash stored), external ids, the file upload."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from crm.leads import services
from crm.leads.models import Lead, LeadEnquiry, PartnerApiKey

URL = "/api/v1/partner/leads/"
BODY = {"name": "刘先生", "phone": "13800138000", "city": "深圳", "external_id": "AH-1001"}


def _client(key: str | None) -> APIClient:
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.mark.django_db
def test_the_same_external_id_gives_201_then_200_and_the_same_lead(partner, partner_key):
    first = _client(partner_key).post(URL, BODY, format="json")
    again = _client(partner_key).post(URL, {**BODY, "name": "刘"}, format="json")

    lead = Lead.objects.get()
    assert (first.status_code, first.json()) == (201, {"id": lead.pk, "status": "new"})
    assert (again.status_code, again.json()) == (200, {"id": lead.pk, "status": "new"})
    assert (lead.channel, lead.partner, lead.enquiries_count, lead.name) == ("partner", partner, 1, "刘先生")
    assert LeadEnquiry.objects.get().external_id == "AH-1001"


@pytest.mark.django_db
def test_a_new_external_id_for_an_open_lead_is_a_second_enquiry(partner, partner_key, api_client):
    api_client.post("/api/v1/leads/", {"name": "刘", "phone": "13800138000"}, format="json")

    response = _client(partner_key).post(URL, BODY, format="json")

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert response.json()["id"] == lead.pk
    assert list(lead.enquiries.values_list("channel", "partner")) == [
        ("web_quick_submit", None),
        ("partner", partner.pk),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "status", "code"),
    [(None, 401, "not_authenticated"), ("Api-Key nonsense", 401, "authentication_failed"),
     ("Bearer nonsense", 401, "not_authenticated")],
)  # fmt: skip
def test_a_missing_or_unknown_key_is_401(partner_key, header, status, code):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)

    response = client.post(URL, BODY, format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"] == "Api-Key"
    assert Lead.objects.count() == 0


@pytest.mark.django_db
def test_a_revoked_key_is_403_and_records_nothing(partner, partner_key):
    key_row = PartnerApiKey.objects.get()
    assert services.revoke_partner_key(key_id=key_row.pk) == 1

    response = _client(partner_key).post(URL, BODY, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "api_key_revoked"
    assert Lead.objects.count() == 0


@pytest.mark.django_db
def test_only_the_key_s_hash_is_stored(partner_key):
    row = PartnerApiKey.objects.get()
    assert partner_key not in (row.key_hash, row.prefix, row.label)
    assert row.key_hash == services.key_hash(partner_key)
    assert partner_key.startswith(row.prefix)


@pytest.mark.django_db
def test_head_office_issues_a_key_in_the_admin_and_sees_it_once(cast, partner):
    client = Client()
    client.force_login(cast.head_office)
    cast.head_office.is_superuser = True
    cast.head_office.save()

    response = client.post("/admin/leads/partnerapikey/add/", {"partner": partner.pk, "label": "测试"}, follow=True)

    assert response.status_code == 200
    row = PartnerApiKey.objects.get()
    words = [word for message in response.context["messages"] for word in str(message).split()]
    [raw_key] = [word for word in words if word.startswith("pk_") and len(word) > 40]
    assert services.key_hash(raw_key) == row.key_hash
    page = client.get(f"/admin/leads/partnerapikey/{row.pk}/change/").content.decode()
    assert raw_key not in page


def _upload(client, partner, name, content):
    return client.post("/admin/leads/lead/import/", {"partner": partner.pk, "file": SimpleUploadedFile(name, content)})


@pytest.fixture
def hq_admin(cast):
    cast.head_office.is_superuser = True
    cast.head_office.save()
    client = Client()
    client.force_login(cast.head_office)
    return client


@pytest.mark.django_db
def test_a_good_partner_file_imports_every_row(hq_admin, partner):
    csv = "name,phone,city,model,external_id\n张一,13800138001,深圳,,F-1\n张二,13800138002,广州,某车,F-2\n".encode()

    response = _upload(hq_admin, partner, "leads.csv", csv)

    assert response.status_code == 302
    assert sorted(Lead.objects.values_list("phone", "channel", "partner")) == [
        ("+8613800138001", "partner", partner.pk), ("+8613800138002", "partner", partner.pk),
    ]  # fmt: skip
    # The same file again changes nothing: the external ids are known.
    assert _upload(hq_admin, partner, "leads.csv", csv).status_code == 302
    assert LeadEnquiry.objects.count() == 2


@pytest.mark.django_db
def test_a_bad_partner_file_is_rejected_whole_and_names_each_bad_row(hq_admin, partner):
    csv = ("name,phone,city,model,external_id\n张一,13800138001,深圳,,F-1\n,13800138002,,,F-2\n"
           "张三,123,,,F-3\n张四,13800138004,,,F-1\n").encode()  # fmt: skip

    response = _upload(hq_admin, partner, "leads.csv", csv)

    assert response.status_code == 200
    assert response.context["row_errors"] == [(3, "缺少姓名"), (4, "手机号无效"), (5, "external_id 与第 2 行重复")]
    page = response.content.decode()
    assert "缺少姓名" in page
    assert "external_id 与第 2 行重复" in page
    assert Lead.objects.count() == LeadEnquiry.objects.count() == 0


@pytest.mark.django_db
def test_an_excel_partner_file_is_read_too(hq_admin, partner):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "phone", "external_id"])
    sheet.append(["王五", "13800138005", "X-1"])
    buffer = io.BytesIO()
    book.save(buffer)

    response = _upload(hq_admin, partner, "leads.xlsx", buffer.getvalue())

    assert response.status_code == 302
    assert Lead.objects.get().phone == "+8613800138005"


@pytest.mark.django_db
def test_a_file_that_is_not_a_table_is_refused(hq_admin, partner):
    response = _upload(hq_admin, partner, "leads.csv", b"just some text\n")

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert Lead.objects.count() == 0
