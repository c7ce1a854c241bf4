"""The dealer-system exchange: matched by phone and VIN, idempotent, unknown VINs reported, a report per run."""

import datetime
import json
from decimal import Decimal

import pytest

from dealer_exchange.models import DealerImportRun
from dealer_exchange.services import apply_dealer_export, issue_dealer_key, scan_export_folder
from members.models import Member
from points.models import PointsEntry
from tests.members.factories import MemberFactory
from tests.vehicles.factories import OwnedVehicleFactory
from vehicles.models import Inspection, InsurancePolicy, ServiceRecord

pytestmark = pytest.mark.django_db

URL = "/api/v1/dealer/exports/"


@pytest.fixture
def car():
    member = MemberFactory(user__phone="+8613800138001", name="")
    return OwnedVehicleFactory(member=member, vin="LGBH52E05PY000001", plate="粤B·12345",
                               delivered_on=datetime.date(2023, 4, 1), mileage_km=8000)  # fmt: skip


def _export(car):
    return {
        "customers": [
            {"phone": "13800138001", "name": "王经理", "city": "深圳"},
            {"phone": "13900139002", "name": "李女士"},
            {"phone": "12345", "name": "号码不对"},
        ],
        "cars": [
            {"vin": car.vin, "phone": "13800138001", "plate": "粤B·D8888", "mileage_km": "15000"},
            {"vin": car.vin, "phone": "13700137000", "plate": "粤B·00001"},
        ],
        "service_records": [
            {"dealer_reference": "WO-2024-001", "vin": car.vin, "serviced_on": "2024-04-02", "mileage_km": "15000",
             "description": "一年保养", "is_maintenance": "1", "customer_amount": "680.00",
             "insurance_amount": "0", "manufacturer_amount": "120.00", "internal_amount": "0"},
            {"dealer_reference": "WO-2024-002", "vin": "LUNKNOWN000000000", "serviced_on": "2024-04-02",
             "mileage_km": "30000", "description": "保养", "is_maintenance": "1", "customer_amount": "500"},
        ],
        "insurance_policies": [
            {"vin": car.vin, "insurer": "平安保险", "policy_number": "PDAA2024001", "starts_on": "2024-04-01",
             "ends_on": "2025-04-01", "premium": "4380.00"},
        ],
        "inspections": [{"vin": car.vin, "inspected_on": "2024-04-03", "result": "passed"}],
    }  # fmt: skip


def _state():
    return (
        Member.objects.count(), ServiceRecord.objects.count(), InsurancePolicy.objects.count(),
        Inspection.objects.count(), PointsEntry.objects.count(),
        list(Member.objects.order_by("pk").values_list("name", "city")),
    )  # fmt: skip


def test_an_export_creates_updates_and_refuses_with_a_report(car, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = apply_dealer_export(export=_export(car), source="command", reference="dms-2024-04-03.json")
    car.refresh_from_db()
    assert (run.created, run.updated, run.unchanged, run.refused) == (4, 2, 0, 3)
    assert run.report["customers"] == {"updated": 1, "created": 1, "refused": 1}
    assert car.member.name == "王经理"
    assert Member.objects.filter(user__phone="+8613900139002", channel="store").exists()
    assert (car.plate, car.mileage_km) == ("粤B·D8888", 15000)
    assert car.insurance_due_on == datetime.date(2025, 4, 1)
    assert car.service_records.get().dealer_reference == "WO-2024-001"
    # Spend by payer type feeds the points rule, as any visit does.
    assert PointsEntry.objects.filter(source="service_record:WO-2024-001", points__gt=0).exists()
    reasons = {(item["section"], item["row"]): item["reason"] for item in run.report["refusals"]}
    assert set(reasons) == {("customers", 3), ("cars", 2), ("service_records", 2)}
    assert reasons[("service_records", 2)] == "系统中没有此车架号的车辆；未匹配到其他车辆。"


def test_the_same_export_twice_changes_nothing(car, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        apply_dealer_export(export=_export(car), source="command", reference="first")
    before = _state()
    assert before[4] > 0  # the first run earned points
    with django_capture_on_commit_callbacks(execute=True):
        again = apply_dealer_export(export=_export(car), source="command", reference="again")
    assert _state() == before
    assert (again.created, again.updated, again.refused) == (0, 0, 3)
    assert again.unchanged == 6


def test_a_row_for_an_unknown_vin_is_reported_not_guessed(car):
    export = {"service_records": [
        {"dealer_reference": "WO-X", "vin": car.vin[:-1] + "9", "serviced_on": "2024-04-02", "mileage_km": "9000",
         "description": "保养", "is_maintenance": "1", "customer_amount": "300"},
    ]}  # fmt: skip
    run = apply_dealer_export(export=export, source="api", reference="x")
    assert run.refused == 1
    assert run.report["refusals"][0]["key"] == "WO-X"
    assert ServiceRecord.objects.count() == 0


def test_the_api_needs_a_dealer_key(api_client, car):
    body = {"export_id": "dms-42", **_export(car)}
    assert api_client.post(URL, body, format="json").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="Api-Key wrong")
    assert api_client.post(URL, body, format="json").status_code == 401
    _row, raw_key = issue_dealer_key(label="DMS")
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 201
    assert (response.json()["created"], response.json()["refused"]) == (4, 3)
    assert DealerImportRun.objects.get().source == "api"


def test_the_export_folder_is_scanned_and_each_file_moved_once(tmp_path, car):
    (tmp_path / "a.json").write_text(json.dumps(_export(car), ensure_ascii=False), encoding="utf-8")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    runs = scan_export_folder(directory=str(tmp_path))
    assert [run.reference for run in runs] == ["a.json"]
    assert len(list((tmp_path / "done").iterdir())) == 1
    assert len(list((tmp_path / "failed").iterdir())) == 1
    assert scan_export_folder(directory=str(tmp_path)) == []
    assert ServiceRecord.objects.get().customer_amount == Decimal("680.00")
