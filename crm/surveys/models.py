"""Questionnaires (versioned: an answered one is never edited in place), the invitations that carry a one-time
link to a member, and the responses with their answers and the scores reports read."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.surveys.enums import InvitationChannel, QuestionKind, SurveyTrigger


class Questionnaire(models.Model):
    # The versions of one questionnaire share its code; editing an answered one makes version + 1.
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=120)
    intro = models.TextField(_("introduction"), blank=True)
    trigger = models.CharField(_("sent after"), max_length=20, choices=SurveyTrigger.choices)
    is_active = models.BooleanField(
        _("in use"), default=False, help_text=_("One questionnaire per trigger is in use; it is the one sent.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_version_unique"),
            models.UniqueConstraint(
                fields=["trigger"], condition=Q(is_active=True), name="questionnaire_one_active_per_trigger"
            ),
        ]
        ordering = ["code", "-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    is_required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["questionnaire", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("answer"), max_length=200)
    score = models.SmallIntegerField(_("score"), default=0)

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SurveyInvitation(models.Model):
    """One member asked to answer one questionnaire once, about one thing (a handover, a complaint, a service visit,
    a return-visit call). Only the hash of the link's token is kept."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="invitations"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="survey_invitations"
    )
    store = models.ForeignKey(
        "members.Store", verbose_name=_("store"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    trigger = models.CharField(_("sent after"), max_length=20, choices=SurveyTrigger.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=InvitationChannel.choices)
    # What it is about, e.g. "order:12", "complaint:3", "service_record:9", "task:40" — also the dedupe key's tail.
    subject = models.CharField(_("about"), max_length=60)
    token_hash = models.CharField(_("link key (hashed)"), max_length=64, unique=True, editable=False)
    dedupe_key = models.CharField(_("dedupe key"), max_length=100, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "created_at"], name="survey_invitation_member")]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.subject}"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class SurveyResponse(models.Model):
    """The answers to one invitation (at most one: the one-to-one key is the backstop against a double submit),
    with the scores the reports and the member's value read: the first satisfaction (1–5) and recommendation (0–10)
    answers and the sum of the choice scores."""

    invitation = models.OneToOneField(
        SurveyInvitation, verbose_name=_("survey invitation"), on_delete=models.CASCADE, related_name="response"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="responses"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="survey_responses"
    )
    store = models.ForeignKey(
        "members.Store", verbose_name=_("store"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    trigger = models.CharField(_("sent after"), max_length=20, choices=SurveyTrigger.choices)
    csat = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("recommendation (0–10)"), null=True, blank=True)
    choice_score = models.IntegerField(_("choice score"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+",
        help_text=_("The member, or the agent who filled it in during a call."),
    )  # fmt: skip
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5), name="response_csat_1_5"
            ),
            models.CheckConstraint(condition=Q(nps__isnull=True) | Q(nps__lte=10), name="response_nps_0_10"),
        ]
        indexes = [
            # The satisfaction report: by period, then store and trigger; a member's scores.
            models.Index(fields=["answered_at", "store"], name="survey_response_period"),
            models.Index(fields=["member", "answered_at"], name="survey_response_member"),
        ]
        ordering = ["-answered_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.answered_at:%Y-%m-%d}"


class SurveyAnswer(models.Model):
    """One answer: a choice (one row per ticked choice of a multiple-choice question), a number or a text."""

    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("survey response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+")
    choice = models.ForeignKey(
        Choice, verbose_name=_("choice"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    value = models.SmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question", "choice"], name="survey_answer_choice_once"),
        ]
        ordering = ["response", "question__position", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return str(self.choice or self.value or self.text)
