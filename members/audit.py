"""Who changed what, for the call-center admin. Personal data (the ID number, qualification answers) never goes into
the audit trail; the masked ID number does, so a change of identity still shows."""

from auditlog.registry import auditlog

from members.models import Member, Qualification, Store, User


def _own_fields(model, *, leaving_out: set[str] = frozenset()) -> list[str]:
    """The model's own columns. Without this list auditlog logs a new row by reading every relation that points at
    it as well: one query per reverse one-to-one (a new member's points account, qualification, …), each empty."""
    return [field.name for field in model._meta.concrete_fields if field.name not in leaving_out]


auditlog.register(User, include_fields=_own_fields(User, leaving_out={"password", "last_login"}))
auditlog.register(Store, include_fields=_own_fields(Store))
auditlog.register(
    Member, include_fields=_own_fields(Member, leaving_out={"id_number_encrypted", "id_number_hash", "updated_at"})
)
auditlog.register(
    Qualification,
    include_fields=_own_fields(
        Qualification, leaving_out={"employer_name", "monthly_income_band", "marital_status", "updated_at"}
    ),
)
