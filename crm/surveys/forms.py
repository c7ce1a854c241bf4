"""The questionnaire as an HTML form (the member's link page and the return-visit task page): posted fields
``q<question id>`` become the answers list the services check, so both pages and the API share one set of rules."""

from crm.surveys.enums import SCALES, QuestionKind


def answers_from_post(*, questions: list, data) -> list[dict]:
    answers = []
    for question in questions:
        name = f"q{question.pk}"
        if question.kind == QuestionKind.MULTIPLE:
            picked = data.getlist(name)
            if picked:
                answers.append({"question": question.pk, "choices": picked})
            continue
        value = data.get(name, "")
        if value == "":
            continue
        if question.kind == QuestionKind.SINGLE:
            answers.append({"question": question.pk, "choice": value})
        elif question.kind in SCALES:
            answers.append({"question": question.pk, "value": value})
        else:
            answers.append({"question": question.pk, "text": value})
    return answers


def form_rows(*, questions: list, data=None) -> list[dict]:
    """What the template draws for each question: its scale or choices and what was ticked before a refusal."""
    rows = []
    for question in questions:
        name = f"q{question.pk}"
        picked = set(data.getlist(name)) if data is not None else set()
        scale = list(range(SCALES[question.kind][0], SCALES[question.kind][1] + 1)) if question.kind in SCALES else []
        rows.append({"question": question, "name": name, "scale": scale, "picked": {str(v) for v in picked},
                     "text": data.get(name, "") if data is not None else ""})  # fmt: skip
    return rows
