"""The `cast` fixture: the people who touch an application, and a helper that walks it along the main road."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from members.services import ensure_role_groups
from orders import services
from orders.enums import REQUIRED_FOR_REVIEW, DocumentKind, OrderState
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory
from tests.vehicles.factories import FinancePlanFactory, VehicleUnitFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def png_upload(name="photo.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


class Cast:
    """Everyone who touches an application at store A, plus store B's staff who must not."""

    def __init__(self):
        groups = ensure_role_groups()
        self.store = StoreFactory(code="SZ01", city="深圳")
        self.other_store = StoreFactory(code="GZ01", city="广州")
        self.plan = FinancePlanFactory()
        self.trim = self.plan.trim
        self.unit = VehicleUnitFactory(trim=self.trim, store=self.store)
        self.member = MemberFactory(city="深圳", preferred_store=self.store, email="buyer@example.com", verified=True)
        self.member_user = self.member.user
        self.store_staff = StaffFactory(username="store.a", role="store_staff", store=self.store)
        self.store_manager = StaffFactory(username="manager.a", role="store_manager", store=self.store)
        self.other_store_staff = StaffFactory(username="store.b", role="store_staff", store=self.other_store)
        self.reviewer = StaffFactory(username="reviewer", role="reviewer")
        self.finance = StaffFactory(username="finance", role="finance")
        self.call_center = StaffFactory(username="agent", role="call_center")
        self.head_office = StaffFactory(username="hq", role="head_office")
        for staff in (self.store_staff, self.store_manager, self.other_store_staff, self.reviewer, self.finance,
                      self.call_center, self.head_office):  # fmt: skip
            staff.groups.set([groups[staff.role]])

    def new_order(self, member=None):
        """A draft for ``member`` (default: the cast's member). A member has one open application at a time, so a
        test that needs several open ones gives each its own applicant (``applicant()``)."""
        member = member or self.member
        return services.create_order(member=member, trim_id=self.trim.pk, plan_id=self.plan.pk, actor=member.user)

    def applicant(self, **fields):
        """Another verified member who applies at store A (preferred store, same city), unless ``fields`` say
        otherwise."""
        return MemberFactory(**{"city": "深圳", "preferred_store": self.store, "verified": True, **fields})

    def upload(self, order, kind, actor=None):
        return services.upload_document(
            order=order, kind=kind, uploaded_file=png_upload(), actor=actor or order.member.user
        )

    def step(self, order, name, actor, **data):
        return services.apply_transition(order_id=order.pk, name=name, actor=actor, **data)

    def advance(self, order, target: str):
        """Walk ``order`` along the main road until it is in ``target``."""
        road = [
            (OrderState.SUBMITTED, lambda o: self.step(o, "submit", o.member.user)),
            (OrderState.COLLECTING_MATERIALS, lambda o: self.step(o, "start_collecting", self.store_staff)),
            (OrderState.UNDER_REVIEW, self._send_to_review),
            (OrderState.APPROVED, self._approve),
            (OrderState.VEHICLE_CONFIRMED, lambda o: self.step(o, "confirm_vehicle", self.store_staff)),
            (
                OrderState.CONTRACT_SCHEDULED,
                lambda o: self.step(
                    o, "schedule_signing", self.store_staff, signing_at=timezone.now() + datetime.timedelta(days=2)
                ),
            ),
            (OrderState.SIGNED, lambda o: self.step(o, "sign_contract", self.store_staff)),
            (OrderState.DOWN_PAYMENT_PAID, lambda o: self.step(o, "record_down_payment", self.store_staff)),
            (OrderState.FUNDED, lambda o: self.step(o, "fund", self.finance)),
            (OrderState.READY_FOR_PICKUP, lambda o: self.step(o, "notify_pickup", self.store_staff)),
            (OrderState.DELIVERED, self._hand_over),
        ]
        states = [OrderState.DRAFT, *(state for state, _take in road)]
        for state, take in road[states.index(order.state) :]:
            if order.state == target:
                break
            order = take(order)
            assert order.state == state
        assert order.state == target
        return order

    def _send_to_review(self, order):
        for kind in REQUIRED_FOR_REVIEW:
            self.upload(order, kind)
        return self.step(order, "send_to_review", self.store_staff)

    def _approve(self, order):
        # Where the credit check ran (transactional tests) and declined, head office agrees first, as in real life.
        check = order.credit_checks.order_by("-created_at", "-pk").first()
        if check is not None and check.decision == "decline":
            services.agree_to_approve_declined(order_id=order.pk, actor=self.head_office, note="总部同意")
        return self.step(order, "approve", self.reviewer)

    def _hand_over(self, order):
        self.upload(order, DocumentKind.DELIVERY_PHOTO, actor=self.store_staff)
        return self.step(order, "hand_over", self.store_staff, plate="粤B16888")


@pytest.fixture
def cast(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Cast()


@pytest.fixture
def funded(cast):
    """The cast's application, funded: a loan with its installments."""
    return cast.advance(cast.new_order(), "funded")


def login(user) -> Client:
    """A browser signed in as ``user``, reading English."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client
