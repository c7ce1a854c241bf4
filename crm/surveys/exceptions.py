from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class SurveyNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("This survey link is not valid.")


class SurveyExpired(DomainError):
    code = "survey_expired"
    status_code = 410
    default_message = _("Sorry, this survey has closed. Thank you all the same!")


class SurveyAlreadyAnswered(DomainError):
    code = "already_answered"
    status_code = 409
    default_message = _("This survey has already been answered. Thank you!")


class InvalidSurveyAnswers(DomainError):
    code = "invalid_answers"
    field = "answers"
    default_message = _("Please check your answers.")


class TooManySurveyRequests(DomainError):
    code = "too_many_requests"
    status_code = 429
    default_message = _("Too many attempts from this address. Please try again in an hour.")


class QuestionnaireAnswered(DomainError):
    code = "questionnaire_answered"
    status_code = 409
    default_message = _("This questionnaire has answers and cannot be edited; make a new version instead.")
