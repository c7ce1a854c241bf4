"""Rescue requests in the admin: the call center logs one for a caller (the same service as the member's page);
the steps are taken on the back-office rescue page, so the rows are read-only here."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin_scoping import StaffScopedAdminMixin
from crm.care.rescue import selectors, services
from crm.care.rescue.enums import OPEN_STATUSES
from crm.care.rescue.models import RescueEvent, RescueRequest


class RescueEventInline(StaffScopedAdminMixin, admin.TabularInline):
    model = RescueEvent
    visible_to = staticmethod(selectors.rescue_events_visible_to)
    fields = ["status", "actor", "note", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class LogRescueForm(forms.ModelForm):
    class Meta:
        model = RescueRequest
        fields = ["member", "vehicle", "kind", "location", "note", "store"]
        help_texts = {"store": _("Leave empty to send the store that handed the car over.")}

    def clean(self):
        cleaned = super().clean()
        member, vehicle = cleaned.get("member"), cleaned.get("vehicle")
        if member and vehicle and vehicle.member_id != member.pk:
            self.add_error("vehicle", _("This car is not the caller's."))
        elif vehicle and RescueRequest.objects.filter(vehicle=vehicle, status__in=OPEN_STATUSES).exists():
            self.add_error("vehicle", _("Help for this car is already on its way. We will keep you posted."))
        if not (cleaned.get("location") or "").strip():
            self.add_error("location", _("Where is the caller?"))
        return cleaned


@admin.register(RescueRequest)
class RescueRequestAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.rescues_visible_to)
    list_display = ["requested_at", "kind", "status", "vehicle", "member", "store", "channel", "back_office_link"]
    list_filter = ["status", "kind", "channel", "store"]
    list_select_related = ["vehicle", "member__user", "store"]
    search_fields = ["vehicle__plate", "member__user__phone", "member__name"]
    raw_id_fields = ["member", "vehicle"]
    inlines = [RescueEventInline]
    readonly_fields = ["member", "vehicle", "kind", "status", "channel", "location", "latitude", "longitude", "note",
                       "store", "created_by", "requested_at", "dispatched_at", "on_the_way_at", "arrived_at",
                       "done_at", "cancelled_at", "back_office_link"]  # fmt: skip

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = LogRescueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return LogRescueForm.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def has_add_permission(self, request):
        return selectors.may_move_rescues(user=request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        rescue = services.request_rescue(
            member=data["member"], vehicle_id=data["vehicle"].pk, kind=data["kind"], actor=request.user,
            location=data["location"], note=data["note"], store=data["store"],
        )  # fmt: skip
        obj.pk = rescue.pk
        obj.requested_at = rescue.requested_at

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.display(description=_("back office"))
    def back_office_link(self, obj):
        if obj.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("rescue-backoffice:rescue", args=[obj.pk]), _("Open"))
