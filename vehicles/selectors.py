from django.db.models import Prefetch, QuerySet

from members.selectors import members_visible_to, sees_all_stores, store_ids_visible_to
from vehicles.models import CarModel, FinancePlan, OwnedVehicle, ServiceRecord, Trim, VehicleUnit


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


def get_offered_plan(*, trim_id: int, plan_id: int) -> FinancePlan | None:
    return list_active_plans(trim_id=trim_id).filter(pk=plan_id).first()


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


def owned_vehicles_visible_to(*, user) -> QuerySet[OwnedVehicle]:
    if sees_all_stores(user=user):
        return OwnedVehicle.objects.all()
    return OwnedVehicle.objects.filter(member__in=members_visible_to(user=user))


def service_records_visible_to(*, user) -> QuerySet[ServiceRecord]:
    if sees_all_stores(user=user):
        return ServiceRecord.objects.all()
    return ServiceRecord.objects.filter(vehicle__member__in=members_visible_to(user=user))
