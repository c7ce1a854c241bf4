"""Every write of surveys: questionnaire versions, invitations with a one-time link, answers (by the member through
the link, or by an agent during a return-visit call), and the follow-up task a low score opens."""

import datetime
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.surveys.answers import clean_answers
from crm.surveys.enums import InvitationChannel, QuestionKind, SurveyTrigger
from crm.surveys.exceptions import (
    SurveyAlreadyAnswered,
    SurveyExpired,
    SurveyNotFound,
    TooManySurveyRequests,
)
from crm.surveys.lock_objects import questionnaire_qs_select_for_update, survey_invitation_qs_select_for_update
from crm.surveys.messages import INVITATION_EVENT
from crm.surveys.models import (
    Choice,
    Question,
    Questionnaire,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    hash_token,
)
from crm.surveys.selectors import active_questionnaire, questions_of
from notifications.catalog import language_of, render, resolve_text
from notifications.models import Category, Channel
from notifications.services import queue_notification
from staff_tasks.enums import SubjectType, TaskKind
from staff_tasks.services import open_task

# 32 random bytes: the link cannot be guessed, and only its hash is stored.
TOKEN_BYTES = 32


def survey_link(token: str) -> str:
    return f"/s/{token}/"


# Questionnaires ------------------------------------------------------------------------------------------------


@transaction.atomic
def new_questionnaire_version(*, questionnaire_id: int) -> Questionnaire:
    """A copy of a questionnaire as the next version of its code, not in use yet, to edit freely: the answered one
    stays as it was, so its answers keep meaning what they meant."""
    source = questionnaire_qs_select_for_update().get(pk=questionnaire_id)
    latest = Questionnaire.objects.filter(code=source.code).aggregate(latest=Max("version"))["latest"]
    copy = Questionnaire.objects.create(
        code=source.code, version=latest + 1, title=source.title, intro=source.intro, trigger=source.trigger,
        is_active=False,
    )  # fmt: skip
    for question in questions_of(questionnaire=source):
        new_question = Question.objects.create(
            questionnaire=copy, position=question.position, kind=question.kind, text=question.text,
            is_required=question.is_required,
        )  # fmt: skip
        Choice.objects.bulk_create(
            Choice(question=new_question, position=choice.position, text=choice.text, score=choice.score)
            for choice in question.choices.all()
        )
    return copy


@transaction.atomic
def activate_questionnaire(*, questionnaire_id: int) -> Questionnaire:
    """Put a questionnaire in use for its trigger; the one in use before is retired (its answers stay)."""
    questionnaire = questionnaire_qs_select_for_update().get(pk=questionnaire_id)
    Questionnaire.objects.filter(trigger=questionnaire.trigger, is_active=True).exclude(pk=questionnaire.pk).update(
        is_active=False
    )
    questionnaire.is_active = True
    questionnaire.save(update_fields=["is_active"])
    return questionnaire


# Invitations ---------------------------------------------------------------------------------------------------


@transaction.atomic
def invite_member(*, trigger: str, member, store_id: int | None, subject: str) -> tuple[SurveyInvitation, str] | None:
    """Send the questionnaire in use for ``trigger`` to the member about ``subject`` (``order:12``): a one-time
    link in the inbox at once and by SMS as quiet hours allow. Once per trigger and subject, however often it is
    called; nothing when no questionnaire is in use or the member's account is closed. Answers the invitation and
    the link's token (only its hash is stored)."""
    questionnaire = active_questionnaire(trigger=trigger)
    if questionnaire is None or not member.user.is_active:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = SurveyInvitation.objects.create(
                questionnaire=questionnaire, member=member, store_id=store_id, trigger=trigger,
                channel=InvitationChannel.LINK, subject=subject[:60], token_hash=hash_token(token),
                dedupe_key=f"{trigger}:{subject}"[:100], created_at=now,
                expires_at=now + datetime.timedelta(days=settings.SURVEY_LINK_TTL_DAYS),
            )  # fmt: skip
    except IntegrityError:
        return None  # sent before (an event delivered twice)
    link = survey_link(token)
    language = language_of(member.user)
    with translation.override(language):
        context = {
            "name": member.name or member.real_name or _("Dear member"),
            "title": questionnaire.title,
            "link": f"{settings.SITE_URL.rstrip('/')}{link}",
            "days": settings.SURVEY_LINK_TTL_DAYS,
        }
        for channel in (Channel.INBOX, Channel.SMS):
            subject_text, body = resolve_text(event=INVITATION_EVENT, channel=channel, language=language)
            queue_notification(
                recipient_id=member.user_id, event=INVITATION_EVENT, subject=render(subject_text, context),
                body=render(body, context), dedupe_key=f"survey:{invitation.pk}", channels=[channel],
                category=Category.SERVICE, link=link,
            )  # fmt: skip
    return invitation, token


# Answers -------------------------------------------------------------------------------------------------------


def take_survey_slot(*, ip: str | None) -> None:
    """At most SURVEY_REQUESTS_PER_IP_HOURLY answers (and unknown links) per address per clock hour."""
    if not ip:
        return
    key = f"surveys:{ip}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > settings.SURVEY_REQUESTS_PER_IP_HOURLY:
        raise TooManySurveyRequests


def open_invitation(*, token: str, now: datetime.datetime | None = None) -> SurveyInvitation:
    """The invitation of a link that may still be answered: unknown 404, answered 409, expired 410."""
    invitation = (
        SurveyInvitation.objects.select_related("questionnaire").filter(token_hash=hash_token(token[:100])).first()
    )
    if invitation is None:
        raise SurveyNotFound
    _check_open(invitation, now=now)
    return invitation


def _check_open(invitation: SurveyInvitation, *, now=None) -> None:
    if invitation.answered_at is not None:
        raise SurveyAlreadyAnswered
    if invitation.is_expired(now):
        raise SurveyExpired


@transaction.atomic
def answer_survey(*, token: str, answers, ip: str | None = None) -> SurveyResponse:
    """The member answers through the link, once: the invitation row is locked before the check, so of two
    submits at once the second sees the first and gets 409 (the one-to-one response is the backstop)."""
    take_survey_slot(ip=ip)
    found = SurveyInvitation.objects.filter(token_hash=hash_token(token[:100])).values_list("pk", flat=True).first()
    if found is None:
        raise SurveyNotFound
    invitation = survey_invitation_qs_select_for_update().select_related("member", "questionnaire").get(pk=found)
    _check_open(invitation)
    return _record_response(invitation=invitation, raw_answers=answers, actor=invitation.member.user)


@transaction.atomic
def record_call_answers(*, task, answers, actor) -> SurveyResponse | None:
    """The agent fills the return-visit questionnaire during the call, inside the task: an invitation of the call
    channel (one per task) answered at once. Nothing when no questionnaire is in use for return visits."""
    questionnaire = active_questionnaire(trigger=SurveyTrigger.RETURN_VISIT)
    if questionnaire is None or task.member_id is None:
        return None
    now = timezone.now()
    invitation, created = SurveyInvitation.objects.get_or_create(
        dedupe_key=f"{SurveyTrigger.RETURN_VISIT}:task:{task.pk}",
        defaults={
            "questionnaire": questionnaire, "member_id": task.member_id, "store_id": task.store_id,
            "trigger": SurveyTrigger.RETURN_VISIT, "channel": InvitationChannel.CALL, "subject": f"task:{task.pk}",
            "token_hash": hash_token(secrets.token_urlsafe(TOKEN_BYTES)), "created_at": now, "expires_at": now,
        },
    )  # fmt: skip
    invitation = (
        survey_invitation_qs_select_for_update().select_related("member", "questionnaire").get(pk=invitation.pk)
    )
    if invitation.answered_at is not None:
        raise SurveyAlreadyAnswered
    return _record_response(invitation=invitation, raw_answers=answers, actor=actor)


def _record_response(*, invitation: SurveyInvitation, raw_answers, actor) -> SurveyResponse:
    cleaned = clean_answers(questions=questions_of(questionnaire=invitation.questionnaire), raw=raw_answers)
    now = timezone.now()
    csat = next((a.value for a in cleaned if a.question.kind == QuestionKind.CSAT), None)
    nps = next((a.value for a in cleaned if a.question.kind == QuestionKind.NPS), None)
    scored = [choice.score for answer in cleaned for choice in answer.choices]
    response = SurveyResponse.objects.create(
        invitation=invitation, questionnaire=invitation.questionnaire, member=invitation.member,
        store_id=invitation.store_id, trigger=invitation.trigger, csat=csat, nps=nps,
        choice_score=sum(scored) if scored else None, answered_by=actor, answered_at=now,
    )  # fmt: skip
    rows = []
    for answer in cleaned:
        if answer.choices:
            rows += [SurveyAnswer(response=response, question=answer.question, choice=c) for c in answer.choices]
        else:
            rows.append(SurveyAnswer(response=response, question=answer.question, value=answer.value, text=answer.text))
    SurveyAnswer.objects.bulk_create(rows)
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    if is_low_score(csat=csat, nps=nps):
        _open_follow_up(response=response, cleaned=cleaned)
    return response


def is_low_score(*, csat: int | None, nps: int | None) -> bool:
    """A detractor (recommendation 0–6) or a dissatisfied member (satisfaction 1–2)."""
    return (nps is not None and nps <= settings.SURVEY_DETRACTOR_MAX) or (
        csat is not None and csat <= settings.SURVEY_LOW_CSAT_MAX
    )


def _open_follow_up(*, response: SurveyResponse, cleaned) -> None:
    """One follow-up task per low response, for the store the survey was about (head office's queue if none)."""
    member = response.member
    with translation.override(settings.LANGUAGE_CODE):
        name = member.name or member.real_name or str(member.user.phone)
        scores = []
        if response.csat is not None:
            scores.append(_("satisfaction %(score)d/5") % {"score": response.csat})
        if response.nps is not None:
            scores.append(_("recommendation %(score)d/10") % {"score": response.nps})
        comments = [answer.text for answer in cleaned if answer.text]
        title = _("Low survey score: %(name)s (%(scores)s)") % {"name": name, "scores": ", ".join(scores)}
        script = _(
            '%(name)s gave a low score in the survey "%(title)s" (%(scores)s). Call to listen, apologise where we '
            "fell short and agree what we will do."
        ) % {"name": name, "title": response.questionnaire.title, "scores": ", ".join(scores)}
        if comments:
            script += "\n" + _("Their words: %(comments)s") % {"comments": " / ".join(comments)}
    open_task(
        kind=TaskKind.SURVEY_FOLLOW_UP, title=title, script=script,
        due_at=timezone.now() + datetime.timedelta(hours=settings.SURVEY_FOLLOW_UP_DUE_HOURS),
        store=response.store, member=member, subject_type=SubjectType.MEMBER, subject_id=member.pk,
        dedupe_key=f"survey_follow_up:response:{response.pk}",
    )  # fmt: skip
