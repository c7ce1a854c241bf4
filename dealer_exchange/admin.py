from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealer_exchange import services
from dealer_exchange.models import DealerApiKey, DealerImportRun
from members.admin import HeadOfficeOnlyAdminMixin


@admin.register(DealerImportRun)
class DealerImportRunAdmin(HeadOfficeOnlyAdminMixin, admin.ModelAdmin):
    """What each dealer-system export created, updated and refused (with reasons in the report)."""

    list_display = ["started_at", "source", "reference", "created", "updated", "unchanged", "refused"]
    list_filter = ["source"]
    search_fields = ["reference"]
    readonly_fields = [field.name for field in DealerImportRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DealerApiKey)
class DealerApiKeyAdmin(HeadOfficeOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["label", "prefix", "created_at", "revoked_at"]
    fields = ["label"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        row, raw_key = services.issue_dealer_key(label=obj.label)
        obj.pk = row.pk
        messages.warning(request, _("The new key, shown this once: %(key)s") % {"key": raw_key})
        return None

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
