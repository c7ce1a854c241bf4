from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VehiclesConfig(AppConfig):
    name = "vehicles"
    verbose_name = _("Vehicles")

    def ready(self) -> None:
        from vehicles.reminders import register_reminder_events

        register_reminder_events()
        from members.personal_data import register_data_section
        from vehicles.personal_data import cars_section

        register_data_section(name="cars", build=cars_section)
