"""Demo surveys, idempotent: the seeded questionnaires, a dozen answered ones across triggers and scores (a low one
opens a follow-up task) and one open link to try. Answers the open link's path on the first run, else None."""

import random

from crm.surveys import services
from crm.surveys.defaults import ensure_default_questionnaires
from crm.surveys.enums import SCALES, QuestionKind, SurveyTrigger
from crm.surveys.models import SurveyInvitation
from crm.surveys.selectors import active_questionnaire, questions_of
from members.models import Member

SCORES = [(5, 10), (5, 9), (4, 9), (4, 8), (5, 10), (3, 7), (4, 9), (2, 5), (5, 10), (4, 7), (5, 9), (1, 3)]
TRIGGERS = [SurveyTrigger.DELIVERY, SurveyTrigger.SERVICE_VISIT, SurveyTrigger.COMPLAINT_CLOSED]


def _answers(trigger: str, csat: int, nps: int, pick: random.Random) -> list[dict]:
    answers = []
    for question in questions_of(questionnaire=active_questionnaire(trigger=trigger)):
        if question.kind == QuestionKind.CSAT:
            answers.append({"question": question.pk, "value": csat})
        elif question.kind == QuestionKind.NPS:
            answers.append({"question": question.pk, "value": nps})
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            choices = [choice.pk for choice in question.choices.all()]
            chosen = pick.choice(choices)
            answers.append(
                {
                    "question": question.pk,
                    **({"choice": chosen} if question.kind == QuestionKind.SINGLE else {"choices": [chosen]}),
                }
            )
        elif question.kind not in SCALES and csat <= 2:
            answers.append({"question": question.pk, "text": "等待时间太长，希望改进。"})
    return answers


def seed_surveys_demo() -> str | None:
    ensure_default_questionnaires()
    if SurveyInvitation.objects.filter(subject__startswith="demo:").exists():
        return None
    members = list(Member.objects.select_related("user").filter(preferred_store__isnull=False).order_by("pk")[:12])
    if not members:
        return None
    pick = random.Random(7)  # noqa: S311  (demo data, not security)
    for index, (csat, nps) in enumerate(SCORES):
        member = members[index % len(members)]
        trigger = TRIGGERS[index % len(TRIGGERS)]
        sent = services.invite_member(trigger=trigger, member=member, store_id=member.preferred_store_id,
                                      subject=f"demo:{index}")  # fmt: skip
        if sent is not None:
            services.answer_survey(token=sent[1], answers=_answers(trigger, csat, nps, pick))
    open_one = services.invite_member(trigger=SurveyTrigger.DELIVERY, member=members[0],
                                      store_id=members[0].preferred_store_id, subject="demo:open")  # fmt: skip
    return services.survey_link(open_one[1]) if open_one else None
