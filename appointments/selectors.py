import datetime

from django.db.models import Count, Q, QuerySet

from appointments.enums import HOLDING_STATUSES
from appointments.models import Appointment, ServiceCapacity
from appointments.slots import slot_starts
from members.models import Store
from members.selectors import store_ids_visible_to

DEFAULT_CARS_PER_SLOT = ServiceCapacity._meta.get_field("cars_per_slot").default


def appointments_visible_to(*, user) -> QuerySet[Appointment]:
    """Bookings of the stores this staff account may see."""
    store_ids = store_ids_visible_to(user=user)
    if store_ids is None:
        return Appointment.objects.all()
    return Appointment.objects.filter(store_id__in=store_ids)


def capacities_visible_to(*, user) -> QuerySet[ServiceCapacity]:
    store_ids = store_ids_visible_to(user=user)
    if store_ids is None:
        return ServiceCapacity.objects.all()
    return ServiceCapacity.objects.filter(store_id__in=store_ids)


def list_member_appointments(*, member_id: int) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(member_id=member_id)
        .select_related("store", "vehicle")
        .order_by("-date", "-slot", "-pk")
    )


def list_store_appointments(*, user, date: datetime.date | None = None, status: str = "") -> QuerySet[Appointment]:
    appointments = appointments_visible_to(user=user).select_related("store", "vehicle", "member__user")
    if date is not None:
        appointments = appointments.filter(date=date)
    if status:
        appointments = appointments.filter(status=status)
    return appointments.order_by("date", "slot", "pk")


def free_places_by_slot(*, store: Store, date: datetime.date) -> list[tuple[datetime.time, int]]:
    """Each slot of the store's day with the places still free (two queries)."""
    capacity = ServiceCapacity.objects.filter(store=store).values_list("cars_per_slot", flat=True).first()
    capacity = DEFAULT_CARS_PER_SLOT if capacity is None else capacity
    taken = dict(
        Appointment.objects.filter(store=store, date=date)
        .values("slot")
        .annotate(taken=Count("pk", filter=Q(status__in=HOLDING_STATUSES)))
        .values_list("slot", "taken")
    )
    return [(slot, max(capacity - taken.get(slot, 0), 0)) for slot in slot_starts(store.opening_hours)]
