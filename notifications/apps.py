from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from members.dashboard import register_panel
        from notifications import panels

        register_panel(name="messages", position=30, build=panels.messages_panel)
