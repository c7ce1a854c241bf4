from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "channel", "event", "status", "attempts", "sent_at"]
    list_filter = ["channel", "status", "category", "event"]
    search_fields = ["recipient__phone", "dedupe_key", "subject"]
    readonly_fields = [field.name for field in Notification._meta.fields]
    list_select_related = ["recipient"]

    def has_add_permission(self, request):
        return False
