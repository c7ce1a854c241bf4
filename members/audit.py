"""Who changed what, for the call-center admin. Personal data (the ID number, qualification answers) never goes into
the audit trail; the masked ID number does, so a change of identity still shows."""

from auditlog.registry import auditlog

from members.models import Member, Qualification, Store, User

auditlog.register(User, exclude_fields=["password", "last_login"])
auditlog.register(Store)
auditlog.register(Member, exclude_fields=["id_number_encrypted", "id_number_hash", "updated_at"])
auditlog.register(
    Qualification, exclude_fields=["employer_name", "monthly_income_band", "marital_status", "updated_at"]
)
