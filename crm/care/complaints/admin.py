"""The call center's complaint screens: file one on a member's behalf (through the service), read the history, and
head office's settings: SLA targets per category and severity, and the working calendar's own dates."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _

from common.admin_scoping import StaffScopedAdminMixin
from crm.care.complaints import selectors, services
from crm.care.complaints.calendar import library_knows_year
from crm.care.complaints.enums import FiledBy
from crm.care.complaints.models import Complaint, ComplaintEvent, SlaTarget, WorkingDayOverride


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    fields = ["created_at", "transition", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.complaints_visible_to)
    list_display = ["number", "member", "store", "category", "severity", "status", "sla_status", "received_at"]
    list_filter = ["status", "sla_status", "severity", "category", "filed_by"]
    search_fields = ["number", "member__name", "member__user__phone"]
    list_select_related = ["member__user", "store"]
    raw_id_fields = ["member", "order", "vehicle"]
    inlines = [ComplaintEventInline]
    add_fields = ["member", "category", "severity", "description", "order", "vehicle"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return [field.name for field in Complaint._meta.concrete_fields if field.name not in ("id", "source_key")]

    def get_inlines(self, request, obj):
        # The history exists once the complaint does; the add form files it through the service, with no formset.
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        """A complaint taken by phone: filed through the service (deadlines, event), on the member's behalf."""
        if change:
            return
        data = form.cleaned_data
        created = services.file_complaint(
            member=data["member"], category=data["category"], severity=data["severity"],
            description=data["description"], filed_by=FiledBy.AGENT, actor=request.user,
            order_id=data["order"].pk if data.get("order") else None,
            vehicle_id=data["vehicle"].pk if data.get("vehicle") else None,
        )  # fmt: skip
        obj.pk, obj.number = created.pk, created.number

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ["category", "severity", "first_response_hours", "resolution_hours", "updated_at"]
    list_editable = ["first_response_hours", "resolution_hours"]
    list_filter = ["severity", "category"]


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "is_working", "opens", "closes", "note"]
    list_filter = ["is_working"]
    date_hierarchy = "day"

    def changelist_view(self, request, extra_context=None):
        # The library knows the holidays of the years the State Council has published; past that, deadlines count
        # the weekly hours and the dates entered here only. Say so, so the next year's dates get entered in time.
        this_year = timezone.localdate().year
        for year in (this_year, this_year + 1):
            if not library_knows_year(year):
                messages.warning(
                    request,
                    _(
                        "The holiday calendar does not know %(year)s yet: deadlines in %(year)s count the weekly hours "
                        "and the dates entered here only. Please enter that year's public holidays and make-up "
                        "working days."
                    ) % {"year": year},
                )  # fmt: skip
        return super().changelist_view(request, extra_context)
