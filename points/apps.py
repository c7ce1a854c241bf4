from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points")

    def ready(self) -> None:
        from members.dashboard import register_panel
        from points import panels

        register_panel(name="points", position=20, build=panels.points_panel)
        from points.messages import register_points_events

        register_points_events()
        from members.personal_data import register_data_section
        from points.personal_data import points_section

        register_data_section(name="points", build=points_section)
