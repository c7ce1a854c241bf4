"""Importing a dealer-system export of service records: all or nothing, per-row errors, points for the spend."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from points.models import PointsEntry
from vehicles.models import OwnedVehicle, ServiceRecord

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "dealer_reference,vin,serviced_on,mileage_km,description,is_maintenance,customer_amount,insurance_amount,manufacturer_amount,internal_amount\n"  # noqa: E501


@pytest.fixture
def car(cast):
    cast.advance(cast.new_order(), "delivered")
    return OwnedVehicle.objects.get()


def write(tmp_path, rows, name="export.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return str(path)


def test_a_clean_file_imports_moves_the_next_service_and_earns_points(car, tmp_path, capsys):
    path = write(tmp_path, [
        f"WO-1,{car.vin},2027-05-20,5100,首次保养,1,200.50,0,0,0\n",
        f"WO-2,{car.vin},2027-08-02,9800,更换雨刮,0,100,800,60,300\n",
    ])  # fmt: skip
    call_command("import_service_records", path)
    assert "Imported 2 new" in capsys.readouterr().out
    car.refresh_from_db()
    assert (car.next_service_on.isoformat(), car.next_service_km, car.mileage_km) == ("2028-05-20", 15100, 9800)
    points = dict(PointsEntry.objects.filter(rule__event="service_spend").values_list("source", "points"))
    # 200.50 × 1 → 200; 100 × 1 + 800 × 0.5 + 60 × 0.1 + 300 × 0 = 506
    assert points == {"service_record:WO-1": 200, "service_record:WO-2": 506}


def test_importing_the_same_file_again_adds_nothing(car, tmp_path):
    path = write(tmp_path, [f"WO-1,{car.vin},2027-05-20,5100,首次保养,1,200,0,0,0\n"])
    call_command("import_service_records", path)
    call_command("import_service_records", path)
    assert ServiceRecord.objects.count() == 1
    assert PointsEntry.objects.filter(rule__event="service_spend").count() == 1


def test_one_bad_row_rolls_back_the_whole_file_and_every_error_is_reported(car, tmp_path, capsys):
    path = write(tmp_path, [
        f"WO-1,{car.vin},2027-05-20,5100,首次保养,1,200,0,0,0\n",
        "WO-2,LUNKNOWNVIN000000,2027-05-21,100,洗车,0,10,0,0,0\n",
        f"WO-3,{car.vin},not-a-date,5200,检查,0,-5,0,0,0\n",
    ])  # fmt: skip
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_service_records", path)
    errors = capsys.readouterr().err
    # Line numbers are the file's: the header is line 1.
    assert "line 3: vin: No car with this VIN is registered." in errors
    assert "line 4: customer_amount: Amounts cannot be negative." in errors
    assert not ServiceRecord.objects.exists()
    assert not PointsEntry.objects.filter(rule__event="service_spend").exists()


def test_a_file_that_is_not_csv_or_excel_is_refused(tmp_path):
    path = tmp_path / "export.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError):
        call_command("import_service_records", str(path))
    assert not ServiceRecord.objects.exists()
    assert not PointsEntry.objects.exists()


def test_excel_files_import_too(car, tmp_path):
    import tablib

    dataset = tablib.Dataset(headers=HEADER.strip().split(","))
    dataset.append(["WO-9", car.vin, "2027-05-20", 5100, "首次保养", 1, "88", "0", "0", "0"])
    path = tmp_path / "export.xlsx"
    path.write_bytes(dataset.export("xlsx"))
    call_command("import_service_records", str(path))
    assert ServiceRecord.objects.get().customer_amount == Decimal("88.00")


def test_a_visit_added_in_the_admin_is_recorded_like_an_imported_one(car, cast):
    cast.head_office.is_superuser = True
    cast.head_office.save()
    client = Client()
    client.force_login(cast.head_office)
    form = {
        "vehicle": car.pk, "dealer_reference": "WO-9", "serviced_on": "2027-05-20", "mileage_km": "5100",
        "description": "首次保养", "is_maintenance": "on", "customer_amount": "200.50", "insurance_amount": "0",
        "manufacturer_amount": "0", "internal_amount": "0", "tyres_replaced": "on",
    }  # fmt: skip

    response = client.post("/admin/vehicles/servicerecord/add/", form)

    record = ServiceRecord.objects.get()
    assert response.status_code == 302
    assert record.dealer_reference == "WO-9"
    car.refresh_from_db()
    assert (car.next_service_on.isoformat(), car.next_service_km, car.last_service_on.isoformat()) == (
        "2028-05-20",
        15100,
        "2027-05-20",
    )
    assert car.tyres_due_on is not None
    points = dict(PointsEntry.objects.filter(rule__event="service_spend").values_list("source", "points"))
    assert points == {"service_record:WO-9": 200}
