"""Segments on fixtures with known numbers: tiers by spend percentile (ties, boundaries, grace period), loyalty,
lifecycle, churn reasons, the work and messages a change starts, system and staff tags."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm.segments.models import LifecycleChange, MemberSegment, MemberTag, Tag, TierChange
from crm.segments.services import add_staff_tag, compute_segments, remove_staff_tag
from members.models import Member
from notifications.models import Notification, Preference
from orders.models import Installment
from orders.repayments import record_payment
from points import services as points_services
from staff_tasks.models import Task
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory
from tests.orders.factories import LoanFactory, OrderFactory
from tests.points.factories import RewardFactory
from tests.vehicles.factories import OwnedVehicleFactory
from vehicles.models import ServiceRecord

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 30)
_references = iter(range(10**6))


def _visit(car, *, on, customer="0", insurance="0", manufacturer="0", internal="0"):
    return ServiceRecord.objects.create(
        vehicle=car, dealer_reference=f"DLR{next(_references)}", serviced_on=on, mileage_km=1000, description="保养",
        customer_amount=Decimal(customer), insurance_amount=Decimal(insurance),
        manufacturer_amount=Decimal(manufacturer), internal_amount=Decimal(internal),
    )  # fmt: skip


def _owner(*, delivered_on=datetime.date(2025, 1, 10), **member_fields):
    car = OwnedVehicleFactory(member=MemberFactory(**member_fields), delivered_on=delivered_on)
    return car.member, car


def _spenders(amounts: list[str]) -> list[Member]:
    """One owner per amount, each with one customer-paid visit of that amount in the window."""
    members = []
    for amount in amounts:
        member, car = _owner()
        _visit(car, on=datetime.date(2026, 3, 1), customer=amount)
        members.append(member)
    return members


def _loan(member):
    return LoanFactory(order=OrderFactory(member=member, state="delivered", store=StoreFactory()))


def _tiers(members) -> list[str]:
    segments = {s.member_id: s.tier for s in MemberSegment.objects.filter(member__in=members)}
    return [segments[member.pk] for member in members]


def test_tiers_follow_the_spend_percentile_and_ties_share_a_tier():
    # 20 ranked members: percent_rank from the top is (rank - 1) / 19. Two tie for first place (rank 0 → diamond,
    # both); the third is at 2/19 = 0.105 → gold (platinum would need < 0.10); 4–5 at 3/19, 4/19 (0.158, 0.21).
    amounts = ["9000", "9000", "7000", "6000", "5000"] + [str(4000 - 100 * n) for n in range(15)]
    members = _spenders(amounts)
    compute_segments(as_of=AS_OF)
    tiers = _tiers(members)
    assert tiers[:5] == ["diamond", "diamond", "gold", "gold", "silver"]
    # rank 10 (index 9) is at 9/19 = 0.47 → silver; index 10 at 10/19 = 0.526 → normal.
    assert tiers[9] == "silver"
    assert tiers[10] == "normal"
    assert Member.objects.get(pk=members[0].pk).tier == "diamond"
    segment = MemberSegment.objects.get(member=members[0])
    assert segment.spend_12_months == Decimal("9000.00")
    assert segment.spend_percent_rank == 0


def test_spend_counts_the_payers_the_points_rules_count_and_paid_installments_within_the_window():
    member, car = _owner()
    _visit(car, on=datetime.date(2026, 3, 1), customer="100", insurance="200", internal="5000")  # internal: rate 0
    _visit(car, on=datetime.date(2025, 6, 30), customer="700")  # a year and a day before: outside the window
    loan = _loan(member)
    paid_at = datetime.datetime(2026, 5, 1, 10, tzinfo=datetime.UTC)
    Installment.objects.filter(loan=loan, number=1).update(status="paid", paid_at=paid_at, deduction=Decimal("10"))
    compute_segments(as_of=AS_OF)
    first = Installment.objects.get(loan=loan, number=1)
    assert MemberSegment.objects.get(member=member).spend_12_months == Decimal("300.00") + first.amount - Decimal("10")


def test_installments_count_what_was_paid_by_payment_date_partly_paid_ones_included():
    member, _car = _owner()
    loan = _loan(member)
    first, second = Installment.objects.filter(loan=loan).order_by("number")[:2]
    finance = StaffFactory(role="finance")
    # Fully paid in two payments, one of them before the window (30 June 2025 is a year before: outside).
    record_payment(installment_id=first.pk, amount=Decimal("100.00"), paid_on=datetime.date(2025, 6, 30),
                   reference="P-1", actor=finance)  # fmt: skip
    record_payment(installment_id=first.pk, amount=first.amount - Decimal("100.00"),
                   paid_on=datetime.date(2025, 7, 1), reference="P-2", actor=finance)  # fmt: skip
    # Partly paid: counts what was paid.
    record_payment(installment_id=second.pk, amount=Decimal("250.50"), paid_on=datetime.date(2026, 6, 30),
                   reference="P-3", actor=finance)  # fmt: skip
    # Paid after the as-of day: not yet.
    record_payment(installment_id=second.pk, amount=Decimal("40.00"), paid_on=datetime.date(2026, 7, 1),
                   reference="P-4", actor=finance)  # fmt: skip
    second.refresh_from_db()
    assert second.status != "paid"
    compute_segments(as_of=AS_OF)
    spend = MemberSegment.objects.get(member=member).spend_12_months
    assert spend == first.amount - Decimal("100.00") + Decimal("250.50")


def test_a_partial_payment_is_contact_for_the_lifecycle():
    member, _car = _owner(delivered_on=datetime.date(2024, 1, 1))  # no visit since: churned without contact
    quiet, _other = _owner(delivered_on=datetime.date(2024, 1, 1))
    installment = Installment.objects.filter(loan=_loan(member)).order_by("number").first()
    record_payment(installment_id=installment.pk, amount=Decimal("10.00"), paid_on=datetime.date(2026, 6, 1),
                   reference="P-PART", actor=StaffFactory(role="finance"))  # fmt: skip
    compute_segments(as_of=AS_OF)
    lifecycles = dict(MemberSegment.objects.values_list("member_id", "lifecycle"))
    assert lifecycles[quiet.pk] == "churned"
    assert lifecycles[member.pk] not in ("churned", "lead")


def test_a_rise_is_immediate_a_drop_waits_out_the_grace_period_and_history_is_kept(settings):
    settings.SEGMENTS_TIER_GRACE_DAYS = 90
    top, *others = _spenders(["5000"] + ["100"] * 19)
    compute_segments(as_of=AS_OF)
    assert _tiers([top]) == ["diamond"]
    # A year later the old visit has left the window and two others spent more: top would drop.
    _, car = _owner()
    _visit(car, on=datetime.date(2027, 6, 1), customer="9000")
    _visit(others[0].vehicles.first(), on=datetime.date(2027, 6, 1), customer="8000")
    _visit(top.vehicles.first(), on=datetime.date(2027, 6, 1), customer="50")
    later = datetime.date(2027, 6, 30)
    compute_segments(as_of=later)
    segment = MemberSegment.objects.get(member=top)
    # 9000, 8000, then top at rank 3 of 21: 2/20 = 0.10 → gold by spend.
    grace_until = later + datetime.timedelta(days=90)
    assert (segment.tier, segment.ranked_tier, segment.grace_until) == ("diamond", "gold", grace_until)
    assert _tiers([others[0]]) == ["platinum"]  # the rise is at once (rank 2 of 21: 1/20 = 0.05)
    compute_segments(as_of=later + datetime.timedelta(days=89))
    assert _tiers([top]) == ["diamond"]
    compute_segments(as_of=later + datetime.timedelta(days=90))
    segment.refresh_from_db()
    assert (segment.tier, segment.grace_until) == ("gold", None)
    history = list(TierChange.objects.filter(member=top).order_by("as_of").values_list("from_tier", "to_tier"))
    assert history == [("normal", "diamond"), ("diamond", "gold")]
    assert Notification.objects.filter(recipient=top.user, event="segments.tier_down", channel="inbox").count() == 1
    assert Notification.objects.filter(recipient=top.user, event="segments.tier_up", channel="inbox").count() == 1


def test_running_twice_for_the_same_date_changes_nothing():
    members = _spenders(["5000", "3000", "100"])
    _owner(delivered_on=datetime.date(2025, 1, 1))
    compute_segments(as_of=AS_OF)
    snapshot = list(MemberSegment.objects.order_by("pk").values())
    counts = (TierChange.objects.count(), LifecycleChange.objects.count(), Notification.objects.count(),
              Task.objects.count(), MemberTag.objects.count())  # fmt: skip
    run = compute_segments(as_of=AS_OF)
    assert list(MemberSegment.objects.order_by("pk").values()) == snapshot
    assert (TierChange.objects.count(), LifecycleChange.objects.count(), Notification.objects.count(),
            Task.objects.count(), MemberTag.objects.count()) == counts  # fmt: skip
    assert (run.tier_changes, run.lifecycle_changes, run.messages, run.tasks, run.tags_added, run.tags_removed) == (
        0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    assert len(members) == 3


def test_a_redemption_never_lowers_a_tier():
    top, *_rest = _spenders(["5000"] + ["100"] * 19)
    compute_segments(as_of=AS_OF)
    points_services.adjust_points(member_id=top.pk, points=2000, reason="测试", actor=StaffFactory(is_superuser=True))
    reward = RewardFactory(cost_points=1000)
    points_services.redeem_reward(member_id=top.pk, reward_id=reward.pk, idempotency_key="r1", actor=top.user)
    compute_segments(as_of=AS_OF + datetime.timedelta(days=1))
    segment = MemberSegment.objects.get(member=top)
    assert (segment.tier, segment.spend_12_months) == ("diamond", Decimal("5000.00"))


def test_lifecycle_and_loyalty_on_fixtures():
    lead = MemberFactory()
    new, _ = _owner(delivered_on=AS_OF - datetime.timedelta(days=30))
    loyal, loyal_car = _owner(delivered_on=datetime.date(2022, 1, 1))
    for year in (2022, 2023, 2024, 2025, 2026):  # twice a year since the handover: never a break
        _visit(loyal_car, on=datetime.date(year, 1, 15), customer="300")
        _visit(loyal_car, on=datetime.date(year, 6, 15), customer="300")
    broken, broken_car = _owner(delivered_on=datetime.date(2021, 1, 1))  # a 2-year break, back since 2025-03
    _visit(broken_car, on=datetime.date(2025, 3, 1), customer="300")
    _visit(broken_car, on=datetime.date(2026, 3, 1), customer="300")
    churned, _ = _owner(delivered_on=datetime.date(2024, 1, 1))
    at_risk, at_risk_car = _owner(delivered_on=datetime.date(2024, 1, 1))
    _visit(at_risk_car, on=datetime.date(2025, 9, 1), customer="300")
    compute_segments(as_of=AS_OF)
    got = {s.member_id: (s.lifecycle, s.loyalty) for s in MemberSegment.objects.all()}
    assert got[lead.pk] == ("lead", "low")
    assert got[new.pk] == ("new", "low")
    assert got[loyal.pk] == ("active", "loyal")
    assert got[broken.pk] == ("active", "ordinary")
    assert got[churned.pk] == ("churned", "low")
    assert got[at_risk.pk][0] == "at_risk"


def test_churn_reasons_make_up_the_score():
    member, car = _owner(delivered_on=datetime.date(2024, 1, 1))
    _visit(car, on=datetime.date(2026, 5, 1), customer="300")  # recent visit: no "no service visit" reason
    loan = _loan(member)
    Installment.objects.filter(loan=loan, number=1).update(due_on=datetime.date(2026, 6, 1), status="overdue")
    Preference.objects.create(user=member.user, category="marketing", channel="sms", is_enabled=False)
    compute_segments(as_of=AS_OF)
    segment = MemberSegment.objects.get(member=member)
    # never signed in (15) + overdue (30) + opted out (15)
    assert segment.churn_reason_codes == ["overdue_installments", "opted_out", "no_sign_in"]
    assert segment.churn_score == 60
    assert segment.lifecycle == "at_risk"  # the score reached the at-risk threshold (60)


def test_becoming_at_risk_opens_one_recall_task_and_churning_starts_the_cadence():
    at_risk, car = _owner(delivered_on=datetime.date(2024, 1, 1))
    _visit(car, on=datetime.date(2025, 9, 1), customer="300")
    churned, _ = _owner(delivered_on=datetime.date(2024, 1, 1))
    compute_segments(as_of=AS_OF)
    compute_segments(as_of=AS_OF + datetime.timedelta(days=1))  # still at risk the next day: no second task
    recall = Task.objects.filter(member=at_risk, kind="churn_recall")
    assert recall.count() == 1
    assert "流失召回" in recall.get().title
    call = Task.objects.get(member=churned, kind="churn_recall")
    assert timezone.localdate(call.due_at) - AS_OF <= datetime.timedelta(days=30)
    message = Notification.objects.get(recipient=churned.user, event="segments.churned", channel="inbox")
    assert message.created_at.date() - AS_OF <= datetime.timedelta(days=7) or message.send_after
    assert not Notification.objects.filter(recipient=at_risk.user, event="segments.churned").exists()


def test_a_rule_s_tag_appears_and_disappears_with_the_data():
    member, car = _owner(city="深圳")  # handed over 2025-01-10, never back since: churned
    car.insurance_due_on = AS_OF + datetime.timedelta(days=10)
    car.save()
    compute_segments(as_of=AS_OF)
    codes = set(MemberTag.objects.filter(member=member).values_list("tag__code", flat=True))
    model_code = f"model:{car.trim.car_model_id}"
    assert {"city:深圳", "insurance_due_30", model_code, "tier:normal", "lifecycle:churned", "loyalty:low"} <= codes
    assert Tag.objects.get(code="city:深圳").kind == "system"
    car.insurance_due_on = AS_OF + datetime.timedelta(days=365)
    car.save()
    Member.objects.filter(pk=member.pk).update(city="广州")
    compute_segments(as_of=AS_OF)
    codes = set(MemberTag.objects.filter(member=member).values_list("tag__code", flat=True))
    assert "insurance_due_30" not in codes
    assert "city:深圳" not in codes
    assert "city:广州" in codes


def test_staff_tags_keep_who_and_when_and_survive_the_nightly_run(store):
    member = MemberFactory(preferred_store=store)
    clerk = StaffFactory(role="store_staff", store=store)
    member_tag = add_staff_tag(actor=clerk, member_id=member.pk, tag_code="prefers_ev")
    assert (member_tag.added_by, member_tag.source) == (clerk, "staff")
    assert member_tag.added_at is not None
    compute_segments(as_of=AS_OF)
    assert MemberTag.objects.filter(member=member, tag__code="prefers_ev", added_by=clerk).exists()
    assert remove_staff_tag(actor=clerk, member_id=member.pk, tag_code="prefers_ev") is True
    assert not MemberTag.objects.filter(member=member, tag__code="prefers_ev").exists()


def test_the_command_computes_as_of_the_given_date(capsys):
    _spenders(["100"])
    call_command("compute_segments", "--date", "2026-06-30")
    assert "2026-06-30" in capsys.readouterr().out
    assert MemberSegment.objects.get().as_of == AS_OF


def test_a_tier_s_multiplier_applies_to_spend_points_and_the_member_sees_it(client):
    from points.models import TierBenefit

    # The migration's default (a flush by a transactional test may have removed it).
    TierBenefit.objects.update_or_create(tier="gold", defaults={"points_multiplier": Decimal("1.20")})
    member = MemberFactory()
    Member.objects.filter(pk=member.pk).update(tier="gold")
    entry = points_services.award_service_spend(
        member_id=member.pk, record_reference="service_record:X1", spend_by_type={"customer": Decimal("1000")}
    )
    assert entry.points == 1200  # 1 point a yuan × 1.2 for gold
    client.force_login(member.user)
    page = client.get("/me/points/").content.decode()
    assert "黄金会员" in page
    assert "1.2" in page


def test_campaigns_filter_by_segment_and_a_monthly_one_reaches_the_segment_as_it_is_that_day():
    from crm import campaigns
    from crm.models import Campaign

    active, car = _owner(delivered_on=datetime.date(2024, 1, 1))
    _visit(car, on=datetime.date(2026, 6, 1), customer="500")
    later, later_car = _owner(delivered_on=datetime.date(2024, 1, 1))  # churned now, back next month
    MemberTag.objects.create(
        member=active, tag=Tag.objects.get(code="vip_attention"), source="staff", added_by=StaffFactory(),
        added_at=timezone.now(),
    )  # fmt: skip
    compute_segments(as_of=AS_OF)
    monthly = Campaign.objects.create(
        name="车主月刊", subject="本月用车小贴士", body="{name}您好：夏季用车请注意空调保养。", lifecycle="active",
        repeats_monthly=True,
    )  # fmt: skip
    assert campaigns.count_segment(monthly) == 1
    tagged = Campaign.objects.create(name="t", subject="s", body="b", tag=Tag.objects.get(code="vip_attention"))
    assert campaigns.count_segment(tagged) == 1
    not_back = Campaign.objects.create(name="n", subject="s", body="b", no_service_for_days=365)
    assert campaigns.count_segment(not_back) == 1  # `later`: never serviced
    first_send = timezone.make_aware(datetime.datetime(2026, 7, 1, 10))  # noqa: DTZ001
    campaigns.schedule_campaign(campaign_id=monthly.pk, actor=StaffFactory(), send_at=first_send)
    _visit(later_car, on=datetime.date(2026, 7, 20), customer="500")
    compute_segments(as_of=datetime.date(2026, 7, 31))
    assert campaigns.send_monthly_campaigns(day=datetime.date(2026, 7, 31)) == 0  # not its day
    assert campaigns.send_monthly_campaigns(day=datetime.date(2026, 8, 1)) == 4  # both, inbox and SMS
    assert campaigns.send_monthly_campaigns(day=datetime.date(2026, 8, 1)) == 0
    recipients = Notification.objects.filter(event=monthly.event, channel="inbox").values_list("recipient", flat=True)
    assert sorted(recipients) == sorted([active.user_id, active.user_id, later.user_id])


def test_head_office_sends_a_task_to_each_member_of_a_segment_once(store):
    from crm.segments.exceptions import SegmentRequired
    from crm.segments.selectors import SegmentFilters
    from crm.segments.services import send_tasks_to_segment
    from staff_tasks.exceptions import SendToStoresNotAllowed

    gold = _spenders(["5000"] + ["100"] * 19)[0]
    Member.objects.filter(pk=gold.pk).update(preferred_store=store)
    compute_segments(as_of=AS_OF)
    head_office = StaffFactory(role="head_office")
    arguments = {
        "filters": SegmentFilters(tier="diamond"), "kind": "invitation", "title": "邀请参加车主活动",
        "due_at": timezone.now(), "batch_key": "owners-day",
    }  # fmt: skip
    assert send_tasks_to_segment(actor=head_office, **arguments) == 1
    assert send_tasks_to_segment(actor=head_office, **arguments) == 0
    task = Task.objects.get(kind="invitation")
    assert (task.member, task.store, task.created_by) == (gold, store, head_office)
    with pytest.raises(SendToStoresNotAllowed):
        send_tasks_to_segment(actor=StaffFactory(role="store_staff", store=store), **{**arguments, "batch_key": "x"})
    with pytest.raises(SegmentRequired):
        send_tasks_to_segment(actor=head_office, **{**arguments, "filters": SegmentFilters(), "batch_key": "y"})
    assert Task.objects.filter(kind="invitation").count() == 1


def _continuous_since(days: list[datetime.date], *, break_days: int) -> datetime.date:
    """The reference: the first day after the last gap longer than ``break_days`` between consecutive activity days."""
    ordered = sorted(set(days))
    since = ordered[0]
    for previous, day in zip(ordered, ordered[1:], strict=False):
        if (day - previous).days > break_days:
            since = day
    return since


@pytest.mark.parametrize("break_days", [365, 40])
def test_continuous_service_matches_a_day_by_day_walk_whatever_the_threshold(break_days):
    """Loyalty is computed over stretches of ``churned_days + 1`` days, not day by day: on activity placed at gaps of
    exactly the threshold and one day more, across stretch edges, visits, installments and handovers, it must give
    the same start as walking the days one by one."""
    from crm.segments.models import SegmentRules

    SegmentRules.objects.filter(pk=SegmentRules.current().pk).update(
        churned_days=break_days, at_risk_days=min(180, break_days // 2)
    )
    start = datetime.date(2022, 7, 1)
    expected = {}
    for offset in range(0, 400, 37):  # the first visit moves across the stretches' edges
        member, car = _owner(delivered_on=start + datetime.timedelta(days=offset % 50))
        days = [car.delivered_on]
        day = car.delivered_on
        for gap in (break_days, break_days + 1, 3, break_days, 1, break_days + 1 + offset % 2):
            day += datetime.timedelta(days=gap)
            if day > AS_OF:
                break
            _visit(car, on=day, customer="10")
            days.append(day)
        expected[member.pk] = _continuous_since(days, break_days=break_days)
    # Settled installments are activity on their due day: a loan owner whose visits alone would show a break.
    borrower, borrower_car = _owner(delivered_on=datetime.date(2024, 1, 1))
    _visit(borrower_car, on=datetime.date(2026, 6, 1), customer="10")
    loan = _loan(borrower)
    paid_days = [datetime.date(2024, 6, 1) + datetime.timedelta(days=break_days * k) for k in range(1, 4)]
    paid_days = [day for day in paid_days if day <= AS_OF]
    for number, day in enumerate(paid_days, start=1):
        Installment.objects.filter(loan=loan, number=number).update(
            due_on=day, status="paid", paid_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        )
    Installment.objects.filter(loan=loan, number__gt=len(paid_days)).update(due_on=AS_OF + datetime.timedelta(days=30))
    expected[borrower.pk] = _continuous_since(
        [datetime.date(2024, 1, 1), datetime.date(2026, 6, 1), *paid_days], break_days=break_days
    )
    compute_segments(as_of=AS_OF)
    got = dict(MemberSegment.objects.filter(member_id__in=expected).values_list("member_id", "customer_since"))
    assert got == expected


def test_an_ordinary_night_writes_only_what_changed():
    first, second, _third = _spenders(["5000", "3000", "100"])
    run = compute_segments(as_of=AS_OF)
    assert (run.members, run.segments_written) == (3, 3)
    tags_before = sorted(MemberTag.objects.values_list("pk", "member_id", "tag_id", "added_at"))
    run = compute_segments(as_of=AS_OF)
    assert (run.members, run.segments_written, run.tags_added, run.tags_removed) == (3, 0, 0, 0)
    # The tag rows are the same rows, not deleted and inserted again.
    assert sorted(MemberTag.objects.values_list("pk", "member_id", "tag_id", "added_at")) == tags_before
    # Only the segment whose facts changed is written: a sign-in drops one member's "no sign-in" reason.
    from members.models import User

    User.objects.filter(pk=second.user_id).update(last_login=timezone.now())
    run = compute_segments(as_of=AS_OF)
    assert run.segments_written == 1
    assert "no_sign_in" not in MemberSegment.objects.get(member=second).churn_reason_codes
    assert "no_sign_in" in MemberSegment.objects.get(member=first).churn_reason_codes


def test_no_service_visit_counts_a_visit_with_any_of_the_owner_s_cars():
    old_car_only, _old = _owner(delivered_on=datetime.date(2024, 1, 1))
    both, _never_serviced = _owner(delivered_on=datetime.date(2024, 1, 1))
    newer = OwnedVehicleFactory(member=both, delivered_on=datetime.date(2026, 2, 1))
    _visit(newer, on=datetime.date(2026, 6, 1), customer="100")
    recently_handed_over, _car = _owner(delivered_on=AS_OF - datetime.timedelta(days=30))
    compute_segments(as_of=AS_OF)
    reasons = {
        s.member_id: "no_service_visit" in s.churn_reason_codes
        for s in MemberSegment.objects.filter(member__in=[old_car_only, both, recently_handed_over])
    }
    assert reasons == {old_car_only.pk: True, both.pk: False, recently_handed_over.pk: False}


def test_a_churn_reason_is_a_set_of_members_or_a_condition_on_the_facts_never_both():
    from crm.segments.churn import ChurnRiskReason

    with pytest.raises(ValueError, match="members_sql or facts_sql"):
        ChurnRiskReason("x", "x", 10)
    with pytest.raises(ValueError, match="members_sql or facts_sql"):
        ChurnRiskReason("x", "x", 10, lambda c: ("", []), facts_sql=lambda c: ("", []))
