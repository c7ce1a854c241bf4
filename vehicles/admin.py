from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin

from common.admin_scoping import StaffScopedAdminMixin
from vehicles import selectors
from vehicles.imports import ServiceRecordResource
from vehicles.models import (
    AftermarketBooking,
    Brand,
    CarModel,
    FinancePlan,
    OwnedVehicle,
    ServiceRecord,
    Trim,
    VehicleUnit,
)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order"]


class TrimInline(admin.TabularInline):
    model = Trim
    extra = 0


@admin.register(CarModel)
class CarModelAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "body_type", "energy", "is_active"]
    list_filter = ["brand", "body_type", "energy", "is_active"]
    inlines = [TrimInline]


class FinancePlanInline(admin.TabularInline):
    model = FinancePlan
    extra = 0


@admin.register(Trim)
class TrimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "guide_price", "is_active"]
    list_filter = ["is_active", "car_model__brand"]
    inlines = [FinancePlanInline]


@admin.register(FinancePlan)
class FinancePlanAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "down_payment_ratio",
        "term_months",
        "annual_rate",
        "fees",
        "monthly_payment",
        "is_active",
    ]
    list_filter = ["is_active", "term_months"]
    list_editable = ["is_active"]
    list_select_related = ["trim__car_model__brand"]

    @admin.display(description=_("monthly payment"))
    def monthly_payment(self, plan):
        return plan.quote().monthly_payment


@admin.register(VehicleUnit)
class VehicleUnitAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.vehicle_units_visible_to)
    list_display = ["vin", "trim", "store", "color", "status", "arrived_at"]
    list_filter = ["status", "store"]
    search_fields = ["vin"]
    list_select_related = ["trim__car_model__brand", "store"]


@admin.register(OwnedVehicle)
class OwnedVehicleAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.owned_vehicles_visible_to)
    list_display = ["plate", "member", "trim", "delivered_on", "mileage_km"]
    search_fields = ["plate", "vin", "member__user__phone"]
    list_select_related = ["member__user", "trim__car_model__brand"]
    # Looked up by search (scoped like the members list), not a select of every member.
    autocomplete_fields = ["member"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(StaffScopedAdminMixin, ImportMixin, admin.ModelAdmin):
    """Service visits; "Import" takes a dealer-system export (CSV or Excel), all rows or none."""

    visible_to = staticmethod(selectors.service_records_visible_to)

    resource_classes = [ServiceRecordResource]
    list_display = ["serviced_on", "vehicle", "mileage_km", "description", "is_maintenance", "customer_amount"]
    list_filter = ["is_maintenance", "serviced_on"]
    search_fields = ["dealer_reference", "vehicle__plate", "vehicle__vin"]
    list_select_related = ["vehicle"]
    autocomplete_fields = ["vehicle"]


@admin.register(AftermarketBooking)
class AftermarketBookingAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    """Bookings are made by members through the partner's interface; the admin shows them for follow-up."""

    visible_to = staticmethod(selectors.aftermarket_bookings_visible_to)
    list_display = ["name", "member", "vehicle", "booked_for", "price", "coupon_code", "status", "partner_reference"]
    list_filter = ["kind", "status"]
    list_select_related = ["member__user", "vehicle"]
    search_fields = ["partner_reference", "coupon_code", "vehicle__plate"]
    fields = list_display + ["kind", "service_code", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
