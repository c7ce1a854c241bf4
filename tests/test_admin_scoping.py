"""Whom a staff account may see, in the admin: a clerk or a manager of store A never lists, opens, changes, deletes
or acts on a row of store B, for every model registered in the admin; head-office roles see both stores.

The walk iterates ``admin.site._registry``: a newly registered model fails the test until it is classified below
(its store-B rows named in ``_STORE_B_ROWS``, or listed in ``_NO_STORE`` / ``_HEAD_OFFICE_ONLY`` with a reason).
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from appointments.models import Appointment, ServiceCapacity
from appointments.services import book_appointment
from crm.care.complaints.models import Complaint
from crm.care.complaints.services import file_complaint
from crm.care.rescue.models import RescueRequest
from crm.care.rescue.services import request_rescue
from crm.leads.models import Lead, LeadTeam, LeadTeamAgent
from crm.leads.services import submit_quick_lead
from crm.owner_events.models import OwnerEvent
from crm.owner_events.services import register_for_event
from crm.segments.models import LifecycleChange, MemberSegment, MemberTag, TierChange
from crm.segments.services import add_staff_tag, compute_segments
from crm.surveys.models import SurveyInvitation, SurveyResponse
from crm.surveys.services import answer_survey, invite_member
from members.cards import issue_card
from members.models import Member, MembershipCard, Store, User
from members.selectors import members_visible_to
from members.services import issue_access_token
from notifications.models import Notification
from notifications.services import queue_notification
from orders.enums import OrderState
from orders.models import CreditCheck, Loan, Order, Payment
from orders.repayments import record_payment
from orders.services import create_order
from points import services as points_services
from points.models import Coupon, PointsAccount, PointsEntry
from staff_tasks.models import Task
from staff_tasks.services import open_task
from tests.members.factories import MemberFactory, StaffFactory
from tests.orders.cast import Cast
from tests.points.factories import RewardFactory
from tests.surveys.helpers import answers as survey_answers
from tests.vehicles.factories import VehicleUnitFactory
from vehicles.models import AftermarketBooking, Inspection, InsurancePolicy, OwnedVehicle, ServiceRecord, VehicleUnit
from vehicles.services import book_aftermarket_service, record_inspection, record_insurance_policy, record_service_visit

# Models that belong to no store and no member: the catalog, rules, rewards, templates, settings, the stores
# themselves (public addresses) and the role groups. Who may change them is a matter of permissions.
_NO_STORE = {
    "auth.Group",
    "members.Store",
    "vehicles.Brand",
    "vehicles.CarModel",
    "vehicles.Trim",
    "vehicles.FinancePlan",
    "points.EarnRule",
    "points.Reward",
    "points.Campaign",
    "points.PointsPolicy",
    "points.TierBenefit",
    "notifications.NotificationTemplate",
    "notifications.ReminderPolicy",
    "staff_tasks.TaskRule",
    "vehicles.InspectionRule",
    # Marketing campaigns are head office's tool: a segment definition, not a member's data.
    "crm.Campaign",
    # Questionnaires and their questions: head office's forms, not anyone's answers.
    "surveys.Questionnaire",
    "surveys.Question",
    # Complaint SLA targets and the working calendar's dates: head office's settings.
    "complaints.SlaTarget",
    "complaints.WorkingDayOverride",
    "segments.SegmentRules",
    "segments.TagGroup",
    "segments.Tag",
}
# People's data from every store at once (the audit log, sign-in attempts, the log of full ID number views): store
# roles never see them at all.
_HEAD_OFFICE_ONLY = {
    "members.IdNumberView",
    "domain_events.DomainEvent",
    "auditlog.LogEntry",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    # Lead partners and their API keys: head office's contracts, no store's business.
    "leads.Partner",
    "leads.PartnerApiKey",
    # Applications waiting for a store belong to none: the call center's and head office's queue.
    "orders.UnassignedOrder",
    # The dealer system's exports (every store's customers) and its API keys.
    "dealer_exchange.DealerImportRun",
    "dealer_exchange.DealerApiKey",
    # The loan system's repayment files cover every store at once.
    "orders.RepaymentImport",
}

# For each model that belongs to a store or a member: its rows that belong to store B only.
_STORE_B_ROWS = {
    "members.Member": lambda b: Member.objects.filter(pk=b.member.pk),
    "members.User": lambda b: User.objects.filter(Q(pk=b.member.user_id) | Q(pk=b.staff.pk)),
    "members.MembershipCard": lambda b: MembershipCard.objects.filter(member=b.member),
    "orders.Order": lambda b: Order.objects.filter(store=b.store),
    "orders.CreditCheck": lambda b: CreditCheck.objects.filter(order__store=b.store),
    "orders.Loan": lambda b: Loan.objects.filter(order__store=b.store),
    "orders.Payment": lambda b: Payment.objects.filter(installment__loan__order__store=b.store),
    "vehicles.VehicleUnit": lambda b: VehicleUnit.objects.filter(store=b.store),
    "vehicles.OwnedVehicle": lambda b: OwnedVehicle.objects.filter(member=b.member),
    "vehicles.ServiceRecord": lambda b: ServiceRecord.objects.filter(vehicle__member=b.member),
    "vehicles.AftermarketBooking": lambda b: AftermarketBooking.objects.filter(member=b.member),
    "owner_events.OwnerEvent": lambda b: OwnerEvent.objects.filter(store=b.store),
    "notifications.Notification": lambda b: Notification.objects.filter(recipient=b.member.user),
    "staff_tasks.Task": lambda b: Task.objects.filter(store=b.store),
    "points.PointsAccount": lambda b: PointsAccount.objects.filter(member=b.member),
    "points.PointsEntry": lambda b: PointsEntry.objects.filter(account__member=b.member),
    "points.Coupon": lambda b: Coupon.objects.filter(member=b.member),
    "leads.Lead": lambda b: Lead.objects.filter(store=b.store),
    "leads.LeadTeam": lambda b: LeadTeam.objects.filter(store=b.store),
    "vehicles.InsurancePolicy": lambda b: InsurancePolicy.objects.filter(vehicle__member=b.member),
    "vehicles.Inspection": lambda b: Inspection.objects.filter(vehicle__member=b.member),
    "appointments.Appointment": lambda b: Appointment.objects.filter(store=b.store),
    "appointments.ServiceCapacity": lambda b: ServiceCapacity.objects.filter(store=b.store),
    "rescue.RescueRequest": lambda b: RescueRequest.objects.filter(store=b.store),
    "surveys.SurveyInvitation": lambda b: SurveyInvitation.objects.filter(store=b.store),
    "surveys.SurveyResponse": lambda b: SurveyResponse.objects.filter(store=b.store),
    "complaints.Complaint": lambda b: Complaint.objects.filter(store=b.store),
    "segments.MemberSegment": lambda b: MemberSegment.objects.filter(member=b.member),
    "segments.MemberTag": lambda b: MemberTag.objects.filter(member=b.member),
    "segments.TierChange": lambda b: TierChange.objects.filter(member=b.member),
    "segments.LifecycleChange": lambda b: LifecycleChange.objects.filter(member=b.member),
}


class StoreWorld:
    """One store's people and everything that hangs on them: a member who bought a car there (order with documents,
    credit check, loan, the owned car and a service visit), stock, messages, a staff call, points and a coupon."""

    def __init__(self, cast: Cast, *, store: Store, staff: User, member: Member, tag: str):
        self.store, self.staff, self.member = store, staff, member
        VehicleUnitFactory(trim=cast.trim, store=store)  # the unit the order reserves
        VehicleUnitFactory(trim=cast.trim, store=store)  # one left in stock
        cast.member, cast.member_user, cast.store_staff = member, member.user, staff
        self.order = cast.advance(cast.new_order(), OrderState.DELIVERED)
        issue_card(member_id=member.pk, if_missing=True)
        first_installment = self.order.loan.installments.get(number=1)
        record_payment(
            installment_id=first_installment.pk, amount=Decimal("100.00"), paid_on=first_installment.due_on,
            reference=f"PAY-{tag}", actor=cast.finance,
        )  # fmt: skip
        car = OwnedVehicle.objects.get(member=member)
        request_rescue(member=member, vehicle_id=car.pk, kind="tow", actor=member.user, location=f"{tag} 高速")
        _invitation, token = invite_member(trigger="delivery", member=member, store_id=store.pk, subject=f"t:{tag}")
        answer_survey(token=token, answers=survey_answers(csat=5, nps=10))
        book_aftermarket_service(
            member_id=member.pk, vehicle_id=car.pk, service_code="wash-basic", booked_for=timezone.localdate(),
            actor=member.user,
        )  # fmt: skip
        starts_at = timezone.now() + datetime.timedelta(days=3)
        event = OwnerEvent.objects.create(
            title=f"车友会{tag}", kind="car_club", store=store, place="门店", starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=2), capacity=5,
        )  # fmt: skip
        register_for_event(member_id=member.pk, event_id=event.pk)
        record_service_visit(
            vehicle_id=car.pk, dealer_reference=f"DLR-{tag}", serviced_on=datetime.date(2026, 6, 1),
            mileage_km=5000, description="保养", is_maintenance=True, amounts={"customer_amount": Decimal("800")},
        )  # fmt: skip
        record_insurance_policy(
            vehicle_id=car.pk, insurer="平安保险", policy_number=f"PA-{tag}", starts_on=datetime.date(2026, 6, 1),
            ends_on=datetime.date(2027, 6, 1), source="staff",
        )  # fmt: skip
        record_inspection(vehicle_id=car.pk, inspected_on=datetime.date(2026, 6, 1), result="passed", source="staff")
        book_appointment(
            member_id=member.pk, vehicle_id=car.pk, store_id=store.pk, kind="maintenance",
            date=timezone.localdate() + datetime.timedelta(days=1), slot=datetime.time(10),
        )  # fmt: skip
        [self.failed_sms] = queue_notification(
            recipient_id=member.user_id, event="t", subject="s", body="b", dedupe_key=f"sms-{tag}", channels=("sms",)
        )
        Notification.objects.filter(pk=self.failed_sms.pk).update(status="failed", last_error="boom")
        open_task(
            kind="return_visit", title="回访", store=store, member=member, subject_type="order",
            subject_id=self.order.pk, due_at=timezone.now(), script="b",
        )  # fmt: skip
        points_services.adjust_points(member_id=member.pk, points=3000, reason="测试", actor=cast.head_office)
        self.lead = submit_quick_lead(
            name=f"线索{tag}", phone=f"1370013700{ord(tag) % 10}", city=store.city, ip=None
        ).lead
        team = LeadTeam.objects.create(name=f"小组{tag}", store=store)
        LeadTeamAgent.objects.create(team=team, agent=staff)
        points_services.redeem_reward(
            member_id=member.pk, reward_id=cast.reward.pk, idempotency_key=f"redeem-{tag}", actor=member.user
        )
        file_complaint(member=member, category="service", description=f"投诉{tag}", filed_by="member",
                       actor=member.user, store=store)  # fmt: skip


@pytest.fixture
def two_stores(cast, sms_outbox):
    """Store A (cast.store) and store B (cast.other_store), each with a full world; plus a member whose preferred
    store is B but who applied at A, so A sees them through the application."""
    cast.reward = RewardFactory(cost_points=1000)
    clerk_a, manager_a, head_office = cast.store_staff, cast.store_manager, cast.head_office
    member_a = cast.member
    member_b = MemberFactory(city="广州", preferred_store=cast.other_store, verified=True)
    world_a = StoreWorld(cast, store=cast.store, staff=clerk_a, member=member_a, tag="A")
    world_b = StoreWorld(cast, store=cast.other_store, staff=cast.other_store_staff, member=member_b, tag="B")
    cast.store_staff = clerk_a
    applied_at_a = MemberFactory(preferred_store=cast.other_store, verified=True)
    create_order(member=applied_at_a, trim_id=cast.trim.pk, plan_id=cast.plan.pk, actor=applied_at_a.user,
                 store_id=cast.store.pk)  # fmt: skip
    compute_segments(as_of=timezone.localdate())  # tiers, lifecycles, system tags and their history for both
    add_staff_tag(actor=head_office, member_id=member_b.pk, tag_code="prefers_ev")
    add_staff_tag(actor=head_office, member_id=member_a.pk, tag_code="prefers_ev")
    return {"a": world_a, "b": world_b, "clerk": clerk_a, "manager": manager_a, "hq": head_office,
            "applied_at_a": applied_at_a}  # fmt: skip


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _with_every_admin_permission(user: User) -> User:
    """Give ``user`` view, change and delete on every registered model, so what hides store B's rows is the scoping,
    not a missing permission."""
    codenames = Q()
    for model, _model_admin in _registered():
        for action in ("view", "change", "delete"):
            codenames |= Q(content_type__app_label=model._meta.app_label, codename=f"{action}_{model._meta.model_name}")
    user.user_permissions.set(Permission.objects.filter(codenames))
    return User.objects.get(pk=user.pk)  # a fresh object: no cached permissions


def _url(model, *parts) -> str:
    return "/".join(["", "admin", model._meta.app_label, model._meta.model_name, *map(str, parts), ""])


def _snapshot(queryset) -> list[dict]:
    return [model_to_dict(row, fields=[field.name for field in row._meta.concrete_fields]) for row in queryset]


def test_every_registered_admin_model_is_classified():
    labels = {model._meta.label for model, _model_admin in _registered()}
    unclassified = labels - _NO_STORE - _HEAD_OFFICE_ONLY - set(_STORE_B_ROWS)
    assert unclassified == set(), f"say whether these belong to a store or a member: {unclassified}"
    assert set(_STORE_B_ROWS) <= labels


@pytest.mark.parametrize("role", ["clerk", "manager"])
def test_store_role_never_reaches_another_store_s_rows(two_stores, role):
    world_b = two_stores["b"]
    staff = _with_every_admin_permission(two_stores[role])
    client = Client()
    client.force_login(staff)
    phone_b = str(world_b.member.user.phone)
    for model, model_admin in _registered():
        label = model._meta.label
        if label not in _STORE_B_ROWS:
            continue
        b_rows = _STORE_B_ROWS[label](world_b)
        b_pks = set(b_rows.values_list("pk", flat=True))
        assert b_pks, f"{label}: the test built no store-B rows"
        before = _snapshot(b_rows.order_by("pk"))
        count_before = model.objects.count()

        changelist = client.get(_url(model))
        assert changelist.status_code == 200, label
        listed = {row.pk for row in changelist.context["cl"].result_list}
        assert listed & b_pks == set(), f"{label}: store B rows listed"
        assert listed, f"{label}: store A's own rows should be listed"
        assert phone_b not in changelist.content.decode(), label
        # Store A's own row opens, and none of its choices (e.g. an owner to pick) names B's member.
        own_page = client.get(_url(model, sorted(listed)[0], "change"))
        assert own_page.status_code == 200, label
        assert phone_b not in own_page.content.decode(), label
        # Searching for B's member by phone finds nothing either.
        if model_admin.search_fields:
            found = client.get(_url(model), {"q": phone_b[-8:]})
            assert {row.pk for row in found.context["cl"].result_list} & b_pks == set(), label

        for pk in b_pks:
            for page in ("change", "history", "delete"):
                response = client.get(_url(model, pk, page))
                assert response.status_code in (302, 403, 404), (label, page, response.status_code)
                if response.status_code == 302:
                    assert response.url == "/admin/", (label, page)
                assert phone_b not in response.content.decode(), (label, page)
            change = client.post(_url(model, pk, "change"), {"name": "改名", "tier": "gold", "outcome": "x"})
            assert change.status_code in (302, 403, 404), label
            assert client.post(_url(model, pk, "delete"), {"post": "yes"}).status_code in (302, 403, 404), label

        # Every admin action, run on store B's rows, touches none of them.
        request = changelist.wsgi_request
        for action in model_admin.get_actions(request):
            client.post(_url(model), {"action": action, "_selected_action": sorted(b_pks), "post": "yes"})

        assert _snapshot(b_rows.order_by("pk")) == before, f"{label}: store B rows changed"
        assert model.objects.count() == count_before, f"{label}: rows deleted"
    assert Notification.objects.get(pk=world_b.failed_sms.pk).status == "failed"
    assert Member.objects.get(pk=world_b.member.pk).name == world_b.member.name


@pytest.mark.parametrize("role", ["clerk", "manager"])
def test_store_role_never_sees_head_office_only_screens(two_stores, role):
    staff = _with_every_admin_permission(two_stores[role])
    client = Client()
    client.force_login(staff)
    for model, _model_admin in _registered():
        if model._meta.label in _HEAD_OFFICE_ONLY:
            assert client.get(_url(model)).status_code == 403, model._meta.label
    assert "auditlog" not in client.get("/admin/").content.decode()


def test_head_office_sees_both_stores(two_stores):
    world_a, world_b = two_stores["a"], two_stores["b"]
    client = Client()
    client.force_login(_with_every_admin_permission(two_stores["hq"]))
    for model, _model_admin in _registered():
        label = model._meta.label
        if label not in _STORE_B_ROWS:
            continue
        response = client.get(_url(model))
        assert response.status_code == 200, label
        listed = {row.pk for row in response.context["cl"].result_list}
        assert set(_STORE_B_ROWS[label](world_b).values_list("pk", flat=True)) <= listed, label
        assert set(_STORE_B_ROWS[label](world_a).values_list("pk", flat=True)) <= listed, label
        [b_pk] = list(_STORE_B_ROWS[label](world_b).values_list("pk", flat=True)[:1])
        assert client.get(_url(model, b_pk, "change")).status_code == 200, label
    for model, _model_admin in _registered():
        if model._meta.label in _HEAD_OFFICE_ONLY:
            assert client.get(_url(model)).status_code == 200, model._meta.label


def test_store_members_are_their_preferred_store_s_and_those_who_applied_there(two_stores):
    world_a, world_b = two_stores["a"], two_stores["b"]
    for role in ("clerk", "manager"):
        visible = set(members_visible_to(user=two_stores[role]).values_list("pk", flat=True))
        assert visible == {world_a.member.pk, two_stores["applied_at_a"].pk}
    b_visible = set(members_visible_to(user=world_b.staff).values_list("pk", flat=True))
    assert b_visible == {world_b.member.pk, two_stores["applied_at_a"].pk}  # preferred store B
    assert set(members_visible_to(user=two_stores["hq"]).values_list("pk", flat=True)) == set(
        Member.objects.values_list("pk", flat=True)
    )
    roleless = StaffFactory(username="no-role", role="")
    assert list(members_visible_to(user=roleless)) == []


def _member_change_form(member: Member, **changes) -> dict:
    data = {"name": member.name, "gender": member.gender, "birthday": "", "email": member.email,
            "city": member.city, "preferred_store": member.preferred_store_id or "", "tier": member.tier,
            "qualification-TOTAL_FORMS": "0", "qualification-INITIAL_FORMS": "0",
            "qualification-MIN_NUM_FORMS": "0", "qualification-MAX_NUM_FORMS": "1"}  # fmt: skip
    data.update(changes)
    return data


def test_store_manager_changes_own_store_member_but_not_another_store_s(two_stores, client):
    """The manager's role permissions as they are (members.change_member): the same valid form changes A's member
    and does nothing to B's."""
    world_a, world_b = two_stores["a"], two_stores["b"]
    client.force_login(two_stores["manager"])
    before_b = _snapshot(Member.objects.filter(pk=world_b.member.pk))

    response = client.post(_url(Member, world_b.member.pk, "change"), _member_change_form(world_b.member, name="改名",
                                                                                          tier="gold"))  # fmt: skip
    assert (response.status_code, response.url) == (302, "/admin/")
    assert _snapshot(Member.objects.filter(pk=world_b.member.pk)) == before_b

    response = client.post(_url(Member, world_a.member.pk, "change"), _member_change_form(world_a.member, tier="gold"))
    assert response.status_code == 302
    assert Member.objects.get(pk=world_a.member.pk).tier == "gold"


def test_store_roles_see_their_store_in_the_admin_with_their_role_permissions(two_stores, client):
    world_a, world_b = two_stores["a"], two_stores["b"]
    for role in ("clerk", "manager"):
        client.force_login(two_stores[role])
        orders = client.get(_url(Order)).context["cl"].result_list
        assert {order.store_id for order in orders} == {world_a.store.pk}
        members = {member.pk for member in client.get(_url(Member)).context["cl"].result_list}
        assert members == {world_a.member.pk, two_stores["applied_at_a"].pk}
        units = {unit.store_id for unit in client.get(_url(VehicleUnit)).context["cl"].result_list}
        assert units == {world_a.store.pk}
        assert client.get(_url(Order, world_b.order.pk, "change")).status_code == 302


def test_points_forms_of_another_store_s_member_are_not_found(two_stores, client):
    world_a, world_b = two_stores["a"], two_stores["b"]
    client.force_login(_with_every_admin_permission(two_stores["clerk"]))
    account_b = PointsAccount.objects.get(member=world_b.member)
    entries_before = PointsEntry.objects.count()
    for form in ("adjust", "campaign"):
        assert client.get(_url(PointsAccount, account_b.pk, form)).status_code == 404
        response = client.post(_url(PointsAccount, account_b.pk, form), {"points": "5", "reason": "x", "campaign": "x"})
        assert response.status_code == 404
    account_a = PointsAccount.objects.get(member=world_a.member)
    assert client.get(_url(PointsAccount, account_a.pk, "campaign")).status_code == 200
    assert PointsEntry.objects.count() == entries_before
    assert PointsAccount.objects.get(pk=account_b.pk).balance == account_b.balance


def test_importing_service_records_needs_the_add_permission(two_stores, client):
    client.force_login(_with_every_admin_permission(two_stores["clerk"]))  # view, change, delete; no add
    assert client.get(_url(ServiceRecord, "import")).status_code == 403
    client.force_login(two_stores["hq"])
    two_stores["hq"].user_permissions.add(Permission.objects.get(codename="add_servicerecord"))
    assert client.get(_url(ServiceRecord, "import")).status_code == 200


def test_back_office_and_staff_api_follow_the_same_rule(two_stores, client):
    world_a, world_b = two_stores["a"], two_stores["b"]
    roleless = StaffFactory(username="no-role", role="")
    all_orders = set(Order.objects.values_list("pk", flat=True))
    expected = {
        two_stores["clerk"]: set(Order.objects.filter(store=world_a.store).values_list("pk", flat=True)),
        world_b.staff: set(Order.objects.filter(store=world_b.store).values_list("pk", flat=True)),
        two_stores["hq"]: all_orders,
        roleless: set(),  # a staff account without a role sees no store
    }
    assert expected[two_stores["clerk"]]
    assert expected[world_b.staff]
    for staff, orders in expected.items():
        client.force_login(staff)
        queue = client.get("/backoffice/?view=all")  # every state, closed ones too
        assert {order.pk for order in queue.context["page"]} == orders, staff
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=staff)}")
        listed = api.get("/api/v1/backoffice/orders/").json()["results"]
        assert {row["id"] for row in listed} == orders, staff
        for order_id in all_orders - orders:
            assert client.get(f"/backoffice/orders/{order_id}/").status_code == 404
            assert api.get(f"/api/v1/backoffice/orders/{order_id}/").status_code == 404


def _orders_at(store: Store, count: int, cast: Cast) -> None:
    for _index in range(count):
        member = MemberFactory(preferred_store=store)
        create_order(member=member, trim_id=cast.trim.pk, plan_id=cast.plan.pk, actor=member.user, store_id=store.pk)


@pytest.mark.parametrize("who", ["store_staff", "head_office"])
def test_order_and_member_changelists_take_the_same_queries_for_n_and_3n_rows(
    cast, client, who, django_assert_num_queries
):
    client.force_login(getattr(cast, who))
    expected = {"store_staff": {"order": 9, "member": 9}, "head_office": {"order": 11, "member": 11}}[who]
    for total in (2, 6):
        _orders_at(cast.store, total - Order.objects.filter(store=cast.store).count(), cast)
        _orders_at(cast.other_store, total - Order.objects.filter(store=cast.other_store).count(), cast)
        with django_assert_num_queries(expected["order"]):
            orders = client.get(_url(Order))
        assert len(orders.context["cl"].result_list) == (total if who == "store_staff" else 2 * total)
        with django_assert_num_queries(expected["member"]):
            members = client.get(_url(Member))
        visible = Member.objects.filter(preferred_store=cast.store).count()
        assert len(members.context["cl"].result_list) == (visible if who == "store_staff" else Member.objects.count())


def test_autocomplete_offers_only_visible_rows(two_stores, client):
    world_a, world_b = two_stores["a"], two_stores["b"]

    def suggestions(user, model_name, field_name, term):
        client.force_login(user)
        response = client.get("/admin/autocomplete/", {"app_label": "vehicles", "model_name": model_name,
                                                        "field_name": field_name, "term": term})  # fmt: skip
        assert response.status_code == 200
        return {int(item["id"]) for item in response.json()["results"]}

    clerk = _with_every_admin_permission(two_stores["clerk"])
    hq = _with_every_admin_permission(two_stores["hq"])
    members = {world_a.member.pk, world_b.member.pk}
    assert suggestions(clerk, "ownedvehicle", "member", "+86") & members == {world_a.member.pk}
    assert suggestions(hq, "ownedvehicle", "member", "+86") & members == members
    car_a, car_b = (OwnedVehicle.objects.get(member=world.member).pk for world in (world_a, world_b))
    assert suggestions(clerk, "servicerecord", "vehicle", "粤B") == {car_a}
    assert suggestions(hq, "servicerecord", "vehicle", "粤B") == {car_a, car_b}
