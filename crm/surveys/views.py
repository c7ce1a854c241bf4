"""The survey link's page (/s/<token>/): a phone-sized form, no sign-in, answered once."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from common.exceptions import DomainError
from common.middleware import client_ip
from crm.surveys import selectors, services
from crm.surveys.exceptions import InvalidSurveyAnswers, SurveyNotFound
from crm.surveys.forms import answers_from_post, form_rows


@never_cache
def survey_page(request, token: str):
    try:
        invitation = services.open_invitation(token=token)
    except SurveyNotFound as error:
        try:  # guessing links costs the address its hourly slots
            services.take_survey_slot(ip=client_ip(request))
        except DomainError as limited:
            return _closed(request, limited)
        return _closed(request, error)
    except DomainError as error:
        return _closed(request, error)
    questions = selectors.questions_of(questionnaire=invitation.questionnaire)
    error_message = ""
    if request.method == "POST":
        try:
            services.answer_survey(
                token=token, answers=answers_from_post(questions=questions, data=request.POST), ip=client_ip(request)
            )
        except InvalidSurveyAnswers as error:
            error_message = str(error.message)
        except DomainError as error:
            return _closed(request, error)
        else:
            return render(request, "surveys/thanks.html", {"questionnaire": invitation.questionnaire})
    context = {
        "invitation": invitation,
        "questionnaire": invitation.questionnaire,
        "rows": form_rows(questions=questions, data=request.POST if request.method == "POST" else None),
        "error": error_message,
    }
    return render(request, "surveys/survey.html", context, status=400 if error_message else 200)


def _closed(request, error: DomainError):
    return render(request, "surveys/closed.html", {"error": error}, status=error.status_code)
