"""Surveys over the API: the one-time link (no sign-in) and the satisfaction report (back office)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.middleware import client_ip
from crm.surveys import selectors, services
from crm.surveys.enums import QuestionKind, SurveyTrigger
from crm.surveys.exceptions import SurveyNotFound
from members.api import ErrorSerializer


class IsStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class ChoiceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class QuestionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField()
    required = serializers.BooleanField(source="is_required")
    choices = serializers.SerializerMethodField()

    def get_choices(self, question) -> list[dict] | None:
        if question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            return None
        return ChoiceOutputSerializer(question.choices.all(), many=True).data


class SurveyOutputSerializer(serializers.Serializer):
    title = serializers.CharField()
    intro = serializers.CharField()
    expires_at = serializers.DateTimeField()
    questions = QuestionOutputSerializer(many=True)


class AnswerInputSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    choice = serializers.IntegerField(required=False, help_text="single choice: the choice's id")
    choices = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="multiple choice")
    value = serializers.IntegerField(required=False, help_text="csat 1–5, nps 0–10")
    text = serializers.CharField(required=False, help_text="text")


class SurveyAnswersInputSerializer(serializers.Serializer):
    answers = serializers.JSONField(help_text="A list of answers, one per question answered.")


class SurveyAnswersSchemaSerializer(serializers.Serializer):
    """What the schema shows; the answers are checked against the questionnaire by the service."""

    answers = AnswerInputSerializer(many=True)


THANKS = _("Thank you for your answers! They help us serve you better.")


class SurveyAnsweredSerializer(serializers.Serializer):
    detail = serializers.CharField()


class SurveyApi(APIView):
    """The member's one-time link: read the questionnaire, answer it once. No sign-in: the token is the key."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="surveys_read",
        responses={200: SurveyOutputSerializer, 404: ErrorSerializer, 409: ErrorSerializer, 410: ErrorSerializer,
                   429: ErrorSerializer},
    )  # fmt: skip
    def get(self, request, token: str):
        try:
            invitation = services.open_invitation(token=token)
        except SurveyNotFound:
            services.take_survey_slot(ip=client_ip(request))  # guessing links costs the address its hourly slots
            raise
        questionnaire = invitation.questionnaire
        body = {
            "title": questionnaire.title, "intro": questionnaire.intro, "expires_at": invitation.expires_at,
            "questions": selectors.questions_of(questionnaire=questionnaire),
        }  # fmt: skip
        return Response(SurveyOutputSerializer(body).data)

    @extend_schema(
        operation_id="surveys_answer",
        request=SurveyAnswersSchemaSerializer,
        responses={201: SurveyAnsweredSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer,
                   410: ErrorSerializer, 429: ErrorSerializer},
    )  # fmt: skip
    def post(self, request, token: str):
        data = SurveyAnswersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.answer_survey(token=token, answers=data.validated_data["answers"], ip=client_ip(request))
        return Response({"detail": str(THANKS)}, status=201)


class SatisfactionSerializer(serializers.Serializer):
    csat = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        help_text="Percent of satisfaction answers that are 4 or 5; null: none.",
    )
    nps = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        help_text="Percent 9–10 minus percent 0–6 of recommendation answers; null: none.",
    )
    responses = serializers.IntegerField(help_text="Responses (answered surveys) in the slice.")
    csat_answers = serializers.IntegerField()
    nps_answers = serializers.IntegerField()
    thin = serializers.BooleanField(source="is_thin", help_text="Fewer than 30 responses: read with care.")  # fmt: skip


class StoreSatisfactionSerializer(SatisfactionSerializer):
    store = serializers.CharField(source="store_code", allow_null=True, help_text="The store's code; null: none.")
    store_name = serializers.CharField(allow_null=True)


class TriggerSatisfactionSerializer(SatisfactionSerializer):
    trigger = serializers.ChoiceField(choices=SurveyTrigger.choices)
    trigger_label = serializers.CharField()


class MonthSatisfactionSerializer(SatisfactionSerializer):
    month = serializers.DateField(help_text="The first day of the month.")


class SatisfactionReportSerializer(SatisfactionSerializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    stores = StoreSatisfactionSerializer(many=True)
    triggers = TriggerSatisfactionSerializer(many=True)
    months = MonthSatisfactionSerializer(many=True)
