"""The application's state machine.

Transitions change only the order's own fields: no I/O, no other models. Services call them, inside ``atomic()``,
after checking ``has_transition_perm`` themselves; the services do the rest (stock, loans, events, notifications).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from members.enums import StaffRole
from orders.enums import MEMBER_CANCELLABLE_STATES, NON_TERMINAL_STATES, DocumentKind
from orders.enums import OrderState as S

MEMBER = "member"
STORE_ROLES = {StaffRole.STORE_STAFF, StaffRole.STORE_MANAGER}

# Who may make each transition. "member" is the order's own member; store roles only for their own store.
TRANSITION_ACTORS: dict[str, set[str]] = {
    "submit": {MEMBER, StaffRole.CALL_CENTER},
    "start_collecting": STORE_ROLES,
    "send_to_review": STORE_ROLES,
    "approve": {StaffRole.REVIEWER},
    "request_materials": {StaffRole.REVIEWER},
    "resubmit": {MEMBER, *STORE_ROLES},
    "reject": {StaffRole.REVIEWER},
    "confirm_vehicle": STORE_ROLES,
    "wait_for_vehicle": {MEMBER, *STORE_ROLES},
    "vehicle_arrived": STORE_ROLES,
    "change_model": {MEMBER, StaffRole.CALL_CENTER},
    "schedule_signing": STORE_ROLES,
    "sign_contract": STORE_ROLES,
    "record_down_payment": STORE_ROLES,
    "fund": {StaffRole.FINANCE},
    "notify_pickup": STORE_ROLES,
    "hand_over": STORE_ROLES,
    "cancel": {MEMBER},
    "terminate": {StaffRole.STORE_MANAGER, StaffRole.CALL_CENTER, StaffRole.HEAD_OFFICE},
}


def actor_kind(user) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    if user.is_staff:
        return user.role or None
    return MEMBER


def is_permitted(*, order, user, transition_name: str) -> bool:
    kind = actor_kind(user)
    if kind is None:
        return False
    if kind == StaffRole.ADMIN:
        return transition_name != "cancel"  # administrators act as staff, never as the member
    if kind not in TRANSITION_ACTORS[transition_name]:
        return False
    if kind == MEMBER:
        member = getattr(user, "member", None)
        return member is not None and member.pk == order.member_id
    if kind in STORE_ROLES:
        return order.store_id is not None and order.store_id == user.store_id
    return True


def _permission(name: str):
    return lambda order, user: is_permitted(order=order, user=user, transition_name=name)


def has_required_documents(order) -> bool:
    return not order.missing_documents()


def has_store(order) -> bool:
    return order.store_id is not None


def has_delivery_photo(order) -> bool:
    return DocumentKind.DELIVERY_PHOTO in order.uploaded_document_kinds()


def _meta(label, *, needs_reason=False):
    return {"label": label, "needs_reason": needs_reason}


class OrderStateMachine(ConcurrentTransitionMixin, models.Model):
    state = FSMField(_("state"), max_length=24, choices=S.choices, default=S.DRAFT, protected=True, db_index=True)

    class Meta:
        abstract = True

    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED, permission=_permission("submit"),
                custom=_meta(_("Submit application")))  # fmt: skip
    def submit(self, *, store_id):
        self.store_id = store_id  # None: the application waits unassigned for the call center

    @transition(field=state, source=S.SUBMITTED, target=S.COLLECTING_MATERIALS,
                permission=_permission("start_collecting"), conditions=[has_store],
                custom=_meta(_("Start collecting materials")))  # fmt: skip
    def start_collecting(self):
        pass

    @transition(field=state, source=S.COLLECTING_MATERIALS, target=S.UNDER_REVIEW,
                permission=_permission("send_to_review"), conditions=[has_required_documents],
                custom=_meta(_("Send to review")))  # fmt: skip
    def send_to_review(self):
        pass

    @transition(field=state, source=S.UNDER_REVIEW, target=S.APPROVED, permission=_permission("approve"),
                custom=_meta(_("Approve")))  # fmt: skip
    def approve(self):
        pass

    @transition(field=state, source=S.UNDER_REVIEW, target=S.NEEDS_MATERIALS,
                permission=_permission("request_materials"),
                custom=_meta(_("Ask for more materials"), needs_reason=True))  # fmt: skip
    def request_materials(self):
        pass

    @transition(field=state, source=S.NEEDS_MATERIALS, target=S.UNDER_REVIEW, permission=_permission("resubmit"),
                custom=_meta(_("Resubmit materials")))  # fmt: skip
    def resubmit(self):
        pass

    @transition(field=state, source=S.UNDER_REVIEW, target=S.REJECTED, permission=_permission("reject"),
                custom=_meta(_("Reject"), needs_reason=True))  # fmt: skip
    def reject(self):
        pass

    @transition(field=state, source=S.APPROVED, target=S.VEHICLE_CONFIRMED,
                permission=_permission("confirm_vehicle"), custom=_meta(_("Confirm car in stock")))  # fmt: skip
    def confirm_vehicle(self, *, vehicle_unit_id):
        self.vehicle_unit_id = vehicle_unit_id

    @transition(field=state, source=S.APPROVED, target=S.AWAITING_VEHICLE, permission=_permission("wait_for_vehicle"),
                custom=_meta(_("Wait for the car")))  # fmt: skip
    def wait_for_vehicle(self):
        pass

    @transition(field=state, source=S.AWAITING_VEHICLE, target=S.VEHICLE_CONFIRMED,
                permission=_permission("vehicle_arrived"), custom=_meta(_("Car has arrived")))  # fmt: skip
    def vehicle_arrived(self, *, vehicle_unit_id):
        self.vehicle_unit_id = vehicle_unit_id

    @transition(field=state, source=[S.APPROVED, S.AWAITING_VEHICLE], target=S.REPLACED,
                permission=_permission("change_model"), custom=_meta(_("Change model")))  # fmt: skip
    def change_model(self):
        pass

    @transition(field=state, source=S.VEHICLE_CONFIRMED, target=S.CONTRACT_SCHEDULED,
                permission=_permission("schedule_signing"), custom=_meta(_("Book signing")))  # fmt: skip
    def schedule_signing(self, *, signing_at):
        self.signing_at = signing_at

    @transition(field=state, source=S.CONTRACT_SCHEDULED, target=S.SIGNED, permission=_permission("sign_contract"),
                custom=_meta(_("Contract signed")))  # fmt: skip
    def sign_contract(self):
        pass

    @transition(field=state, source=S.SIGNED, target=S.DOWN_PAYMENT_PAID,
                permission=_permission("record_down_payment"), custom=_meta(_("Down payment received")))  # fmt: skip
    def record_down_payment(self):
        pass

    @transition(field=state, source=S.DOWN_PAYMENT_PAID, target=S.FUNDED, permission=_permission("fund"),
                custom=_meta(_("Disburse loan")))  # fmt: skip
    def fund(self):
        pass

    @transition(field=state, source=S.FUNDED, target=S.READY_FOR_PICKUP, permission=_permission("notify_pickup"),
                custom=_meta(_("Car ready: notify member")))  # fmt: skip
    def notify_pickup(self):
        pass

    @transition(field=state, source=S.READY_FOR_PICKUP, target=S.DELIVERED, permission=_permission("hand_over"),
                conditions=[has_delivery_photo], custom=_meta(_("Hand over the car")))  # fmt: skip
    def hand_over(self, *, plate):
        self.plate = plate

    @transition(field=state, source=list(MEMBER_CANCELLABLE_STATES), target=S.TERMINATED,
                permission=_permission("cancel"), custom=_meta(_("Cancel application"), needs_reason=True))  # fmt: skip
    def cancel(self):
        pass

    @transition(field=state, source=list(NON_TERMINAL_STATES), target=S.TERMINATED,
                permission=_permission("terminate"), custom=_meta(_("Terminate"), needs_reason=True))  # fmt: skip
    def terminate(self):
        pass
