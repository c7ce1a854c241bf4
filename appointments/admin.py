from django.contrib import admin

from appointments import selectors
from appointments.models import Appointment, ServiceCapacity
from common.admin_scoping import StaffScopedAdminMixin


@admin.register(ServiceCapacity)
class ServiceCapacityAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    """Cars per hourly slot of each store's workshop (slots follow the store's opening hours)."""

    visible_to = staticmethod(selectors.capacities_visible_to)
    list_display = ["store", "cars_per_slot"]
    list_editable = ["cars_per_slot"]
    list_select_related = ["store"]


@admin.register(Appointment)
class AppointmentAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    """Bookings are made by members and handled in the back office; the admin shows them."""

    visible_to = staticmethod(selectors.appointments_visible_to)
    list_display = ["date", "slot", "store", "vehicle", "kind", "status"]
    list_filter = ["status", "kind", "date"]
    search_fields = ["vehicle__plate", "member__user__phone"]
    list_select_related = ["store", "vehicle"]
    readonly_fields = ["member", "vehicle", "store", "kind", "date", "slot", "service_record", "handled_by",
                       "created_at", "updated_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False
