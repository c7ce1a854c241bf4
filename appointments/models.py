from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appointments.enums import HOLDING_STATUSES, AppointmentKind, AppointmentStatus


class ServiceCapacity(models.Model):
    """How many cars a store's workshop takes per hourly slot (editable per store); its row is also the lock that
    keeps two bookings from taking the last place of a slot."""

    store = models.OneToOneField(
        "members.Store", on_delete=models.CASCADE, related_name="service_capacity", verbose_name=_("store")
    )
    cars_per_slot = models.PositiveSmallIntegerField(_("cars per hourly slot"), default=3)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(cars_per_slot__gte=0, cars_per_slot__lte=50), name="capacity_range")
        ]
        verbose_name = _("workshop capacity")
        verbose_name_plural = _("workshop capacities")

    def __str__(self) -> str:
        return f"{self.store} · {self.cars_per_slot}"


class Appointment(models.Model):
    """A member's booking of a service visit at a store (预约保养), from a care reminder or the member center."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="appointments", verbose_name=_("member")
    )
    vehicle = models.ForeignKey(
        "vehicles.OwnedVehicle", on_delete=models.CASCADE, related_name="appointments", verbose_name=_("car")
    )
    store = models.ForeignKey(
        "members.Store", on_delete=models.PROTECT, related_name="appointments", verbose_name=_("store")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AppointmentKind.choices)
    date = models.DateField(_("date"))
    slot = models.TimeField(_("slot starts at"))
    status = models.CharField(
        _("status"), max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The visit's service record (its dealer reference is the appointment's, or the DMS work order staff entered).
    service_record = models.OneToOneField(
        "vehicles.ServiceRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="appointment",
        verbose_name=_("service record"),
    )  # fmt: skip
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("handled by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            # One holding booking per car and day: a second one is a double click, not a second visit.
            models.UniqueConstraint(
                fields=["vehicle", "date"], condition=Q(status__in=[s.value for s in HOLDING_STATUSES]),
                name="appointment_one_per_car_and_day",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["store", "date", "slot"], name="appointment_store_slot")]
        ordering = ["date", "slot", "pk"]
        verbose_name = _("service appointment")
        verbose_name_plural = _("service appointments")

    def __str__(self) -> str:
        return f"{self.date} {self.slot:%H:%M} · {self.vehicle_id}"

    @property
    def is_open(self) -> bool:
        return self.status in HOLDING_STATUSES
