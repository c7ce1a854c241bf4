from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin_scoping import StaffScopedAdminMixin
from notifications import selectors, services
from notifications.catalog import all_events, event_label, get_event, render
from notifications.models import Notification, NotificationTemplate, ReminderPolicy, Status


class EventFilter(admin.SimpleListFilter):
    """Events by what people read (the default subject), not by code."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return [(spec.code, f"{event_label(spec.code)} · {spec.code}") for spec in all_events()]

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


def event_display(obj) -> str:
    return format_html('{} <span class="quiet">{}</span>', event_label(obj.event), obj.event)


@admin.register(Notification)
class NotificationAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    """The outbox, read-only, with "resend" for failed rows."""

    visible_to = staticmethod(selectors.notifications_visible_to)
    list_display = ["created_at", "recipient", "channel", "category", "event_name", "status", "send_after",
                    "attempts", "provider_status"]  # fmt: skip
    list_filter = ["status", "channel", "category", EventFilter]
    search_fields = ["recipient__phone", "to_phone", "dedupe_key", "subject", "provider_message_id"]
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in Notification._meta.fields]
    date_hierarchy = "created_at"
    actions = ["resend"]

    @admin.display(description=_("event"), ordering="event")
    def event_name(self, notification):
        return event_display(notification)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend the selected failed messages"), permissions=["change"])
    def resend(self, request, queryset):
        failed = list(queryset.filter(status=Status.FAILED).values_list("pk", flat=True))
        for notification_id in failed:
            services.resend_failed_notification(notification_id=notification_id)
        self.message_user(request, _("%(count)s messages queued again.") % {"count": len(failed)}, messages.SUCCESS)


class NotificationTemplateForm(forms.ModelForm):
    event = forms.ChoiceField(label=_("event"))

    class Meta:
        model = NotificationTemplate
        fields = ["event", "channel", "language", "subject", "body", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [(spec.code, spec.code) for spec in all_events()]


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    """Texts per event, channel and language. Unknown placeholders are refused on save; the preview fills the text
    with a sample member."""

    form = NotificationTemplateForm
    list_display = ["event_name", "channel", "language", "subject", "is_active", "updated_at"]
    list_filter = ["channel", "language", "is_active"]
    search_fields = ["event", "subject", "body"]
    readonly_fields = ["allowed_placeholders", "preview"]

    @admin.display(description=_("event"), ordering="event")
    def event_name(self, template):
        return event_display(template)

    @admin.display(description=_("allowed placeholders"))
    def allowed_placeholders(self, template):
        spec = get_event(template.event) if template and template.event else None
        return ", ".join(f"{{{name}}}" for name in spec.placeholders) if spec else "—"

    @admin.display(description=_("preview"))
    def preview(self, template):
        spec = get_event(template.event) if template and template.event else None
        if spec is None:
            return "—"
        return format_html(
            "<strong>{}</strong><br>{}", render(template.subject, spec.sample), render(template.body, spec.sample)
        )


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "days_before", "send_hour"]

    def has_add_permission(self, request):
        return not ReminderPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
