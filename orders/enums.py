from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    COLLECTING_MATERIALS = "collecting_materials", _("Collecting materials")
    UNDER_REVIEW = "under_review", _("Under review")
    NEEDS_MATERIALS = "needs_materials", _("Needs more materials")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    AWAITING_VEHICLE = "awaiting_vehicle", _("Waiting for the car")
    VEHICLE_CONFIRMED = "vehicle_confirmed", _("Car confirmed")
    CONTRACT_SCHEDULED = "contract_scheduled", _("Signing booked")
    SIGNED = "signed", _("Contract signed")
    DOWN_PAYMENT_PAID = "down_payment_paid", _("Down payment received")
    FUNDED = "funded", _("Loan disbursed")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
    DELIVERED = "delivered", _("Delivered")
    TERMINATED = "terminated", _("Terminated")
    REPLACED = "replaced", _("Replaced by a new application")


TERMINAL_STATES = (OrderState.REJECTED, OrderState.DELIVERED, OrderState.TERMINATED, OrderState.REPLACED)
TERMINAL_STATE_VALUES = [state.value for state in TERMINAL_STATES]
NON_TERMINAL_STATES = tuple(state for state in OrderState if state not in TERMINAL_STATES)
# States an application may be in without a store: the member's draft, a submitted application waiting for the call
# center to assign one, and one ended before any store took it.
STORELESS_STATES = [OrderState.DRAFT.value, OrderState.SUBMITTED.value, OrderState.TERMINATED.value]
# A member may cancel on their own until the contract is signed.
MEMBER_CANCELLABLE_STATES = (
    OrderState.DRAFT,
    OrderState.SUBMITTED,
    OrderState.COLLECTING_MATERIALS,
    OrderState.UNDER_REVIEW,
    OrderState.NEEDS_MATERIALS,
    OrderState.APPROVED,
    OrderState.AWAITING_VEHICLE,
    OrderState.VEHICLE_CONFIRMED,
    OrderState.CONTRACT_SCHEDULED,
)


class DocumentKind(models.TextChoices):
    ID_FRONT = "id_front", _("ID card (front)")
    ID_BACK = "id_back", _("ID card (back)")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    INCOME_PROOF = "income_proof", _("Proof of income")
    BANK_STATEMENT = "bank_statement", _("Bank statement")
    CONTRACT = "contract", _("Contract")
    DELIVERY_PHOTO = "delivery_photo", _("Delivery photo")


class DocumentReview(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected, please upload again")


# Documents only the store adds (the signed contract, the handover photos); members upload the others.
STAFF_ONLY_DOCUMENT_KINDS = (DocumentKind.CONTRACT, DocumentKind.DELIVERY_PHOTO)
MEMBER_DOCUMENT_KINDS = tuple(kind for kind in DocumentKind if kind not in STAFF_ONLY_DOCUMENT_KINDS)

# What a reviewer needs before an application can go to review.
REQUIRED_FOR_REVIEW = (
    DocumentKind.ID_FRONT,
    DocumentKind.ID_BACK,
    DocumentKind.DRIVING_LICENCE,
    DocumentKind.INCOME_PROOF,
)


class CreditCheckStatus(models.TextChoices):
    PENDING = "pending", _("Running")
    COMPLETED = "completed", _("Completed")
    ERROR = "error", _("Provider error, will retry")


class CreditDecision(models.TextChoices):
    PASS = "pass", _("Pass")
    REFER = "refer", _("Refer to a reviewer")
    DECLINE = "decline", _("Decline")


class InstallmentStatus(models.TextChoices):
    DUE = "due", _("Due")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")


class PaymentSource(models.TextChoices):
    RECORDED = "recorded", _("Recorded by finance")
    IMPORTED = "imported", _("Loan system's repayment file")
    SETTLEMENT = "settlement", _("Early settlement")


class RepaymentImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Applied")
    REJECTED = "rejected", _("Rejected")


class DropOutReason(models.TextChoices):
    """Why an application ended without a car (rejection or termination): a code the reports can count, next to
    the free-text reason the member reads."""

    CREDIT_DECLINED = "credit_declined", _("Credit check declined")
    INCOMPLETE_DOCUMENTS = "incomplete_documents", _("Documents incomplete")
    PRICE_OR_TERMS = "price_or_terms", _("Price or finance terms")
    CHANGED_MIND = "changed_mind", _("Changed their mind")
    BOUGHT_ELSEWHERE = "bought_elsewhere", _("Bought elsewhere")
    NO_VEHICLE = "no_vehicle", _("No car available")
    UNREACHABLE = "unreachable", _("Could not be reached")
    OTHER = "other", _("Other")


# The states in which an application has dropped out of the funnel (they take a DropOutReason).
DROP_OUT_STATES = (OrderState.REJECTED, OrderState.TERMINATED)
