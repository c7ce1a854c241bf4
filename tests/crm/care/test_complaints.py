"""Complaints: filing, the steps by role, closing rules, the member's view and rating, the clock, the sweep."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from crm.care.complaints import services
from crm.care.complaints.enums import ComplaintStatus, SlaStatus
from crm.care.complaints.exceptions import RootCauseRequired, TransitionForbidden, TransitionNotAllowed
from crm.care.complaints.models import Complaint, ComplaintEvent, ComplaintRating
from domain_events.models import DomainEvent
from members.services import issue_access_token
from notifications.models import Notification
from staff_tasks.models import Task
from tests.helpers import row_counts
from tests.members.factories import MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db
# A Monday morning in an ordinary working week.
MONDAY = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC) - datetime.timedelta(hours=8)
ROAD = ["record", "investigate", "propose_solution", "notify_member", "execute", "follow_up", "close"]


def _file(cast, *, member=None, severity="general", **kwargs):
    return services.file_complaint(
        member=member or cast.member, category="service", description="保养后异响", filed_by="member",
        actor=(member or cast.member).user, severity=severity, **kwargs,
    )  # fmt: skip


def _walk(cast, complaint, until="close", **close):
    actors = {"record": cast.store_staff, "investigate": cast.store_staff, "propose_solution": cast.store_manager,
              "notify_member": cast.store_staff, "execute": cast.store_staff, "follow_up": cast.call_center,
              "close": cast.store_manager}  # fmt: skip
    for name in ROAD:
        complaint = services.apply_transition(
            complaint_id=complaint.pk, name=name, actor=actors[name], note=f"{name} 备注",
            **(close if name == "close" else {}),
        )  # fmt: skip
        if name == until:
            break
    return complaint


def _client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


@time_machine.travel(MONDAY, tick=False)
def test_filing_sets_business_hour_deadlines_and_the_store(cast):
    complaint = _file(cast)
    assert complaint.store == cast.store
    assert complaint.status == ComplaintStatus.RECEIVED
    shanghai = timezone.get_default_timezone()
    assert complaint.first_response_due == datetime.datetime(2026, 3, 2, 18, tzinfo=shanghai)
    # 9-hour days: 8 + 9 + 9 + 9 + 5 business hours.
    assert complaint.resolution_due == datetime.datetime(2026, 3, 6, 14, tzinfo=shanghai)
    assert complaint.events.get().transition == "file"


def test_each_step_by_the_right_role_writes_an_event_and_closing_records_the_domain_event(cast):
    complaint = _walk(cast, _file(cast))
    assert complaint.status == ComplaintStatus.CLOSED
    assert complaint.sla_status == SlaStatus.MET
    assert list(complaint.events.values_list("transition", flat=True)) == ["file", *ROAD]
    assert all(event.actor_id for event in complaint.events.exclude(transition="file"))
    event = DomainEvent.objects.get(name="complaint.closed")
    assert event.payload == {"complaint_id": complaint.pk, "member_id": cast.member.pk, "store_id": cast.store.pk}
    events = set(Notification.objects.filter(recipient=cast.member_user).values_list("event", flat=True))
    assert events == {"complaint.recorded", "complaint.member_notified", "complaint.executing", "complaint.closed"}


@pytest.mark.parametrize(
    ("name", "wrong"),
    [("record", "finance"), ("propose_solution", "store_staff"), ("close", "call_center"), ("record", "store_b")],
)
def test_a_step_by_the_wrong_role_is_forbidden_and_changes_nothing(cast, name, wrong):
    complaint = _file(cast)
    if name != "record":
        complaint = _walk(cast, complaint, until={"propose_solution": "investigate", "close": "follow_up"}[name])
    actor = {"finance": cast.finance, "store_staff": cast.store_staff, "call_center": cast.call_center,
             "store_b": cast.other_store_staff}[wrong]  # fmt: skip
    before = row_counts(ComplaintEvent, Notification)
    with pytest.raises(TransitionForbidden):
        services.apply_transition(complaint_id=complaint.pk, name=name, actor=actor, note="x")
    assert Complaint.objects.get(pk=complaint.pk).status == complaint.status
    assert row_counts(ComplaintEvent, Notification) == before


def test_a_step_the_state_does_not_permit_is_409(cast):
    complaint = _file(cast)
    with pytest.raises(TransitionNotAllowed):
        services.apply_transition(complaint_id=complaint.pk, name="close", actor=cast.store_manager, note="x")


def test_closing_a_serious_complaint_needs_root_cause_and_prevention(cast):
    complaint = _walk(cast, _file(cast, severity="serious"), until="follow_up")
    with pytest.raises(RootCauseRequired):
        services.apply_transition(complaint_id=complaint.pk, name="close", actor=cast.store_manager, note="结案")
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.FOLLOW_UP
    closed = services.apply_transition(
        complaint_id=complaint.pk, name="close", actor=cast.store_manager, note="结案", root_cause="技师漏装卡扣",
        prevention="保养完工增加复检",
    )  # fmt: skip
    assert closed.status == ComplaintStatus.CLOSED
    assert closed.root_cause == "技师漏装卡扣"


def test_api_close_without_root_cause_is_400(cast):
    complaint = _walk(cast, _file(cast, severity="major"), until="follow_up")
    answer = _client(cast.store_manager).post(
        f"/api/v1/backoffice/complaints/{complaint.pk}/transitions/close/", {"note": "结案"}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "root_cause_required"


def test_reopen_soon_after_closing_reopens_the_same_complaint(cast):
    complaint = _walk(cast, _file(cast))
    reopened = services.apply_transition(complaint_id=complaint.pk, name="reopen", actor=cast.call_center, note="又响")
    assert reopened.pk == complaint.pk
    assert reopened.status == ComplaintStatus.REOPENED
    assert reopened.closed_at is None


def test_reopen_after_n_days_opens_a_new_linked_complaint(cast, settings):
    settings.COMPLAINT_REOPEN_AS_NEW_AFTER_DAYS = 7
    complaint = _walk(cast, _file(cast))
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        new = services.apply_transition(complaint_id=complaint.pk, name="reopen", actor=cast.call_center, note="又响")
    assert new.pk != complaint.pk
    assert new.reopens_id == complaint.pk
    assert new.status == ComplaintStatus.RECEIVED
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.CLOSED


def test_member_api_files_sees_and_rates_once(cast, member_client, member):
    other = _file(cast)  # the cast member's, not ``member``'s
    client = _client(cast.member_user)
    answer = client.post("/api/v1/complaints/", {"category": "sales", "description": "销售承诺未兑现"}, format="json")
    assert answer.status_code == 201
    body = answer.json()
    assert {"id", "number", "status", "status_label", "severity", "timeline", "first_response_due",
            "resolution_due"} <= set(body)  # fmt: skip
    complaint_id = body["id"]
    assert client.post(f"/api/v1/complaints/{complaint_id}/rating/", {"score": 5}, format="json").status_code == 409
    assert member_client.get(f"/api/v1/complaints/{other.pk}/").status_code == 404
    _walk(cast, Complaint.objects.get(pk=complaint_id))
    assert (
        member_client.post(f"/api/v1/complaints/{complaint_id}/rating/", {"score": 5}, format="json").status_code == 404
    )
    assert client.post(f"/api/v1/complaints/{complaint_id}/rating/", {"score": 6}, format="json").status_code == 400
    first = client.post(f"/api/v1/complaints/{complaint_id}/rating/", {"score": 4, "comment": "满意"}, format="json")
    assert first.status_code == 201
    again = client.post(f"/api/v1/complaints/{complaint_id}/rating/", {"score": 1}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_rated"
    assert ComplaintRating.objects.get().score == 4


def test_filing_with_someone_else_s_order_is_400(cast):
    order = cast.new_order()
    stranger = MemberFactory()
    answer = _client(stranger.user).post(
        "/api/v1/complaints/", {"category": "sales", "description": "x", "order": order.pk}, format="json"
    )
    assert answer.status_code == 400
    assert not Complaint.objects.exists()


def test_staff_of_another_store_cannot_see_a_complaint(cast):
    complaint = _file(cast)
    assert _client(cast.other_store_staff).get(f"/api/v1/backoffice/complaints/{complaint.pk}/").status_code == 404
    listed = _client(cast.other_store_staff).get("/api/v1/backoffice/complaints/").json()
    assert listed["count"] == 0
    detail = _client(cast.store_staff).get(f"/api/v1/backoffice/complaints/{complaint.pk}/").json()
    assert [step["name"] for step in detail["available_transitions"]] == ["record"]
    assert detail["sla_status"] == "on_track"


def test_pause_and_resume_move_the_deadline_by_the_paused_business_time(cast):
    with time_machine.travel(MONDAY, tick=False):
        complaint = _file(cast)
        due = complaint.resolution_due
    visible = Complaint.objects.values("pk")
    with time_machine.travel(MONDAY + datetime.timedelta(hours=1), tick=False):
        paused = services.pause_clock(complaint_id=complaint.pk, actor=cast.store_staff, reason="等客户提供照片",
                                      visible_ids=visible)  # fmt: skip
        assert paused.sla_status == SlaStatus.PAUSED
    # Resumed the next morning at 10:00: paused 11:00–18:00 Monday and 09:00–10:00 Tuesday = 8 business hours.
    with time_machine.travel(MONDAY + datetime.timedelta(days=1), tick=False):
        resumed = services.resume_clock(complaint_id=complaint.pk, actor=cast.store_staff, visible_ids=visible)
    assert resumed.paused_business_seconds == 8 * 3600
    from crm.care.complaints.calendar import load_calendar

    assert load_calendar().business_seconds_between(due, resumed.resolution_due) == 8 * 3600
    assert Notification.objects.filter(event="complaint.waiting_for_member").count() == 2  # inbox + SMS


def test_sweep_marks_at_risk_and_breached_and_escalates_once_per_level(cast, settings):
    settings.COMPLAINT_HEAD_OFFICE_AFTER_HOURS = 24
    with time_machine.travel(MONDAY, tick=False):
        complaint = _file(cast)
    services.sweep_complaint_slas(now=MONDAY + datetime.timedelta(hours=7))  # 7 of 8 h to first response
    assert Complaint.objects.get(pk=complaint.pk).sla_status == SlaStatus.AT_RISK
    late = MONDAY + datetime.timedelta(days=1)
    first = services.sweep_complaint_slas(now=late)
    second = services.sweep_complaint_slas(now=late + datetime.timedelta(minutes=5))
    assert first["escalated_store_tasks"] == 1
    assert first["escalated_store_messages"] == 1  # the store's one manager
    assert second["escalated_store_tasks"] == 0
    task = Task.objects.get()
    assert (task.kind, task.store_id, task.subject_type, task.subject_id) == (
        "complaint_follow_up", cast.store.pk, "complaint", complaint.pk)  # fmt: skip
    assert Notification.objects.get(event="complaint.escalated_store").recipient == cast.store_manager
    services.sweep_complaint_slas(now=late + datetime.timedelta(hours=25))
    services.sweep_complaint_slas(now=late + datetime.timedelta(hours=26))
    assert Task.objects.count() == 2
    assert Task.objects.filter(store__isnull=True).count() == 1
    assert Notification.objects.filter(event="complaint.escalated_head_office", recipient=cast.head_office).count() == 1
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 2


def test_sms_reply_with_a_keyword_opens_one_complaint(cast, django_capture_on_commit_callbacks):
    from crm.care.complaints.handlers import open_complaint_from_sms
    from notifications.services import record_sms_reply

    phone = str(cast.member_user.phone)
    with django_capture_on_commit_callbacks(execute=True):
        record_sms_reply(phone=phone, body="我要投诉：保养等了三小时", message_sid="SM1")
        record_sms_reply(phone=phone, body="好的谢谢", message_sid="SM2")
    complaint = Complaint.objects.get()
    assert complaint.filed_by == "sms"
    assert complaint.member == cast.member
    open_complaint_from_sms(DomainEvent.objects.filter(name="sms.replied").order_by("pk").first())  # delivered again
    assert Complaint.objects.count() == 1
    # The complaint is the answer to the first reply: only the second one asks the store for a call back.
    assert list(Task.objects.values_list("dedupe_key", flat=True)) == ["sms-reply:SM2"]


def test_a_complaint_keyword_from_a_phone_that_is_no_member_s_asks_for_a_call_back(
    cast, django_capture_on_commit_callbacks
):
    from notifications.services import record_sms_reply

    with django_capture_on_commit_callbacks(execute=True):
        record_sms_reply(phone="+8613900009999", body="我要投诉", message_sid="SM3")
    assert Complaint.objects.count() == 0
    task = Task.objects.get()
    assert (task.dedupe_key, task.contact_phone, task.member) == ("sms-reply:SM3", "+8613900009999", None)


def test_reports_are_scoped_to_the_requester_s_store(cast):
    _walk(cast, _file(cast))
    member_b = MemberFactory(preferred_store=cast.other_store)
    services.file_complaint(member=member_b, category="billing", description="多收费", filed_by="member",
                            actor=member_b.user)  # fmt: skip
    manager = _client(cast.store_manager).get("/api/v1/backoffice/reports/complaints/").json()
    assert [row["category"] for row in manager["topics"]] == ["service"]
    assert manager["stores"] == [{"store_id": cast.store.pk, "store": cast.store.name, "received": 1, "closed": 1,
                                  "met": 1, "closed_late": 0, "open_breached": 0, "compliance": 1.0,
                                  "average_resolution_hours": 0.0}]  # fmt: skip
    head = _client(cast.head_office).get("/api/v1/backoffice/reports/complaints/").json()
    assert {row["category"] for row in head["topics"]} == {"service", "billing"}
    assert len(head["stores"]) == 2
    assert StaffFactory  # the factory module is the shared one


def test_the_staff_queue_puts_the_late_first_and_the_closed_last(cast):
    with time_machine.travel(MONDAY, tick=False):
        closed = _walk(cast, _file(cast, member=cast.applicant()))
        late = _file(cast, member=cast.applicant())
    with time_machine.travel(MONDAY + datetime.timedelta(days=7), tick=False):
        on_track = _file(cast, member=cast.applicant())
        services.sweep_complaint_slas()
        body = _client(cast.store_manager).get("/api/v1/backoffice/complaints/").json()
    assert [row["number"] for row in body["results"]] == [late.number, on_track.number, closed.number]
