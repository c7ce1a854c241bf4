"""The dealer-system (DMS) exchange: an export of customers, cars, service records, insurance policies and
inspections — a JSON file dropped in the export folder or posted to the API — applied row by row.

Customers are matched by phone, everything else by VIN. A VIN we do not know is refused and reported, never
matched to some other car; a car whose owner has another phone here is refused too. Every row is applied in its own
savepoint through the owning app's service, so the same export twice changes nothing (service records by their
dealer reference, policies by insurer and number, inspections by car, day and result) and service spend earns
points by payer type exactly as any visit does. Each export leaves a ``DealerImportRun`` with its report.
"""

import datetime
import hashlib
import json
import logging
import secrets
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import DomainError
from dealer_exchange.models import DealerApiKey, DealerImportRun, ImportSource
from members import selectors as member_selectors
from members import services as member_services
from members.enums import Channel
from members.phones import normalize_mobile_number
from vehicles import selectors as vehicle_selectors
from vehicles import services as vehicle_services
from vehicles.enums import InspectionResult, RecordSource

logger = logging.getLogger(__name__)

SECTIONS = ("customers", "cars", "service_records", "insurance_policies", "inspections")
AMOUNT_FIELDS = ("customer_amount", "insurance_amount", "manufacturer_amount", "internal_amount")
MAX_ROWS = 20_000


class RowRefused(Exception):
    """A row that is reported and skipped; its message says why (shown to staff in the run's report)."""


def key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def issue_dealer_key(*, label: str) -> tuple[DealerApiKey, str]:
    """A new key: returns the row and the key, which is shown this once and stored only hashed."""
    raw_key = f"dms_{secrets.token_urlsafe(32)}"
    row = DealerApiKey.objects.create(label=label[:100], prefix=raw_key[:10], key_hash=key_hash(raw_key))
    return row, raw_key


def dealer_key_is_valid(*, raw_key: str) -> bool:
    return DealerApiKey.objects.filter(key_hash=key_hash(raw_key.strip()), revoked_at__isnull=True).exists()


# --- reading the values of a row --------------------------------------------------------------------------------


def _text(row: dict, name: str, *, required: bool = True, max_length: int = 200) -> str:
    value = str(row.get(name) or "").strip()
    if required and not value:
        raise RowRefused(_("%(field)s is missing.") % {"field": name})
    return value[:max_length]


def _date(row: dict, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(row.get(name) or "").strip())
    except ValueError:
        raise RowRefused(_("%(field)s is not a date (YYYY-MM-DD).") % {"field": name}) from None


def _whole_number(row: dict, name: str, *, required: bool = True) -> int | None:
    raw = str(row.get(name) if row.get(name) is not None else "").strip()
    if not raw and not required:
        return None
    if not raw.isdigit() or int(raw) > 2_000_000:
        raise RowRefused(_("%(field)s is not a whole number.") % {"field": name})
    return int(raw)


def _amount(row: dict, name: str) -> Decimal:
    try:
        value = Decimal(str(row.get(name) or "0").strip())
    except InvalidOperation:
        raise RowRefused(_("%(field)s is not an amount.") % {"field": name}) from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e8"):
        raise RowRefused(_("%(field)s is not an amount.") % {"field": name})
    return value.quantize(Decimal("0.01"))


def _flag(row: dict, name: str) -> bool:
    return str(row.get(name) or "").strip().lower() in ("1", "true", "yes", "y")


def _known_vehicle(row: dict):
    vin = _text(row, "vin", max_length=17).upper()
    vehicle = vehicle_selectors.get_vehicle_by_vin(vin=vin)
    if vehicle is None:
        raise RowRefused(_("No car with this VIN is registered here; it was not matched to any other car."))
    return vehicle


# --- one row of each section: returns "created", "updated" or "unchanged" ----------------------------------------


def _apply_customer(row: dict) -> str:
    try:
        phone = normalize_mobile_number(_text(row, "phone", max_length=32))
    except DomainError:
        raise RowRefused(_("The phone number is not a valid mobile number.")) from None
    name, city = _text(row, "name", required=False, max_length=50), _text(row, "city", required=False, max_length=50)
    member = member_selectors.get_member_by_phone(phone=phone)
    outcome = "unchanged"
    if member is None:
        member = member_services.register_member(phone=phone, channel=Channel.STORE)
        outcome = "created"
    # The dealer system fills gaps; what the member wrote in their own profile stays theirs.
    changes = {
        field: value for field, value in (("name", name), ("city", city)) if value and not getattr(member, field)
    }
    if changes:
        member_services.update_member_profile(member=member, **changes)
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def _apply_car(row: dict) -> str:
    vehicle = _known_vehicle(row)
    phone = _text(row, "phone", required=False, max_length=32)
    if phone:
        try:
            phone = normalize_mobile_number(phone)
        except DomainError:
            raise RowRefused(_("The phone number is not a valid mobile number.")) from None
        if str(vehicle.member.user.phone) != phone:
            raise RowRefused(_("This car belongs to a member with another phone number here; it was not changed."))
    changed = vehicle_services.sync_vehicle_details(
        vehicle_id=vehicle.pk, plate=_text(row, "plate", required=False, max_length=12),
        mileage_km=_whole_number(row, "mileage_km", required=False),
    )  # fmt: skip
    return "updated" if changed else "unchanged"


def _apply_service_record(row: dict) -> str:
    reference = _text(row, "dealer_reference", max_length=50)
    vehicle = _known_vehicle(row)
    existing = vehicle_selectors.find_service_record(dealer_reference=reference)
    if existing is not None:
        if existing.vehicle_id != vehicle.pk:
            raise RowRefused(_("This work order number is already recorded for another car."))
        return "unchanged"
    vehicle_services.record_service_visit(
        vehicle_id=vehicle.pk, dealer_reference=reference, serviced_on=_date(row, "serviced_on"),
        mileage_km=_whole_number(row, "mileage_km"), description=_text(row, "description"),
        is_maintenance=_flag(row, "is_maintenance"), amounts={name: _amount(row, name) for name in AMOUNT_FIELDS},
        tyres_replaced=_flag(row, "tyres_replaced"),
    )  # fmt: skip
    return "created"


def _apply_insurance_policy(row: dict) -> str:
    vehicle = _known_vehicle(row)
    insurer, number = _text(row, "insurer", max_length=100), _text(row, "policy_number", max_length=50)
    existed = vehicle_selectors.has_insurance_policy(insurer=insurer, policy_number=number)
    premium = _amount(row, "premium") if row.get("premium") not in (None, "") else None
    vehicle_services.record_insurance_policy(
        vehicle_id=vehicle.pk, insurer=insurer, policy_number=number, starts_on=_date(row, "starts_on"),
        ends_on=_date(row, "ends_on"), premium=premium, source=RecordSource.DEALER_SYSTEM,
    )  # fmt: skip
    return "unchanged" if existed else "created"


def _apply_inspection(row: dict) -> str:
    vehicle = _known_vehicle(row)
    inspected_on = _date(row, "inspected_on")
    result = _text(row, "result", max_length=10).lower()
    if result not in InspectionResult.values:
        raise RowRefused(_("result must be passed or failed."))
    if vehicle_selectors.has_inspection(vehicle_id=vehicle.pk, inspected_on=inspected_on, result=result):
        return "unchanged"
    vehicle_services.record_inspection(
        vehicle_id=vehicle.pk, inspected_on=inspected_on, result=result, source=RecordSource.DEALER_SYSTEM,
        station=_text(row, "station", required=False, max_length=100),
    )  # fmt: skip
    return "created"


APPLY = {
    "customers": _apply_customer,
    "cars": _apply_car,
    "service_records": _apply_service_record,
    "insurance_policies": _apply_insurance_policy,
    "inspections": _apply_inspection,
}


def _apply_row(section: str, row) -> str:
    if not isinstance(row, dict):
        raise RowRefused(_("The row is not an object."))
    with transaction.atomic():
        return APPLY[section](row)


def _row_key(row: dict) -> str:
    return str(row.get("dealer_reference") or row.get("policy_number") or row.get("vin") or row.get("phone") or "")[:50]


def apply_dealer_export(*, export: dict, source: str, reference: str, checksum: str = "") -> DealerImportRun:
    """Apply an export ``{"customers": [...], "cars": [...], "service_records": [...], "insurance_policies": [...],
    "inspections": [...]}`` (sections may be left out) and store the run with its report."""
    if not isinstance(export, dict) or not any(isinstance(export.get(section), list) for section in SECTIONS):
        raise ValueError("The export has none of the sections " + ", ".join(SECTIONS))
    if sum(len(export.get(section) or []) for section in SECTIONS) > MAX_ROWS:
        raise ValueError(f"An export has at most {MAX_ROWS} rows; split it.")
    totals, report, refusals = Counter(), {}, []
    for section in SECTIONS:
        counts = Counter()
        for index, row in enumerate(export.get(section) or [], start=1):
            try:
                outcome = _apply_row(section, row)
            except (RowRefused, DomainError) as error:
                outcome = "refused"
                reason = str(error.message) if isinstance(error, DomainError) else str(error)
                key = _row_key(row) if isinstance(row, dict) else ""
                refusals.append({"section": section, "row": index, "key": key, "reason": reason})
            counts[outcome] += 1
        report[section] = dict(counts)
        totals.update(counts)
    report["refusals"] = refusals
    run = DealerImportRun.objects.create(
        source=source, reference=reference[:200], checksum=checksum, created=totals["created"],
        updated=totals["updated"], unchanged=totals["unchanged"], refused=totals["refused"], report=report,
    )  # fmt: skip
    logger.info("dealer export applied", extra={"run_id": run.pk, **{k: totals[k] for k in ("created", "refused")}})
    return run


def apply_dealer_export_bytes(*, content: bytes, source: str, reference: str) -> DealerImportRun:
    try:
        export = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"Not a JSON export: {error}") from error
    return apply_dealer_export(
        export=export, source=source, reference=reference, checksum=hashlib.sha256(content).hexdigest()
    )


def scan_export_folder(*, directory: str) -> list[DealerImportRun]:
    """Apply every ``*.json`` export in the folder, oldest first, and move each to ``done/`` (or ``failed/`` when it
    cannot be read), so the next scan does not see it again. Safe to run twice: a file applied twice changes
    nothing."""
    folder = Path(directory)
    if not directory or not folder.is_dir():
        return []
    runs = []
    for path in sorted(folder.glob("*.json"), key=lambda item: (item.stat().st_mtime, item.name)):
        try:
            runs.append(apply_dealer_export_bytes(content=path.read_bytes(), source=ImportSource.FOLDER,
                                                  reference=path.name))  # fmt: skip
            target = folder / "done"
        except ValueError:
            logger.exception("dealer export could not be read", extra={"file": path.name})
            target = folder / "failed"
        target.mkdir(exist_ok=True)
        path.replace(target / f"{timezone.now():%Y%m%d%H%M%S}-{path.name}")
    return runs
