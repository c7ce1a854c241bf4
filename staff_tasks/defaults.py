"""The standard rules head office starts with (the after-sales SOP: the 3-day call, return visits at 7, 15 and 30
days, a quarterly visit for owners, the day-7 collection call, lead follow-ups, churn recall, the model-change call).
Seeded by a data migration; head office edits them in the admin. Titles and scripts are the staff's working text,
in Simplified Chinese like the rest of the seeded content."""

from staff_tasks.enums import RuleTrigger, TaskKind

DEFAULT_RULES = [
    {
        "code": "three_day_call", "kind": TaskKind.THREE_DAY_CALL, "trigger": RuleTrigger.HANDOVER, "offset_days": 3,
        "title": "交车 3 日回访（3DC）：{name}（{plate}）",
        "script": "您好，请问是{name}吗？我是门店的客服专员。您的新车{plate}提车三天了，想了解一下用车情况："
                  "车辆使用是否顺手，功能操作有没有不清楚的地方？贷款还款和会员 App 用得还习惯吗？"
                  "有任何问题我们会第一时间为您安排。（请如实记录客户的反馈）",
    },
    {
        "code": "return_visit_7", "kind": TaskKind.RETURN_VISIT, "trigger": RuleTrigger.HANDOVER, "offset_days": 7,
        "title": "交车 7 日回访：{name}（{plate}）",
        "script": "您好，{name}，我是门店的客服专员。您的爱车{plate}开了一周了，感觉怎么样？"
                  "车辆有没有异响、故障灯或其他让您不放心的地方？对我们的销售和交车服务还满意吗？"
                  "有需要协助的地方请随时告诉我们。",
    },
    {
        "code": "return_visit_15", "kind": TaskKind.RETURN_VISIT, "trigger": RuleTrigger.HANDOVER, "offset_days": 15,
        "title": "交车 15 日回访：{name}（{plate}）",
        "script": "您好，{name}，打扰您一分钟。您的爱车{plate}用了半个月，日常使用还顺心吗？"
                  "油耗、续航和驾驶感受是否符合预期？如有疑问我们可以为您详细讲解，也欢迎您有空到店坐坐。",
    },
    {
        "code": "return_visit_30", "kind": TaskKind.RETURN_VISIT, "trigger": RuleTrigger.HANDOVER, "offset_days": 30,
        "title": "交车 30 日回访：{name}（{plate}）",
        "script": "您好，{name}，您的爱车{plate}已经陪伴您一个月了，感谢您的信任！想了解一下整体用车体验，"
                  "并提醒您留意首次保养的时间和里程，可以在会员 App 里直接预约。"
                  "近期店里有新车型到店和车主活动，欢迎您有空来体验。",
    },
    {
        "code": "owner_quarterly_visit", "kind": TaskKind.RETURN_VISIT, "trigger": RuleTrigger.OWNER_QUARTERLY,
        "offset_days": 90,
        "title": "车主季度回访：{name}（{plate}）",
        "script": "您好，{name}，我是门店的客服专员，例行做一次车主回访。您的爱车{plate}最近使用情况如何？"
                  "保养、年检和保险有没有需要我们帮您提前安排的？对我们的服务有什么意见或建议？",
    },
    {
        "code": "collection_call_7", "kind": TaskKind.COLLECTION_CALL, "trigger": RuleTrigger.INSTALLMENT_OVERDUE,
        "offset_days": 7,
        "title": "还款逾期 7 天：{name}（申请单 {number}）",
        "script": "请致电{name}：申请单{number}在{due}应还的 ¥{amount} 已逾期 7 天。礼貌提醒客户尽快还款，"
                  "说明逾期可能产生的罚息和对征信的影响，询问预计还款时间并记录；如客户表示已还款，请核对后备注。",
    },
    {
        "code": "lead_follow_up", "kind": TaskKind.LEAD_FOLLOW_UP, "trigger": RuleTrigger.LEAD_CONTACT,
        "offset_days": 0,
        "title": "线索跟进：{name}",
        "script": "您好，请问是{name}吗？我是会员中心的顾问，您之前咨询过我们的车型。想了解一下您现在的购车打算，"
                  "看中的车型、预算和月供期望是怎样的？可以为您安排试驾或到店详细了解。",
    },
    {
        "code": "churn_recall", "kind": TaskKind.CHURN_RECALL, "trigger": RuleTrigger.CHURN, "offset_days": 0,
        "title": "流失召回：{name}",
        "script": "您好，{name}，好久没有您的消息了，我是门店的客服专员。想问问您和爱车最近都好吗？"
                  "近期店里有保养优惠和车主活动，欢迎您回来看看；如果之前的服务有让您不满意的地方，也请告诉我们。",
    },
    {
        # Seed 001: a member who has churned gets a message within a week and a call within a month.
        "code": "churned_call", "kind": TaskKind.CHURN_RECALL, "trigger": RuleTrigger.CHURN, "offset_days": 14,
        "title": "流失客户回访：{name}",
        "script": "您好，{name}，我是门店的客服专员，好久没有为您和爱车服务了，很想念您。想了解一下您最近的用车情况，"
                  "以及是不是我们哪里做得不够好？您的意见对我们非常重要。近期店里有老客户回厂保养优惠，"
                  "欢迎您随时回来看看。（请记录客户未再到店的原因）",
    },
    {
        "code": "model_change_call", "kind": TaskKind.CUSTOM, "trigger": RuleTrigger.MODEL_CHANGE, "offset_days": 0,
        "title": "更换车型，请第一时间联系：{name}（申请单 {number}）",
        "script": "客户{name}刚刚更换了意向车型（新申请单 {number}）。请第一时间联系客户，"
                  "确认新车型、配置和首付月供方案，解答疑问并约定下一步，避免丢单。",
    },
]  # fmt: skip


def ensure_default_task_rules(*, rule_model=None) -> None:
    """Create the default rules that do not exist yet (by code); never overwrite head office's edits."""
    if rule_model is None:
        from staff_tasks.models import TaskRule as rule_model  # noqa: N813
    for rule in DEFAULT_RULES:
        rule_model.objects.get_or_create(
            code=rule["code"], defaults={**rule, "kind": str(rule["kind"]), "trigger": str(rule["trigger"])}
        )
