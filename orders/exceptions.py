from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class UnknownTransition(DomainError):
    code = "unknown_transition"
    status_code = 404
    default_message = _("There is no such step.")


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    status_code = 409
    default_message = _("This step is not possible in the application's current state. Please reload the page.")


class TransitionForbidden(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = _("You may not take this step on this application.")


class VerificationRequired(DomainError):
    code = "verification_required"
    status_code = 409
    default_message = _(
        "An application can be submitted once the member's identity is verified. Please verify your real name first."
    )


class CreditDeclinedNeedsHeadOffice(DomainError):
    code = "credit_declined_needs_head_office"
    status_code = 409
    default_message = _(
        "The credit check declined this application. It can be approved only after head office agrees and records why."
    )


class CreditOverrideNotNeeded(DomainError):
    code = "credit_override_not_needed"
    status_code = 409
    default_message = _("Head office's agreement is only for an application in review whose credit check declined it.")


class CreditOverrideExists(DomainError):
    code = "credit_override_exists"
    status_code = 409
    default_message = _("Head office has already agreed to approve this application.")


class ReasonRequired(DomainError):
    code = "reason_required"
    field = "reason"
    default_message = _("Please give a reason for this step.")


class UnknownReasonCode(DomainError):
    code = "unknown_reason_code"
    default_message = _("Choose one of the listed reasons.")


class MissingDocuments(DomainError):
    code = "missing_documents"
    status_code = 409
    default_message = _("Some required documents are missing.")


class InvalidOrderChoice(DomainError):
    code = "invalid_choice"
    default_message = _("This car or finance plan is not available.")


class ActiveApplicationExists(DomainError):
    """One application at a time: the body names the active one (``active_order``) so a client can open it."""

    code = "active_application_exists"
    status_code = 409
    default_message = _(
        "You already have an application in progress. Please continue with it, or cancel it before starting a new one."
    )

    def __init__(self, *, active_order_id: int) -> None:
        super().__init__()
        self.active_order_id = active_order_id
        self.extra = {"active_order": active_order_id}


class StoreNotAssigned(DomainError):
    code = "store_not_assigned"
    status_code = 409
    default_message = _("No store has been assigned to this application yet. The call center assigns one first.")


class StoreAlreadyAssigned(DomainError):
    code = "store_already_assigned"
    status_code = 409
    default_message = _("This application already has a store. Move it to another store instead.")


class InvalidStore(DomainError):
    code = "invalid_store"
    field = "store"
    default_message = _("There is no open store with this code.")


class InvalidDocument(DomainError):
    code = "invalid_document"
    field = "file"
    default_message = _("Please upload a JPEG, PNG or PDF file of at most 10 MB.")


class DocumentTooLarge(InvalidDocument):
    default_message = _("This file is larger than 10 MB. Please upload a smaller picture or PDF.")


class DocumentEmpty(InvalidDocument):
    default_message = _("This file is empty. Please choose the picture or PDF again.")


class DocumentTypeNotAccepted(InvalidDocument):
    default_message = _("Only JPEG, PNG or PDF files can be uploaded.")


class DocumentKindForStaff(InvalidDocument):
    field = "kind"
    default_message = _("The store adds this document; you do not need to upload it.")


class InvalidTransitionData(DomainError):
    code = "invalid"
    default_message = _("Some fields are not valid. Please check them and try again.")


class OrderNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("Not found.")


class InstallmentNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("There is no such installment.")


class Overpayment(DomainError):
    code = "overpayment"
    status_code = 400
    default_message = _("This is more than is still due on the installment.")
    field = "amount"


class PaymentReferenceUsed(DomainError):
    code = "payment_reference_used"
    status_code = 409
    default_message = _("This payment reference is already recorded for another installment or another amount.")
    field = "reference"


class InstallmentClosedToCoupons(DomainError):
    code = "installment_closed_to_coupons"
    status_code = 409
    default_message = _(
        "A coupon can only go on an installment that is neither paid nor overdue and has no coupon yet."
    )


class LoanAlreadySettled(DomainError):
    code = "loan_settled"
    status_code = 409
    default_message = _("This loan is already paid off.")


class DownPaymentCouponNotAllowed(DomainError):
    code = "down_payment_coupon_not_allowed"
    status_code = 409
    default_message = _(
        "A down-payment coupon is applied by the store at signing, once per application, before the down payment "
        "is received."
    )


class RepaymentFileInvalid(DomainError):
    code = "repayment_file_invalid"
    status_code = 400
    default_message = _("The repayment file has errors; nothing was applied.")


class LoanNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("There is no such loan.")


class InvalidBankCard(DomainError):
    code = "invalid_bank_card"
    default_message = _("Please check the bank card details.")
