from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffTasksConfig(AppConfig):
    name = "staff_tasks"
    verbose_name = _("Staff tasks")
