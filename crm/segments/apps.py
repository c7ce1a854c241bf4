from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "crm.segments"
    label = "segments"
    verbose_name = _("Segments and tags")

    def ready(self) -> None:
        from crm.segments.messages import register_segment_events

        register_segment_events()
