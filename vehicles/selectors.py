import datetime
from decimal import Decimal

from django.db.models import Min, Prefetch, QuerySet
from django.utils.translation import gettext as _

from members.formatting import format_money, format_percent
from members.selectors import members_visible_to, rows_of_visible_member, sees_all_stores, store_ids_visible_to
from vehicles.exceptions import DownPaymentOutOfRange, ProviderUnavailable, TermNotOffered, VehicleNotFound
from vehicles.finance import PlanQuote, down_payment_for, to_fen
from vehicles.models import (
    AftermarketBooking,
    CarModel,
    FinancePlan,
    Inspection,
    InsurancePolicy,
    OwnedVehicle,
    ServiceRecord,
    Trim,
    VehicleUnit,
)
from vehicles.providers import (
    AftermarketService,
    ProviderDown,
    Violation,
    get_aftermarket_provider,
    get_violation_provider,
)


def list_catalog_models() -> QuerySet[CarModel]:
    """Models on sale with their trims on sale, and each trim's offered plans: three queries whatever the size."""
    active_plans = FinancePlan.objects.filter(is_active=True).order_by("term_months", "down_payment_ratio")
    active_trims = Trim.objects.filter(is_active=True).prefetch_related(Prefetch("plans", queryset=active_plans))
    return (
        CarModel.objects.filter(is_active=True, trims__is_active=True)
        .distinct()
        .select_related("brand")
        .prefetch_related(Prefetch("trims", queryset=active_trims))
        .order_by("brand__sort_order", "name")
    )


def get_catalog_model(*, model_id: int) -> CarModel | None:
    return CarModel.objects.filter(pk=model_id, is_active=True).first()


def list_active_plans(*, trim_id: int) -> QuerySet[FinancePlan]:
    return (
        FinancePlan.objects.filter(trim_id=trim_id, is_active=True, trim__is_active=True)
        .select_related("trim__car_model__brand")
        .order_by("term_months", "down_payment_ratio")
    )


def get_active_plan(*, plan_id: int) -> FinancePlan | None:
    return FinancePlan.objects.filter(pk=plan_id, is_active=True, trim__is_active=True).select_related("trim").first()


def get_offered_plan(*, trim_id: int, plan_id: int) -> FinancePlan | None:
    return list_active_plans(trim_id=trim_id).filter(pk=plan_id).first()


def quote_choice(
    *,
    plan: FinancePlan,
    down_payment: Decimal | None = None,
    down_payment_ratio: Decimal | None = None,
    term_months: int | None = None,
) -> PlanQuote:
    """The quote for the member's choice on ``plan`` (a down payment in yuan or as a ratio of the price, and a term;
    what is not given is the plan's own), after checking it lies within what the plan allows. The plan page, the
    calculator, the API and the application all take their figures from here."""
    low, high = plan.down_payment_bounds()
    if down_payment is None and down_payment_ratio is not None:
        down_payment = down_payment_for(price=plan.trim.guide_price, down_payment_ratio=down_payment_ratio)
    if down_payment is not None and not (low <= down_payment <= high and down_payment == to_fen(down_payment)):
        raise DownPaymentOutOfRange(
            _("The down payment for this plan is between ¥%(low)s and ¥%(high)s (%(low_ratio)s%% to %(high_ratio)s%% "
              "of the price), in yuan and fen.")
            % {"low": format_money(low, symbol=False), "high": format_money(high, symbol=False),
               "low_ratio": format_percent(plan.min_down_payment_ratio),
               "high_ratio": format_percent(plan.max_down_payment_ratio)}
        )  # fmt: skip
    if term_months is not None and term_months not in plan.term_choices:
        raise TermNotOffered(
            _("This plan is offered over %(terms)s months.")
            % {"terms": ", ".join(str(term) for term in plan.term_choices)}
        )
    return plan.quote(down_payment=down_payment, term_months=term_months)


def list_member_vehicles(*, member_id: int) -> QuerySet[OwnedVehicle]:
    return (
        OwnedVehicle.objects.filter(member_id=member_id)
        .select_related("trim__car_model__brand")
        .prefetch_related(Prefetch("service_records", queryset=ServiceRecord.objects.order_by("-serviced_on", "-pk")))
    )


def list_member_vehicle_summaries(*, member_id: int) -> QuerySet[OwnedVehicle]:
    """Plates and models only (one query), for the dashboard."""
    return OwnedVehicle.objects.filter(member_id=member_id).select_related("trim__car_model__brand")


# Whom a staff account may see (members.selectors): stock by its store, members' cars by their owner.


def vehicle_units_visible_to(*, user) -> QuerySet[VehicleUnit]:
    store_ids = store_ids_visible_to(user=user)
    if store_ids is None:
        return VehicleUnit.objects.all()
    return VehicleUnit.objects.filter(store_id__in=store_ids)


def owned_vehicles_visible_to(*, user, member=None) -> QuerySet[OwnedVehicle]:
    """``member``: only that member's rows (a member from ``member_visible_to`` needs no second check)."""
    if member is not None:
        return OwnedVehicle.objects.filter(rows_of_visible_member(user=user, member=member))
    if sees_all_stores(user=user):
        return OwnedVehicle.objects.all()
    return OwnedVehicle.objects.filter(member__in=members_visible_to(user=user))


def service_records_visible_to(*, user) -> QuerySet[ServiceRecord]:
    if sees_all_stores(user=user):
        return ServiceRecord.objects.all()
    return ServiceRecord.objects.filter(vehicle__member__in=members_visible_to(user=user))


def earliest_handover_day() -> datetime.date | None:
    """The day the first car was handed over (read from the index on the handover day)."""
    return OwnedVehicle.objects.aggregate(earliest=Min("delivered_on"))["earliest"]


def insurance_policies_visible_to(*, user) -> QuerySet[InsurancePolicy]:
    if sees_all_stores(user=user):
        return InsurancePolicy.objects.all()
    return InsurancePolicy.objects.filter(vehicle__member__in=members_visible_to(user=user))


def inspections_visible_to(*, user) -> QuerySet[Inspection]:
    if sees_all_stores(user=user):
        return Inspection.objects.all()
    return Inspection.objects.filter(vehicle__member__in=members_visible_to(user=user))


def get_member_vehicle(*, member_id: int, vehicle_id: int) -> OwnedVehicle | None:
    return OwnedVehicle.objects.filter(member_id=member_id, pk=vehicle_id).select_related("trim__car_model").first()


def get_vehicle_by_vin(*, vin: str) -> OwnedVehicle | None:
    return OwnedVehicle.objects.filter(vin=vin.strip().upper()).select_related("member__user").first()


def find_service_record(*, dealer_reference: str) -> ServiceRecord | None:
    return ServiceRecord.objects.filter(dealer_reference=dealer_reference).first()


def has_insurance_policy(*, insurer: str, policy_number: str) -> bool:
    return InsurancePolicy.objects.filter(insurer=insurer.strip(), policy_number=policy_number.strip().upper()).exists()


def has_inspection(*, vehicle_id: int, inspected_on, result: str) -> bool:
    return Inspection.objects.filter(vehicle_id=vehicle_id, inspected_on=inspected_on, result=result).exists()


def get_service_record(*, record_id: int) -> ServiceRecord | None:
    """A service visit with its car and the car's member (for what follows a visit, e.g. the satisfaction survey)."""
    return ServiceRecord.objects.select_related("vehicle__member__user").filter(pk=record_id).first()


# Services around the car (vehicles/providers.py) ----------------------------------------------------------------


def list_vehicle_violations(*, member_id: int, vehicle_id: int) -> list[Violation]:
    """The traffic violations the provider holds for one of the member's own cars; another person's car is "not
    found", as if it did not exist."""
    vehicle = OwnedVehicle.objects.filter(pk=vehicle_id, member_id=member_id).only("plate", "vin").first()
    if vehicle is None:
        raise VehicleNotFound()
    try:
        return get_violation_provider().list_violations(plate=vehicle.plate, vin=vehicle.vin)
    except ProviderDown as error:
        raise ProviderUnavailable() from error


def list_aftermarket_services(*, city: str) -> list[AftermarketService]:
    try:
        return get_aftermarket_provider().list_services(city=city)
    except ProviderDown as error:
        raise ProviderUnavailable() from error


def list_member_aftermarket_bookings(*, member_id: int) -> QuerySet[AftermarketBooking]:
    return AftermarketBooking.objects.filter(member_id=member_id).select_related("vehicle")


def aftermarket_bookings_visible_to(*, user) -> QuerySet[AftermarketBooking]:
    if sees_all_stores(user=user):
        return AftermarketBooking.objects.all()
    return AftermarketBooking.objects.filter(member__in=members_visible_to(user=user))
