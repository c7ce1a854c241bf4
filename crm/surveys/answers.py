"""Reading a member's (or an agent's) answers against a questionnaire: every answer is checked against its
question's kind, choices and scale, and every required question must be answered. Shared by the link's API, its
page and the return-visit task."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from crm.surveys.enums import SCALES, QuestionKind
from crm.surveys.exceptions import InvalidSurveyAnswers

MAX_TEXT = 2000


@dataclass
class CleanAnswer:
    question: object
    choices: list = field(default_factory=list)
    value: int | None = None
    text: str = ""


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 6:
        return int(value.strip())
    return None


def _refuse(question, message: str):
    raise InvalidSurveyAnswers(
        _("Question %(position)d (%(text)s): %(problem)s")
        % {"position": question.number, "text": question.text, "problem": message}
    )


def clean_answers(*, questions: list, raw) -> list[CleanAnswer]:
    """``raw``: ``[{"question": id, "choice"? | "choices"? | "value"? | "text"?}, ...]``. Answers the clean
    answers in question order, or raises ``InvalidSurveyAnswers`` naming the first problem."""
    if not isinstance(raw, list) or len(raw) > 200:
        raise InvalidSurveyAnswers(_("Send the answers as a list."))
    by_id = {}
    for number, question in enumerate(questions, start=1):
        question.number = number
        by_id[question.pk] = question
    given: dict[int, dict] = {}
    for item in raw:
        if not isinstance(item, dict):
            raise InvalidSurveyAnswers(_("Each answer names its question."))
        question_id = _whole_number(item.get("question"))
        if question_id not in by_id:
            raise InvalidSurveyAnswers(_("An answer names a question that is not in this survey."))
        if question_id in given:
            raise InvalidSurveyAnswers(_("A question is answered twice."))
        given[question_id] = item
    cleaned = []
    for question in questions:
        item = given.get(question.pk)
        answer = _clean_one(question, item) if item is not None else None
        if answer is None:
            if question.is_required:
                _refuse(question, _("this question needs an answer."))
            continue
        cleaned.append(answer)
    return cleaned


def _clean_one(question, item: dict) -> CleanAnswer | None:
    kind = question.kind
    choice_ids = {choice.pk: choice for choice in question.choices.all()}
    if kind == QuestionKind.SINGLE:
        if item.get("choice") in (None, ""):
            return None
        choice = choice_ids.get(_whole_number(item.get("choice")))
        if choice is None:
            _refuse(question, _("choose one of the answers offered."))
        return CleanAnswer(question=question, choices=[choice])
    if kind == QuestionKind.MULTIPLE:
        picked = item.get("choices")
        if picked in (None, "", []):
            return None
        if not isinstance(picked, list):
            _refuse(question, _("choose one of the answers offered."))
        numbers = [_whole_number(value) for value in picked]
        if len(set(numbers)) != len(numbers) or any(number not in choice_ids for number in numbers):
            _refuse(question, _("choose one of the answers offered."))
        return CleanAnswer(question=question, choices=[choice_ids[number] for number in numbers])
    if kind in SCALES:
        if item.get("value") in (None, ""):
            return None
        low, high = SCALES[kind]
        value = _whole_number(item.get("value"))
        if value is None or not low <= value <= high:
            _refuse(question, _("choose a score from %(low)d to %(high)d.") % {"low": low, "high": high})
        return CleanAnswer(question=question, value=value)
    text = item.get("text")
    if text is None:
        return None
    if not isinstance(text, str) or len(text) > MAX_TEXT or "\x00" in text:
        _refuse(question, _("write at most %(count)d characters.") % {"count": MAX_TEXT})
    text = text.strip()
    return CleanAnswer(question=question, text=text) if text else None
