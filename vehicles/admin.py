from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin

from common.admin_scoping import StaffScopedAdminMixin
from vehicles import selectors, services
from vehicles.enums import RecordSource
from vehicles.imports import AMOUNT_FIELDS, ServiceRecordResource
from vehicles.models import (
    AftermarketBooking,
    Brand,
    CarModel,
    FinancePlan,
    Inspection,
    InspectionRule,
    InsurancePolicy,
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
        "down_payment_range",
        "term_months",
        "term_choices",
        "annual_rate",
        "fees",
        "monthly_payment",
        "is_active",
    ]
    list_filter = ["is_active", "term_months"]
    list_editable = ["is_active"]
    list_select_related = ["trim__car_model__brand"]

    fieldsets = [
        (None, {"fields": ["trim", "name", "annual_rate", "fees", "is_active"]}),
        (_("Standard offer"), {"fields": ["down_payment_ratio", "term_months"]}),
        (_("What the member may choose"),
         {"fields": ["min_down_payment_ratio", "max_down_payment_ratio", "allowed_terms"]}),
    ]  # fmt: skip

    @admin.display(description=_("down payment range"))
    def down_payment_range(self, plan):
        return f"{plan.min_down_payment_ratio:.0%} – {plan.max_down_payment_ratio:.0%}"

    @admin.display(description=_("terms offered"))
    def term_choices(self, plan):
        return ", ".join(str(term) for term in plan.term_choices)

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

    # A visit added here is recorded as an import records it: points for the spend, the next service and tyre dates
    # moved, the satisfaction survey sent. An edit or a deletion moves the car's last visit ("not back" reads it).
    def save_model(self, request, obj, form, change):
        if not change:
            saved = services.record_service_visit(
                vehicle_id=obj.vehicle_id, dealer_reference=obj.dealer_reference, serviced_on=obj.serviced_on,
                mileage_km=obj.mileage_km, description=obj.description, is_maintenance=obj.is_maintenance,
                tyres_replaced=obj.tyres_replaced, amounts={name: getattr(obj, name) for name in AMOUNT_FIELDS},
            )  # fmt: skip
            obj.pk = saved.pk
            return
        previous = ServiceRecord.objects.filter(pk=obj.pk).values_list("vehicle_id", flat=True).first()
        super().save_model(request, obj, form, change)
        services.recompute_last_service_on(vehicle_ids={obj.vehicle_id, previous} - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.recompute_last_service_on(vehicle_ids=[obj.vehicle_id])

    def delete_queryset(self, request, queryset):
        vehicle_ids = set(queryset.values_list("vehicle_id", flat=True))
        super().delete_queryset(request, queryset)
        services.recompute_last_service_on(vehicle_ids=vehicle_ids)


@admin.register(InspectionRule)
class InspectionRuleAdmin(admin.ModelAdmin):
    """The annual-inspection schedule of private passenger cars (docs/car-care.md)."""

    list_display = ["from_age_years", "interval_months", "note"]


class CareRecordAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    """A policy or an inspection entered by staff goes through its service, so the car's due date moves; recorded
    rows are kept as they are (a correction is a new record). The form checks the rows' rules first (the model's
    ``clean`` and constraints)."""

    readonly_fields = ["source", "created_at"]
    autocomplete_fields = ["vehicle"]
    list_select_related = ["vehicle"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.pk = self.record(obj).pk

    def record(self, obj):
        raise NotImplementedError


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(CareRecordAdmin):
    visible_to = staticmethod(selectors.insurance_policies_visible_to)
    list_display = ["policy_number", "insurer", "vehicle", "starts_on", "ends_on", "source"]
    list_filter = ["source", "ends_on"]
    search_fields = ["policy_number", "vehicle__plate", "vehicle__vin"]

    def record(self, obj):
        return services.record_insurance_policy(
            vehicle_id=obj.vehicle_id, insurer=obj.insurer, policy_number=obj.policy_number, starts_on=obj.starts_on,
            ends_on=obj.ends_on, premium=obj.premium, source=RecordSource.STAFF,
        )  # fmt: skip


@admin.register(Inspection)
class InspectionAdmin(CareRecordAdmin):
    visible_to = staticmethod(selectors.inspections_visible_to)
    list_display = ["inspected_on", "vehicle", "result", "station", "source"]
    list_filter = ["result", "source"]
    search_fields = ["vehicle__plate", "vehicle__vin"]

    def record(self, obj):
        return services.record_inspection(
            vehicle_id=obj.vehicle_id, inspected_on=obj.inspected_on, result=obj.result, station=obj.station,
            source=RecordSource.STAFF,
        )  # fmt: skip


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
