"""What sends a survey: subscribers of domain events (settings.DOMAIN_EVENT_SUBSCRIBERS) — a handover, a closed
complaint, a service visit — and the return-visit task's completion hook (settings.TASK_COMPLETION_HOOKS). Each is
idempotent: one invitation per trigger and subject."""

from django.utils.translation import gettext as _

from crm.surveys import services
from crm.surveys.enums import SurveyTrigger
from crm.surveys.exceptions import InvalidSurveyAnswers
from members.selectors import get_member_by_id
from orders.selectors import delivering_store_id, get_delivered_order
from staff_tasks.enums import TaskKind, TaskOutcome
from vehicles.selectors import get_service_record


def invite_after_delivery(event) -> None:
    order = get_delivered_order(order_id=event.payload["order_id"])
    if order is None:
        return
    services.invite_member(
        trigger=SurveyTrigger.DELIVERY, member=order.member, store_id=order.store_id, subject=f"order:{order.pk}"
    )


def invite_after_complaint(event) -> None:
    """``complaint.closed``: payload ``{complaint_id, member_id, store_id}``."""
    payload = event.payload
    member = get_member_by_id(member_id=payload["member_id"])
    if member is None:
        return
    services.invite_member(
        trigger=SurveyTrigger.COMPLAINT_CLOSED, member=member, store_id=payload.get("store_id"),
        subject=f"complaint:{payload['complaint_id']}",
    )  # fmt: skip


def invite_after_service_visit(event) -> None:
    """A service visit from the dealer system's import: the store is the one that handed the car over (else the
    member's own store)."""
    record = get_service_record(record_id=event.payload["service_record_id"])
    if record is None:
        return
    member = record.vehicle.member
    store_id = delivering_store_id(vin=record.vehicle.vin) or member.preferred_store_id
    services.invite_member(
        trigger=SurveyTrigger.SERVICE_VISIT, member=member, store_id=store_id, subject=f"service_record:{record.pk}"
    )


def record_return_visit_answers(*, task, answers, actor) -> None:
    """Completing a return-visit task with ``answers`` as a list: they are the return-visit questionnaire's, checked
    and recorded in the completion's transaction (bad answers refuse the completion). Answers in another shape (an
    object of notes) stay on the task as they were, free-form."""
    if task.kind != TaskKind.RETURN_VISIT or not isinstance(answers, list) or not answers:
        return
    if task.outcome != TaskOutcome.REACHED:
        raise InvalidSurveyAnswers(_("Answers are recorded only when the member was reached."))
    services.record_call_answers(task=task, answers=answers, actor=actor)
