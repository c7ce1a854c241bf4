from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RescueConfig(AppConfig):
    name = "crm.care.rescue"
    label = "rescue"
    verbose_name = _("Roadside rescue")

    def ready(self) -> None:
        from crm.care.rescue.messages import register_rescue_events

        register_rescue_events()
