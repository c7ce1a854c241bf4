from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from members.dashboard import register_panel
        from notifications import panels

        register_panel(name="messages", position=30, build=panels.messages_panel)
        from members.personal_data import register_data_section, register_eraser
        from notifications.personal_data import erase_messages, messages_section

        register_data_section(name="messages", build=messages_section)
        register_eraser(name="messages", erase=erase_messages)
