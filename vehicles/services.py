"""Writes of the vehicles app: stock reservations and owned vehicles."""

import datetime
import re

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from common.tasks import enqueue
from domain_events.services import record_event
from notifications.catalog import language_of, render, resolve_text
from notifications.models import Category, Channel
from notifications.services import queue_notification
from points.enums import RewardKind
from points.services import use_coupon
from vehicles.enums import AftermarketBookingStatus, InspectionResult, UnitStatus
from vehicles.exceptions import (
    InspectionInFuture,
    InvalidBookingDate,
    InvalidPlate,
    InvalidPolicyDates,
    MileageCannotDecrease,
    MileageTooHigh,
    NotYourVehicle,
    NoVehicleInStock,
    PolicyNumberTaken,
    ProviderUnavailable,
    UnknownAftermarketService,
    VehicleNotFound,
    VehicleUnitUnavailable,
)
from vehicles.lock_objects import owned_vehicle_qs_select_for_update, vehicle_unit_qs_select_for_update
from vehicles.maintenance import next_inspection_due, next_service_due, next_tyres_due
from vehicles.models import (
    MAX_POLICY_MONTHS,
    AftermarketBooking,
    Inspection,
    InspectionRule,
    InsurancePolicy,
    OwnedVehicle,
    ServiceRecord,
    Trim,
    VehicleUnit,
)
from vehicles.providers import ProviderDown, get_aftermarket_provider

# Mainland plates: province character, a letter, then 5 (petrol) or 6 (new energy) letters/digits.
_PLATE = re.compile(r"^[\u4e00-\u9fa5][A-Z][·.]?[A-Z0-9]{5,6}$")


@transaction.atomic
def reserve_vehicle_unit(*, store_id: int, trim: Trim, vin: str = "") -> VehicleUnit:
    """Reserve a car for an order: the given VIN, or the longest-waiting unit of the trim in the store.

    The row lock means one unit is never reserved twice; skip_locked lets a concurrent reservation take the next car.
    """
    if vin:
        unit = vehicle_unit_qs_select_for_update().filter(vin=vin.strip().upper()).first()
        if unit is None or unit.status != UnitStatus.IN_STOCK or unit.trim_id != trim.pk or unit.store_id != store_id:
            raise VehicleUnitUnavailable()
    else:
        unit = (
            VehicleUnit.objects.filter(store_id=store_id, trim=trim, status=UnitStatus.IN_STOCK)
            .order_by("arrived_at", "pk")
            .select_for_update(of=("self",), skip_locked=True)
            .first()
        )
        if unit is None:
            raise NoVehicleInStock()
    unit.status = UnitStatus.RESERVED
    unit.save(update_fields=["status"])
    return unit


@transaction.atomic
def release_vehicle_unit(*, unit_id: int) -> VehicleUnit:
    unit = vehicle_unit_qs_select_for_update().get(pk=unit_id)
    if unit.status == UnitStatus.RESERVED:
        unit.status = UnitStatus.IN_STOCK
        unit.save(update_fields=["status"])
    return unit


def normalize_plate(raw: str) -> str:
    plate = (raw or "").strip().upper().replace(" ", "").replace(".", "·")
    if not _PLATE.match(plate):
        raise InvalidPlate()
    return plate if "·" in plate else f"{plate[:2]}·{plate[2:]}"


@transaction.atomic
def hand_over_vehicle_unit(*, unit_id: int, member_id: int, plate: str, delivered_on: datetime.date) -> OwnedVehicle:
    """Mark the reserved unit delivered and record it as the member's car (mileage 0)."""
    unit = vehicle_unit_qs_select_for_update().get(pk=unit_id)
    if unit.status != UnitStatus.RESERVED:
        raise VehicleUnitUnavailable()
    unit.status = UnitStatus.DELIVERED
    unit.save(update_fields=["status"])
    car_model = unit.trim.car_model
    first_service = next_service_due(
        delivered_on=delivered_on, last_service_on=None, last_service_km=None, car_model=car_model
    )
    tyres = next_tyres_due(fitted_on=delivered_on, fitted_at_km=0, car_model=car_model)
    inspection_due_on = next_inspection_due(registered_on=delivered_on, last_passed_on=None, rules=inspection_rules())
    return OwnedVehicle.objects.create(
        member_id=member_id, trim=unit.trim, vin=unit.vin, plate=normalize_plate(plate), delivered_on=delivered_on,
        next_service_on=first_service.on, next_service_km=first_service.at_km,
        tyres_due_on=tyres.on, tyres_due_km=tyres.at_km,
        # The first inspection by the inspection rules (six years for a new private car); insurance after one year
        # until a policy is recorded.
        inspection_due_on=inspection_due_on,
        insurance_due_on=delivered_on + relativedelta(years=1),
    )  # fmt: skip


# No car in service drives further: a larger number is a typing mistake (the API's schema says the same).
MAX_MILEAGE_KM = 2_000_000


@transaction.atomic
def update_mileage(*, vehicle_id: int, member_id: int, mileage_km: int) -> OwnedVehicle:
    """The member reports their mileage; it may stay the same or go up, never down."""
    vehicle = (
        OwnedVehicle.objects.select_for_update(of=("self",))
        .select_related("member")
        .filter(pk=vehicle_id, member_id=member_id)
        .first()
    )
    if vehicle is None:
        raise VehicleNotFound()
    if mileage_km > MAX_MILEAGE_KM:
        raise MileageTooHigh()
    if mileage_km < vehicle.mileage_km:
        raise MileageCannotDecrease()
    previous = vehicle.mileage_km
    vehicle.mileage_km = mileage_km
    vehicle.save(update_fields=["mileage_km"])
    _congratulate_milestones(vehicle=vehicle, previous_km=previous)
    _remind_by_distance(
        vehicle=vehicle, previous_km=previous, event="vehicle.maintenance_due", due_km=vehicle.next_service_km,
        due_on=vehicle.next_service_on, dedupe_prefix="vehicle.maintenance_km",
    )  # fmt: skip
    # Tyres share the maintenance lead: the same distance before they are due, once per due (the key's km).
    _remind_by_distance(
        vehicle=vehicle, previous_km=previous, event="vehicle.tyres_due", due_km=vehicle.tyres_due_km,
        due_on=vehicle.tyres_due_on, dedupe_prefix="vehicle.tyres_km",
    )  # fmt: skip
    return vehicle


# "Whichever comes first": the date rule runs each morning; the distance rule fires when the mileage gets close.
SERVICE_DUE_WITHIN_KM = 500
# Where a care reminder leads: booking a service appointment for that kind of visit.
BOOKING_LINKS = {
    "vehicle.maintenance_due": "/me/appointments/new/?kind=maintenance",
    "vehicle.tyres_due": "/me/appointments/new/?kind=maintenance",
    "vehicle.inspection_due": "/me/appointments/new/?kind=inspection",
    "vehicle.insurance_due": "/me/appointments/new/?kind=insurance",
}


def _remind_by_distance(
    *, vehicle: OwnedVehicle, previous_km: int, event: str, due_km: int | None, due_on, dedupe_prefix: str
) -> None:
    if not due_km:
        return
    threshold = due_km - SERVICE_DUE_WITHIN_KM
    if previous_km < threshold <= vehicle.mileage_km:
        context = {
            "name": vehicle.member.name or _("Dear member"),
            "plate": vehicle.plate,
            "due": due_on.isoformat() if due_on else "",
            "km": due_km,
        }
        for channel in (Channel.INBOX, Channel.SMS):
            subject, body = resolve_text(event=event, channel=channel, language=language_of(vehicle.member.user))
            queue_notification(
                recipient_id=vehicle.member.user_id, event=event, subject=render(subject, context),
                body=render(body, context), dedupe_key=f"{dedupe_prefix}:{vehicle.pk}:{due_km}",
                channels=(channel,), category=Category.SERVICE, link=BOOKING_LINKS[event],
            )  # fmt: skip


MILEAGE_MILESTONES_KM = (10_000, 30_000, 50_000)


def _congratulate_milestones(*, vehicle: OwnedVehicle, previous_km: int) -> None:
    """A message when the car passes 10,000 / 30,000 / 50,000 km, once per milestone (its dedupe key)."""
    for milestone in MILEAGE_MILESTONES_KM:
        if previous_km < milestone <= vehicle.mileage_km:
            context = {"plate": vehicle.plate, "km": f"{milestone:,}"}
            for channel in (Channel.INBOX, Channel.SMS):
                subject, body = resolve_text(
                    event="vehicle.mileage_milestone", channel=channel, language=language_of(vehicle.member.user)
                )
                queue_notification(
                    recipient_id=vehicle.member.user_id, event="vehicle.mileage_milestone",
                    subject=render(subject, context), body=render(body, context),
                    dedupe_key=f"vehicle.mileage:{vehicle.pk}:{milestone}", channels=(channel,),
                    category=Category.SERVICE, link="/me/cars/",
                )  # fmt: skip


@transaction.atomic
def record_service_visit(
    *,
    vehicle_id: int,
    dealer_reference: str,
    serviced_on,
    mileage_km: int,
    description: str,
    is_maintenance: bool,
    amounts: dict,
    tyres_replaced: bool = False,
) -> ServiceRecord:
    """Record a repair or maintenance visit (e.g. from a dealer export); maintenance moves the next-service date, new
    tyres the tyre date, and the mileage never goes down. The same dealer reference twice records once."""
    existing = ServiceRecord.objects.filter(dealer_reference=dealer_reference).first()
    if existing is not None:
        return existing
    vehicle = OwnedVehicle.objects.select_for_update().select_related("trim__car_model").get(pk=vehicle_id)
    record = ServiceRecord.objects.create(
        vehicle=vehicle, dealer_reference=dealer_reference, serviced_on=serviced_on, mileage_km=mileage_km,
        description=description, is_maintenance=is_maintenance, tyres_replaced=tyres_replaced, **amounts,
    )  # fmt: skip
    vehicle.mileage_km = max(vehicle.mileage_km, mileage_km)
    vehicle.last_service_on = max(filter(None, (vehicle.last_service_on, serviced_on)))
    if is_maintenance:
        due = next_service_due(
            delivered_on=vehicle.delivered_on, last_service_on=serviced_on, last_service_km=mileage_km,
            car_model=vehicle.trim.car_model,
        )  # fmt: skip
        vehicle.next_service_on, vehicle.next_service_km = due.on, due.at_km
    if tyres_replaced:
        tyres = next_tyres_due(fitted_on=serviced_on, fitted_at_km=mileage_km, car_model=vehicle.trim.car_model)
        vehicle.tyres_due_on, vehicle.tyres_due_km = tyres.on, tyres.at_km
    vehicle.save(
        update_fields=[
            "mileage_km", "last_service_on", "next_service_on", "next_service_km", "tyres_due_on", "tyres_due_km",
        ]
    )  # fmt: skip
    # Service spend earns points by who paid (points' rule): a domain event in this transaction, handled after
    # commit by vehicles.handlers, once per dealer reference.
    record_event(name="vehicle.serviced", payload={"service_record_id": record.pk})
    return record


@transaction.atomic
def recompute_last_service_on(*, vehicle_ids) -> None:
    """The cars' latest service visit again, after records were edited or deleted by hand (the admin)."""
    latest = (
        ServiceRecord.objects.filter(vehicle_id=OuterRef("pk"))
        .order_by()
        .values("vehicle_id")
        .annotate(latest=Max("serviced_on"))
        .values("latest")
    )
    OwnedVehicle.objects.filter(pk__in=vehicle_ids).update(last_service_on=Subquery(latest))


def inspection_rules() -> list[tuple[int, int]]:
    """The editable inspection schedule (the defaults of vehicles.maintenance when no row is set)."""
    return list(InspectionRule.objects.values_list("from_age_years", "interval_months"))


def _get_vehicle_for_update(*, vehicle_id: int, member_id: int | None) -> OwnedVehicle:
    """The car, locked; a member may only touch their own car (someone else's is "not found")."""
    vehicles = owned_vehicle_qs_select_for_update().filter(pk=vehicle_id)
    if member_id is not None:
        vehicles = vehicles.filter(member_id=member_id)
    vehicle = vehicles.first()
    if vehicle is None:
        raise VehicleNotFound()
    return vehicle


@transaction.atomic
def record_insurance_policy(
    *,
    vehicle_id: int,
    insurer: str,
    policy_number: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    source: str,
    premium=None,
    member_id: int | None = None,
) -> InsurancePolicy:
    """Record a policy (a renewal) entered by staff, the member or the dealer system; the car's renewal is then due
    when its latest policy ends, so the reminder comes again every year. The same policy twice records once."""
    vehicle = _get_vehicle_for_update(vehicle_id=vehicle_id, member_id=member_id)
    insurer, policy_number = insurer.strip(), policy_number.strip().upper()
    if ends_on <= starts_on or ends_on > starts_on + relativedelta(months=MAX_POLICY_MONTHS):
        raise InvalidPolicyDates()
    existing = InsurancePolicy.objects.filter(insurer=insurer, policy_number=policy_number).first()
    if existing is not None:
        if existing.vehicle_id != vehicle.pk:
            raise PolicyNumberTaken()
        return existing
    policy = InsurancePolicy.objects.create(
        vehicle=vehicle, insurer=insurer, policy_number=policy_number, starts_on=starts_on, ends_on=ends_on,
        premium=premium, source=source,
    )  # fmt: skip
    vehicle.insurance_due_on = vehicle.insurance_policies.aggregate(latest=Max("ends_on"))["latest"]
    vehicle.save(update_fields=["insurance_due_on"])
    return policy


@transaction.atomic
def record_inspection(
    *,
    vehicle_id: int,
    inspected_on: datetime.date,
    result: str,
    source: str,
    station: str = "",
    member_id: int | None = None,
) -> Inspection:
    """Record an annual inspection. A pass sets the next due date by the inspection rules (counted from the car's
    registration, i.e. its delivery); a failure leaves the due date, so the car is still reminded."""
    vehicle = _get_vehicle_for_update(vehicle_id=vehicle_id, member_id=member_id)
    if inspected_on > timezone.localdate():
        raise InspectionInFuture()
    inspection, created = Inspection.objects.get_or_create(
        vehicle=vehicle, inspected_on=inspected_on, result=result,
        defaults={"station": station.strip()[:100], "source": source},
    )  # fmt: skip
    if created and result == InspectionResult.PASSED:
        last_passed_on = vehicle.inspections.filter(result=InspectionResult.PASSED).aggregate(
            latest=Max("inspected_on")
        )["latest"]
        vehicle.inspection_due_on = next_inspection_due(
            registered_on=vehicle.delivered_on, last_passed_on=last_passed_on, rules=inspection_rules()
        )
        vehicle.save(update_fields=["inspection_due_on"])
    return inspection


@transaction.atomic
def sync_vehicle_details(*, vehicle_id: int, plate: str = "", mileage_km: int | None = None) -> bool:
    """A dealer system's view of a car: a new plate, a higher mileage (never lower). Returns whether anything
    changed."""
    vehicle = _get_vehicle_for_update(vehicle_id=vehicle_id, member_id=None)
    changed = []
    if plate and (plate := normalize_plate(plate)) != vehicle.plate:
        vehicle.plate = plate
        changed.append("plate")
    if mileage_km is not None and mileage_km > vehicle.mileage_km:
        vehicle.mileage_km = mileage_km
        changed.append("mileage_km")
    if changed:
        vehicle.save(update_fields=changed)
    return bool(changed)


# Aftermarket bookings ----------------------------------------------------------------------------------------------

BOOKING_HORIZON_DAYS = 60


@transaction.atomic
def book_aftermarket_service(
    *, member_id: int, vehicle_id: int, service_code: str, booked_for: datetime.date, coupon_code: str = "", actor
) -> AftermarketBooking:
    """Book a partner's service for one of the member's cars. A value-added-service coupon, when given, is used in
    this transaction (a used, expired, foreign or other kind of coupon refuses the whole booking). The partner is
    asked after commit."""
    vehicle = OwnedVehicle.objects.filter(pk=vehicle_id, member_id=member_id).select_related("member").first()
    if vehicle is None:
        raise NotYourVehicle()
    today = timezone.localdate()
    if not today <= booked_for <= today + datetime.timedelta(days=BOOKING_HORIZON_DAYS):
        raise InvalidBookingDate()
    offered = {service.code: service for service in get_aftermarket_provider().list_services(city=vehicle.member.city)}
    service = offered.get(service_code)
    if service is None:
        raise UnknownAftermarketService()
    booking = AftermarketBooking.objects.create(
        member_id=member_id, vehicle=vehicle, service_code=service.code, kind=service.kind, name=service.name,
        price=service.price, booked_for=booked_for,
    )  # fmt: skip
    if coupon_code:
        coupon = use_coupon(
            code=coupon_code, used_for=f"aftermarket:{booking.pk}", actor=actor, member_id=member_id,
            kind=RewardKind.SERVICE_COUPON,
        )  # fmt: skip
        booking.coupon_code = coupon.code
        booking.save(update_fields=["coupon_code"])
    transaction.on_commit(lambda pk=booking.pk: _enqueue_confirmation(booking_id=pk))
    return booking


def _enqueue_confirmation(*, booking_id: int) -> None:
    from vehicles.tasks import confirm_aftermarket_booking_task

    enqueue(confirm_aftermarket_booking_task, booking_id=booking_id)


def confirm_aftermarket_booking(*, booking_id: int) -> AftermarketBooking:
    """Send one booking to the partner (idempotent by our reference) and keep the partner's reference. Also run for
    bookings still requested by ``confirm_requested_aftermarket_bookings``, so a lost task loses nothing."""
    booking = AftermarketBooking.objects.select_related("vehicle").get(pk=booking_id)
    if booking.status == AftermarketBookingStatus.CONFIRMED:
        return booking
    try:
        reference = get_aftermarket_provider().book(
            reference=f"MC-{booking.pk}", service_code=booking.service_code, plate=booking.vehicle.plate,
            booked_for=booking.booked_for,
        )  # fmt: skip
    except ProviderDown as error:
        raise ProviderUnavailable() from error
    AftermarketBooking.objects.filter(pk=booking.pk, status=AftermarketBookingStatus.REQUESTED).update(
        status=AftermarketBookingStatus.CONFIRMED, partner_reference=reference[:50]
    )
    booking.refresh_from_db()
    return booking


def confirm_requested_aftermarket_bookings(*, older_than_minutes: int = 5) -> int:
    """The sweeper for bookings whose after-commit task did not run (run by ``run_reminders``)."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    ids = AftermarketBooking.objects.filter(status=AftermarketBookingStatus.REQUESTED, created_at__lte=cutoff)
    confirmed = 0
    for booking_id in ids.values_list("pk", flat=True)[:500]:
        try:
            confirm_aftermarket_booking(booking_id=booking_id)
        except ProviderUnavailable:
            break  # the partner is down: the rest waits for the next run
        confirmed += 1
    return confirmed
