from django.contrib import admin

from domain_events.models import EventHandling


class EventHandlingInline(admin.TabularInline):
    model = EventHandling
    extra = 0
    can_delete = False
    readonly_fields = ["subscriber", "handled_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


# Registered by members/admin.py, beside the audit log: payloads name members and orders of every store, and the
# rule "head-office roles only" lives in members, above this app.
class DomainEventAdmin(admin.ModelAdmin):
    """Read-only: operators see events still waiting for a subscriber and why (the sweeper retries them)."""

    list_display = ["name", "payload", "created_at", "attempts", "handled_at"]
    list_filter = ["name", ("handled_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["name", "payload", "created_at", "retry_at", "attempts", "last_error", "handled_at"]
    inlines = [EventHandlingInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
