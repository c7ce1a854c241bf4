from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Customer care")

    def ready(self) -> None:
        from crm.reminders import register_care_events

        register_care_events()
