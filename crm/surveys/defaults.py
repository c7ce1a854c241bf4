"""The questionnaires head office starts with, one in use per trigger (seed 003's return visits: how the member
felt about the handover, the complaint's handling, the service visit, and the agent's return-visit call). Seeded by
a data migration; operators edit them in the admin (an answered one by making a new version). The texts are the
members' and agents' working text, in Simplified Chinese like the rest of the seeded content."""

from crm.surveys.enums import QuestionKind as K
from crm.surveys.enums import SurveyTrigger as T

WOULD_RECOMMEND = "您有多大可能把我们推荐给亲友？"
ANYTHING_ELSE = "还有什么想对我们说的吗？您的建议我们都会认真对待。"

DEFAULT_QUESTIONNAIRES = [
    {
        "code": "delivery", "trigger": T.DELIVERY, "title": "提车满意度回访",
        "intro": "感谢您选择我们！耽误您一分钟，告诉我们这次购车和提车的感受。",
        "questions": [
            (K.CSAT, "您对这次购车和提车的整体体验满意吗？", True, []),
            (K.NPS, WOULD_RECOMMEND, True, []),
            (K.MULTIPLE, "哪些方面让您满意？（可多选）", False,
             [("销售顾问的专业与热情", 1), ("金融方案讲解清楚", 1), ("交车仪式与车辆讲解", 1), ("办理速度", 1)]),
            (K.TEXT, ANYTHING_ELSE, False, []),
        ],
    },
    {
        "code": "complaint", "trigger": T.COMPLAINT_CLOSED, "title": "投诉处理满意度回访",
        "intro": "您反映的问题已处理完毕。请告诉我们您对处理过程的感受，帮助我们做得更好。",
        "questions": [
            (K.CSAT, "您对这次问题的处理结果满意吗？", True, []),
            (K.SINGLE, "处理速度如何？", True, [("很及时", 2), ("一般", 1), ("太慢了", 0)]),
            (K.NPS, WOULD_RECOMMEND, False, []),
            (K.TEXT, ANYTHING_ELSE, False, []),
        ],
    },
    {
        "code": "service_visit", "trigger": T.SERVICE_VISIT, "title": "维修保养满意度回访",
        "intro": "感谢您回店保养维修！耽误您一分钟，告诉我们这次服务的感受。",
        "questions": [
            (K.CSAT, "您对这次维修保养服务满意吗？", True, []),
            (K.SINGLE, "车辆问题是否一次修好？", True, [("是", 1), ("否", 0)]),
            (K.NPS, WOULD_RECOMMEND, False, []),
            (K.TEXT, ANYTHING_ELSE, False, []),
        ],
    },
    {
        "code": "return_visit", "trigger": T.RETURN_VISIT, "title": "交车后电话回访",
        "intro": "坐席在回访电话中逐题询问并记录客户的回答。",
        "questions": [
            (K.CSAT, "您对新车和我们的服务满意吗？", True, []),
            (K.SINGLE, "车辆使用中是否遇到问题？", True,
             [("没有问题", 1), ("有小问题，已解决", 0), ("有问题，需要跟进", -1)]),
            (K.NPS, WOULD_RECOMMEND, False, []),
            (K.TEXT, "客户的其他反馈（坐席记录）", False, []),
        ],
    },
]  # fmt: skip


def ensure_default_questionnaires(*, questionnaire_model=None, question_model=None, choice_model=None) -> None:
    """Create the default questionnaires whose code does not exist yet, each in use unless its trigger already has
    one in use; never touch operators' questionnaires."""
    if questionnaire_model is None:
        from crm.surveys.models import Choice as choice_model  # noqa: N813
        from crm.surveys.models import Question as question_model  # noqa: N813
        from crm.surveys.models import Questionnaire as questionnaire_model  # noqa: N813
    for spec in DEFAULT_QUESTIONNAIRES:
        if questionnaire_model.objects.filter(code=spec["code"]).exists():
            continue
        in_use = questionnaire_model.objects.filter(trigger=str(spec["trigger"]), is_active=True).exists()
        questionnaire = questionnaire_model.objects.create(
            code=spec["code"], version=1, title=spec["title"], intro=spec["intro"], trigger=str(spec["trigger"]),
            is_active=not in_use,
        )  # fmt: skip
        for position, (kind, text, is_required, choices) in enumerate(spec["questions"], start=1):
            question = question_model.objects.create(
                questionnaire=questionnaire, position=position, kind=str(kind), text=text, is_required=is_required
            )
            choice_model.objects.bulk_create(
                choice_model(question=question, position=number, text=choice_text, score=score)
                for number, (choice_text, score) in enumerate(choices, start=1)
            )
