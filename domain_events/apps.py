from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DomainEventsConfig(AppConfig):
    name = "domain_events"
    verbose_name = _("Domain events")
