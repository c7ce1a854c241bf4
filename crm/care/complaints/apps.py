from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "crm.care.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from crm.care.complaints.messages import register_complaint_events

        register_complaint_events()
