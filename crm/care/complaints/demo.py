"""Demo complaints at the Shenzhen store, one at each stage worth showing: just received, paused while waiting on
the member, overdue and escalated to the store manager, and closed and rated. Idempotent."""

import datetime

from django.utils import timezone

from crm.care.complaints import selectors, services
from crm.care.complaints.calendar import load_calendar
from crm.care.complaints.enums import ComplaintCategory, FiledBy
from crm.care.complaints.models import Complaint
from members.models import Member, User

# The store's road from "received" to "closed", each step by a demo account that may take it.
ROAD = [("record", "store.sz"), ("investigate", "store.sz"), ("propose_solution", "manager.sz"),
        ("notify_member", "store.sz"), ("execute", "store.sz"), ("follow_up", "callcenter"),
        ("close", "manager.sz")]  # fmt: skip
NOTES = {
    "record": "已致电会员，记录问题经过。",
    "investigate": "核对预约记录，向当班顾问了解情况。",
    "propose_solution": "向会员致歉，重新安排专人陪同试驾。",
    "notify_member": "已电话告知会员处理方案，会员同意。",
    "execute": "已按约定时间安排试驾。",
    "follow_up": "回访会员，会员表示满意。",
    "close": "问题已解决；门店例会强调预约变更须提前通知会员。",
}


def seed_complaints_demo() -> None:
    if Complaint.objects.filter(member__user__phone="+8613800000011").exists():
        return
    staff = {user.username: user for user in User.objects.filter(is_staff=True)}
    members = {str(member.user.phone)[-2:]: member for member in Member.objects.filter(
        user__phone__in=["+8613800000011", "+8613800000012", "+8613800000013", "+8613800000014"]
    ).select_related("user")}  # fmt: skip

    def file(member, category, description):
        return services.file_complaint(member=member, category=category, description=description,
                                       filed_by=FiledBy.MEMBER, actor=member.user)  # fmt: skip

    def walk(complaint, until):
        for name, username in ROAD:
            complaint = services.apply_transition(complaint_id=complaint.pk, name=name, actor=staff[username],
                                                  note=NOTES[name])  # fmt: skip
            if name == until:
                return complaint
        return complaint

    file(members["11"], ComplaintCategory.STAFF_ATTITUDE, "提车时销售顾问态度冷淡，问题没人解答。")

    paused = walk(file(members["12"], ComplaintCategory.BILLING, "账单里多了一笔服务费，不清楚是什么费用。"), "record")
    services.pause_clock(complaint_id=paused.pk, actor=staff["store.sz"], reason="等待会员提供付款凭证照片",
                         visible_ids=selectors.complaints_visible_to(user=staff["store.sz"]).values("pk"))  # fmt: skip

    overdue = file(members["14"], ComplaintCategory.FINANCE, "提交资料后一周没人联系我，不知道贷款审核到哪一步了。")
    _received_days_ago(overdue, days=10)
    services.sweep_complaint_slas()  # breached: a task for the store and a message to its manager

    closed = walk(file(members["13"], ComplaintCategory.SALES, "预约的试驾被临时取消，事先没有任何通知。"), "close")
    services.rate_complaint(complaint_id=closed.pk, member=members["13"], score=5, comment="处理及时，谢谢！")


def _received_days_ago(complaint: Complaint, *, days: int) -> None:
    """Demo only: move a complaint's arrival into the past, with the deadlines it would have had."""
    received = timezone.now() - datetime.timedelta(days=days)
    deadlines = services.compute_deadlines(
        start=received, calendar=load_calendar(),
        hours=services.target_hours(category=complaint.category, severity=complaint.severity),
    )  # fmt: skip
    Complaint.objects.filter(pk=complaint.pk).update(received_at=received, clock_started_at=received, **deadlines)
