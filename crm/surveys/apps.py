from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "crm.surveys"
    label = "surveys"
    verbose_name = _("Surveys and return visits")

    def ready(self) -> None:
        from crm.surveys.messages import register_survey_events

        register_survey_events()
