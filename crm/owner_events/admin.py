"""Owner events in the admin: head office and store managers create them; registrations are read here and changed
only by members (register, cancel) and the back office (check-in)."""

from django.contrib import admin

from common.admin_scoping import StaffScopedAdminMixin
from crm.owner_events import selectors
from crm.owner_events.models import EventRegistration, OwnerEvent


class EventRegistrationInline(StaffScopedAdminMixin, admin.TabularInline):
    visible_to = staticmethod(selectors.registrations_visible_to)
    model = EventRegistration
    can_delete = False
    extra = 0
    fields = ["member", "status", "registered_at", "promoted_at", "cancelled_at", "checked_in_at", "checked_in_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OwnerEvent)
class OwnerEventAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.owner_events_visible_to)
    list_display = ["title", "kind", "store", "starts_at", "capacity", "is_published"]
    list_filter = ["kind", "is_published", "store"]
    search_fields = ["title", "place"]
    list_select_related = ["store"]
    inlines = [EventRegistrationInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A store manager creates events for the stores they may see only.
        if db_field.name == "store" and "queryset" not in kwargs:
            from members.selectors import store_ids_visible_to

            store_ids = store_ids_visible_to(user=request.user)
            if store_ids is not None:
                kwargs["queryset"] = db_field.remote_field.model.objects.filter(pk__in=store_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
