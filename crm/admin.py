"""Campaigns in the call-center admin: the segment's size and a preview before sending, then progress, pause and
resume. Sending goes through crm.campaigns, which writes the outbox rows in one statement."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError
from crm import campaigns
from crm.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "scheduled_at", "total", "progress"]
    list_filter = ["state"]
    search_fields = ["name", "subject"]
    readonly_fields = ["audience", "preview", "state", "total", "progress_detail"]
    fieldsets = [
        (None, {"fields": ["name", "subject", "body", "send_sms", "send_email", "scheduled_at", "repeats_monthly"]}),
        (
            _("Segment"),
            {
                "fields": [
                    "city",
                    "store",
                    "car_model",
                    "tier",
                    "lifecycle",
                    "loyalty",
                    "tag",
                    "no_service_for_days",
                    "channel",
                    "min_points",
                    "max_points",
                    "verification_status",
                    "owns_car",
                    "audience",
                ]
            },
        ),  # fmt: skip
        (_("Sending"), {"fields": ["preview", "state", "total", "progress_detail"]}),
        (_("Results"), {"fields": ["cost"]}),
    ]
    actions = ["send", "pause", "resume"]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        change_list = context.get("cl")
        if change_list is not None:
            self._progress = campaigns.campaign_progress(change_list.result_list)
        return response

    @admin.display(description=_("progress"))
    def progress(self, campaign):
        counts = getattr(self, "_progress", {}).get(campaign.pk) or campaigns.campaign_progress([campaign])[campaign.pk]
        return self._bar(counts)

    @admin.display(description=_("progress"))
    def progress_detail(self, campaign):
        if not campaign.pk:
            return "—"
        counts = campaigns.campaign_progress([campaign])[campaign.pk]
        waiting = counts["pending"] + counts["sending"]
        return format_html(
            "{} <span>{}: {} · {}: {} · {}: {} · {}: {}</span>", self._bar(counts), _("sent"), counts["sent"],
            _("waiting"), waiting, _("held"), counts["held"], _("failed"), counts["failed"],
        )  # fmt: skip

    @staticmethod
    def _bar(counts):
        return format_html('<progress max="{}" value="{}"></progress>', counts["total"] or 1, counts["sent"])

    @admin.display(description=_("members in the segment"))
    def audience(self, campaign):
        return campaigns.count_segment(campaign) if campaign.pk else "—"

    @admin.display(description=_("preview"))
    def preview(self, campaign):
        if not campaign.pk:
            return "—"
        subject, body = campaigns.preview(campaign)
        return format_html("<strong>{}</strong><br>{}", subject, body)

    @admin.action(description=_("Send (now, or at the time set)"), permissions=["change"])
    def send(self, request, queryset):
        for campaign in queryset:
            try:
                done = campaigns.schedule_campaign(
                    campaign_id=campaign.pk, actor=request.user, send_at=campaign.scheduled_at
                )
            except DomainError as error:
                self.message_user(request, f"{campaign}: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request, _("%(name)s: %(total)s messages queued.") % {"name": done, "total": done.total}
                )

    @admin.action(description=_("Pause sending"), permissions=["change"])
    def pause(self, request, queryset):
        for campaign in queryset:
            campaigns.pause_campaign(campaign_id=campaign.pk)

    @admin.action(description=_("Resume sending"), permissions=["change"])
    def resume(self, request, queryset):
        for campaign in queryset:
            campaigns.resume_campaign(campaign_id=campaign.pk)
