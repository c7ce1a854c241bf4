from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OwnerEventsConfig(AppConfig):
    name = "crm.owner_events"
    label = "owner_events"
    verbose_name = _("Owner events")
