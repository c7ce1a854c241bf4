"""What each kind of rule may say: the placeholders its title and script can use, and whom it leaves out."""

from staff_tasks.enums import RuleTrigger, TaskKind

RULE_PLACEHOLDERS = {
    RuleTrigger.HANDOVER: ("name", "plate"),
    RuleTrigger.OWNER_QUARTERLY: ("name", "plate"),
    RuleTrigger.INSTALLMENT_OVERDUE: ("name", "amount", "due", "number"),
    RuleTrigger.LEAD_CONTACT: ("name",),
    RuleTrigger.CHURN: ("name",),
    RuleTrigger.MODEL_CHANGE: ("name", "number"),
}


def respects_call_opt_out(*, rule) -> bool:
    """A member who switched calls off gets no care or marketing call; a repayment collection call is a
    transactional contact about money owed, which (like a transactional message) cannot be switched off."""
    return rule.kind != TaskKind.COLLECTION_CALL
