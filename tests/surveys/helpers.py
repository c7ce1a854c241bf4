"""Surveys for the tests: the seeded questionnaires (put back after a transactional test flushed them) and one
invitation whose link the test holds."""

from crm.surveys import services
from crm.surveys.defaults import ensure_default_questionnaires
from crm.surveys.enums import QuestionKind
from crm.surveys.selectors import active_questionnaire, questions_of


def invite(member, *, trigger="delivery", store=None, subject="order:1"):
    ensure_default_questionnaires()
    invitation, token = services.invite_member(
        trigger=trigger, member=member, store_id=store.pk if store else None, subject=subject
    )
    return invitation, token


def questions(trigger="delivery") -> dict[str, list]:
    """The questions of the questionnaire in use, by kind."""
    by_kind: dict[str, list] = {}
    for question in questions_of(questionnaire=active_questionnaire(trigger=trigger)):
        by_kind.setdefault(question.kind, []).append(question)
    return by_kind


def answers(*, csat=5, nps=10, text="很满意", trigger="delivery") -> list[dict]:
    """A full, valid set of answers for the delivery questionnaire (or another trigger's)."""
    by_kind = questions(trigger)
    body = []
    for question in by_kind.get(QuestionKind.CSAT, []):
        body.append({"question": question.pk, "value": csat})
    for question in by_kind.get(QuestionKind.NPS, []):
        body.append({"question": question.pk, "value": nps})
    for question in by_kind.get(QuestionKind.SINGLE, []):
        body.append({"question": question.pk, "choice": question.choices.all()[0].pk})
    for question in by_kind.get(QuestionKind.MULTIPLE, []):
        body.append({"question": question.pk, "choices": [c.pk for c in question.choices.all()[:2]]})
    for question in by_kind.get(QuestionKind.TEXT, []):
        body.append({"question": question.pk, "text": text})
    return body
