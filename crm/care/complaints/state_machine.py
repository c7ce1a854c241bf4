"""The complaint's state machine (the complaint process of the service handbook).

Transitions change only the complaint's own fields: no I/O, no other models. Services call them inside ``atomic()``
after checking the permission themselves, and write the event, the notification and the SLA bookkeeping.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.care.complaints.enums import ComplaintStatus as S
from members.enums import StaffRole

STORE_ROLES = {StaffRole.STORE_STAFF, StaffRole.STORE_MANAGER}
SUPERVISORS = {StaffRole.STORE_MANAGER, StaffRole.HEAD_OFFICE}

# Who may take each step. Store roles only on their own store's complaints; head-office roles on every store's.
TRANSITION_ACTORS: dict[str, set[str]] = {
    "record": {StaffRole.CALL_CENTER, *STORE_ROLES, StaffRole.HEAD_OFFICE},
    "investigate": {*STORE_ROLES, StaffRole.HEAD_OFFICE},
    "propose_solution": SUPERVISORS,
    "notify_member": {StaffRole.CALL_CENTER, *STORE_ROLES},
    "execute": {*STORE_ROLES, StaffRole.HEAD_OFFICE},
    "follow_up": {StaffRole.CALL_CENTER, *STORE_ROLES},
    "close": SUPERVISORS,
    "reopen": {StaffRole.CALL_CENTER, *SUPERVISORS},
}


def is_permitted(*, complaint, user, transition_name: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_staff:
        return False
    role = StaffRole.ADMIN if user.is_superuser else user.role
    if role == StaffRole.ADMIN:
        return True
    if role not in TRANSITION_ACTORS[transition_name]:
        return False
    if role in STORE_ROLES:
        return complaint.store_id is not None and complaint.store_id == user.store_id
    return True


def _permission(name: str):
    return lambda complaint, user: is_permitted(complaint=complaint, user=user, transition_name=name)


def _meta(label, *, needs_note=False):
    return {"label": label, "needs_note": needs_note}


class ComplaintStateMachine(ConcurrentTransitionMixin, models.Model):
    status = FSMField(_("status"), max_length=24, choices=S.choices, default=S.RECEIVED, protected=True, db_index=True)

    class Meta:
        abstract = True

    @transition(field=status, source=S.RECEIVED, target=S.RECORDED, permission=_permission("record"),
                custom=_meta(_("Record and acknowledge")))  # fmt: skip
    def record(self, *, at):
        self.first_responded_at = at

    @transition(field=status, source=[S.RECORDED, S.REOPENED], target=S.INVESTIGATING,
                permission=_permission("investigate"), custom=_meta(_("Start investigating")))  # fmt: skip
    def investigate(self):
        pass

    @transition(field=status, source=S.INVESTIGATING, target=S.SOLUTION_PROPOSED,
                permission=_permission("propose_solution"),
                custom=_meta(_("Propose a solution"), needs_note=True))  # fmt: skip
    def propose_solution(self, *, solution):
        self.solution = solution

    @transition(field=status, source=S.SOLUTION_PROPOSED, target=S.MEMBER_NOTIFIED,
                permission=_permission("notify_member"),
                custom=_meta(_("Solution told to the member"), needs_note=True))  # fmt: skip
    def notify_member(self):
        pass

    @transition(field=status, source=S.MEMBER_NOTIFIED, target=S.EXECUTING, permission=_permission("execute"),
                custom=_meta(_("Carry out the solution")))  # fmt: skip
    def execute(self):
        pass

    @transition(field=status, source=S.EXECUTING, target=S.FOLLOW_UP, permission=_permission("follow_up"),
                custom=_meta(_("Follow up with the member"), needs_note=True))  # fmt: skip
    def follow_up(self):
        pass

    @transition(field=status, source=S.FOLLOW_UP, target=S.CLOSED, permission=_permission("close"),
                custom=_meta(_("Close"), needs_note=True))  # fmt: skip
    def close(self, *, at, root_cause, prevention):
        self.closed_at = at
        self.root_cause = root_cause
        self.prevention = prevention

    @transition(field=status, source=S.CLOSED, target=S.REOPENED, permission=_permission("reopen"),
                custom=_meta(_("Reopen"), needs_note=True))  # fmt: skip
    def reopen(self):
        self.closed_at = None
