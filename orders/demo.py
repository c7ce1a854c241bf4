"""Demo applications in every state, walked there through the same services the people use."""

import base64
import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from members.demo import agree_to_every_policy, demo_id_number
from members.models import User
from members.services import register_member, update_member_profile, verify_member_identity
from orders import repayments, services
from orders.enums import REQUIRED_FOR_REVIEW, DocumentKind, OrderState
from orders.models import Installment, Loan, Order
from points import services as points_services
from points.enums import EarnEvent, RewardKind
from points.models import Reward
from vehicles.models import Trim

# A 1×1 PNG, so demo documents are real images.
_PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

# (member phone, name, target state): one applicant per state of the machine.
APPLICANTS = [
    ("13800000010", "李娜", OrderState.DRAFT),
    ("13800000011", "赵强", OrderState.SUBMITTED),
    ("13800000012", "孙丽", OrderState.COLLECTING_MATERIALS),
    ("13800000013", "周杰", OrderState.UNDER_REVIEW),
    ("13800000014", "吴敏", OrderState.NEEDS_MATERIALS),
    ("13800000015", "郑涛", OrderState.APPROVED),
    ("13800000016", "冯磊", OrderState.REJECTED),
    ("13800000017", "陈静", OrderState.AWAITING_VEHICLE),
    ("13800000018", "褚亮", OrderState.VEHICLE_CONFIRMED),
    ("13800000019", "卫红", OrderState.CONTRACT_SCHEDULED),
    ("13800000020", "蒋伟", OrderState.SIGNED),
    ("13800000021", "沈洁", OrderState.DOWN_PAYMENT_PAID),
    ("13800000022", "韩梅", OrderState.FUNDED),
    ("13800000023", "杨帆", OrderState.READY_FOR_PICKUP),
    ("13800000024", "朱琳", OrderState.DELIVERED),
    ("13800000025", "秦朗", OrderState.TERMINATED),
    ("13800000026", "许诺", OrderState.REPLACED),
]


def _upload(order, kind, actor):
    services.upload_document(
        order=order, kind=kind, uploaded_file=SimpleUploadedFile(f"{kind}.png", _PIXEL, "image/png"), actor=actor
    )


@transaction.atomic
def seed_orders_demo(*, stores, trims: list[Trim]) -> None:
    if Order.objects.filter(member__user__phone="+8613800000010").exists():
        return
    staff = {user.username: user for user in User.objects.filter(is_staff=True)}
    store = stores["SZ01"]
    for index, (phone, name, target) in enumerate(APPLICANTS):
        member = agree_to_every_policy(register_member(phone=phone))
        birthday = datetime.date(1985 + index % 10, 1 + index % 12, 8)
        member = update_member_profile(
            member=member, name=name, gender="undisclosed", birthday=birthday, city=store.city, preferred_store=store,
            email=f"demo{index}@example.com",
        )  # fmt: skip
        # Applying needs a verified identity; 440305 is Shenzhen Nanshan, the sequence differs per applicant.
        member = verify_member_identity(
            member=member, real_name=name,
            id_number=demo_id_number(region="440305", born_on=birthday, sequence=f"{201 + index:03d}"),
        )  # fmt: skip
        trim = trims[index % len(trims)]
        plan = trim.plans.order_by("term_months").first()
        order = services.create_order(member=member, trim_id=trim.pk, plan_id=plan.pk, actor=member.user)
        _walk(order=order, target=target, member=member, staff=staff, trims=trims)
    _seed_money(staff=staff)


def _seed_money(*, staff) -> None:
    """The delivered car's loan has run four months: two installments paid, one partly, one overdue, collected from
    a card on file; the funded loan's member holds a repayment-deduction coupon for the next installment."""
    finance = staff["finance"]
    delivered = Order.objects.get(member__user__phone="+8613800000024")
    loan = delivered.loan
    # Back-date the schedule as if the car had been delivered four months ago (demo data only).
    shift = relativedelta(months=4)
    for installment in loan.installments.all():
        Installment.objects.filter(pk=installment.pk).update(due_on=installment.due_on - shift)
    Loan.objects.filter(pk=loan.pk).update(bank_name="招商银行", bank_card_last4="6688")
    for number, part in ((1, None), (2, None), (3, Decimal("1000.00"))):
        installment = loan.installments.get(number=number)
        repayments.record_payment(
            installment_id=installment.pk, amount=part or installment.amount, paid_on=installment.due_on,
            reference=f"DEMO-{delivered.number}-{number}", actor=finance,
        )  # fmt: skip
    repayments.mark_overdue_installments(day=timezone.localdate())

    funded = Order.objects.get(member__user__phone="+8613800000022")
    Loan.objects.filter(pk=funded.loan.pk).update(bank_name="中国工商银行", bank_card_last4="1024")
    member = funded.member
    points_services.earn_points(
        member_id=member.pk, event=EarnEvent.CAMPAIGN, idempotency_key="demo:money", points=3000, reason="到店试驾有礼"
    )
    reward = Reward.objects.filter(kind=RewardKind.REPAYMENT_COUPON).order_by("cost_points").first()
    if reward is not None:
        points_services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key="demo:money")


def _walk(*, order, target, member, staff, trims):
    def step(name, actor, **data):
        return services.apply_transition(order_id=order.pk, name=name, actor=actor, **data)

    store_staff, reviewer, finance = staff["store.sz"], staff["reviewer"], staff["finance"]
    road = [
        (OrderState.SUBMITTED, lambda: step("submit", member.user)),
        (OrderState.COLLECTING_MATERIALS, lambda: step("start_collecting", store_staff)),
        (OrderState.UNDER_REVIEW, lambda: _review(order, member, store_staff, step)),
        (OrderState.APPROVED, lambda: step("approve", reviewer)),
        (OrderState.VEHICLE_CONFIRMED, lambda: step("confirm_vehicle", store_staff)),
        (OrderState.CONTRACT_SCHEDULED,
         lambda: step("schedule_signing", store_staff, signing_at=timezone.now() + datetime.timedelta(days=3))),
        (OrderState.SIGNED, lambda: step("sign_contract", store_staff)),
        (OrderState.DOWN_PAYMENT_PAID, lambda: step("record_down_payment", store_staff)),
        (OrderState.FUNDED, lambda: step("fund", finance)),
        (OrderState.READY_FOR_PICKUP, lambda: step("notify_pickup", store_staff)),
        (OrderState.DELIVERED, lambda: (_upload(order, DocumentKind.DELIVERY_PHOTO, store_staff),
                                        step("hand_over", store_staff, plate="粤B·16888"))[1]),
    ]  # fmt: skip
    side_roads = {
        OrderState.NEEDS_MATERIALS: (OrderState.UNDER_REVIEW, lambda: step(
            "request_materials", reviewer, reason="请补充近 6 个月的银行流水。")),
        OrderState.REJECTED: (OrderState.UNDER_REVIEW, lambda: step("reject", reviewer, reason="综合评分未达到要求。",
                                                                     reason_code="credit_declined")),
        OrderState.AWAITING_VEHICLE: (OrderState.APPROVED, lambda: step("wait_for_vehicle", member.user)),
        OrderState.TERMINATED: (OrderState.SUBMITTED, lambda: step("cancel", member.user, reason="暂时不考虑购车。",
                                                                        reason_code="changed_mind")),
        OrderState.REPLACED: (OrderState.APPROVED, lambda: step(
            "change_model", member.user, trim_id=trims[-1].pk, plan_id=trims[-1].plans.first().pk)),
    }  # fmt: skip
    final = side_roads.get(target)
    stop_at = final[0] if final else target
    for state, take in road:
        if order.state == stop_at:
            break
        order = take()
        if order.state != state:
            raise RuntimeError(f"demo order {order.number} is in {order.state}, expected {state}")
    if final:
        order = final[1]()
    return order


def _review(order, member, store_staff, step):
    for kind in REQUIRED_FOR_REVIEW:
        _upload(order, kind, member.user)
    return step("send_to_review", store_staff)
