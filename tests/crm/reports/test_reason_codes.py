"""Where applications and leads drop out, a reason code is kept for the funnel; an unknown code is refused."""

import pytest

from crm.leads import services as lead_services
from crm.leads.exceptions import InvalidLeadInput
from crm.leads.models import Lead
from orders import services as order_services
from orders.exceptions import UnknownReasonCode
from orders.models import OrderEvent

pytestmark = pytest.mark.django_db


def test_a_rejection_keeps_its_reason_code_and_an_unknown_code_changes_nothing(cast):
    order = cast.advance(cast.new_order(), "under_review")
    with pytest.raises(UnknownReasonCode):
        order_services.apply_transition(order_id=order.pk, name="reject", actor=cast.reviewer, reason="评分不足",
                                        reason_code="astrology")  # fmt: skip
    order.refresh_from_db()
    assert order.state == "under_review"
    order_services.apply_transition(order_id=order.pk, name="reject", actor=cast.reviewer, reason="评分不足",
                                    reason_code="credit_declined")  # fmt: skip
    assert OrderEvent.objects.filter(order=order).latest("pk").reason_code == "credit_declined"


def test_a_code_on_a_step_that_is_no_drop_out_is_not_kept(cast):
    order = cast.new_order()
    order_services.apply_transition(order_id=order.pk, name="submit", actor=cast.member_user, reason_code="other")
    assert OrderEvent.objects.filter(order=order).latest("pk").reason_code == ""


def test_a_declined_lead_keeps_why_and_defaults_to_other(cast):
    first = lead_services.submit_quick_lead(name="张先生", phone="13800138000", ip=None).lead
    second = lead_services.submit_quick_lead(name="李女士", phone="13800138001", ip=None).lead
    lead_services.record_contact(lead_id=first.pk, actor=cast.call_center, outcome="reached_not_interested",
                                 lost_reason="bought_elsewhere")  # fmt: skip
    lead_services.record_contact(lead_id=second.pk, actor=cast.call_center, outcome="reached_not_interested")
    assert dict(Lead.objects.values_list("pk", "lost_reason")) == {first.pk: "bought_elsewhere", second.pk: "other"}
    third = lead_services.submit_quick_lead(name="王先生", phone="13800138002", ip=None).lead
    with pytest.raises(InvalidLeadInput):
        lead_services.record_contact(lead_id=third.pk, actor=cast.call_center, outcome="reached_not_interested",
                                     lost_reason="astrology")  # fmt: skip
    assert Lead.objects.get(pk=third.pk).status == "new"
