from crm.surveys.models import Questionnaire, SurveyInvitation


def survey_invitation_qs_select_for_update():
    return SurveyInvitation.objects.order_by("pk").select_for_update(of=("self",))


def questionnaire_qs_select_for_update():
    return Questionnaire.objects.order_by("pk").select_for_update(of=("self",))
