from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class InvalidPhoneNumber(DomainError):
    code = "invalid_phone"
    field = "phone"
    default_message = _("Please enter a valid mobile phone number.")


class PhoneRegionNotAllowed(DomainError):
    code = "phone_region_not_allowed"
    field = "phone"
    default_message = _("Sign-in codes can only be sent to mobile numbers of the supported countries.")


class TooManyRequests(DomainError):
    code = "too_many_requests"
    status_code = 429
    default_message = _("Too many requests. Please try again later.")


class InvalidSignInCode(DomainError):
    code = "invalid_code"
    field = "code"
    default_message = _("The code is wrong or has expired. Please request a new one.")


class InvalidInviteCode(DomainError):
    code = "invalid_invite_code"
    field = "invite_code"
    default_message = _("This invite code does not exist. Please check it, or leave it empty.")


class InvalidIdNumber(DomainError):
    code = "invalid_id_number"
    field = "id_number"
    default_message = _("Please enter a valid 18-character mainland ID number.")


class IdNumberTaken(DomainError):
    code = "id_number_taken"
    status_code = 409
    field = "id_number"
    default_message = _("This ID number is already verified on another account. Please call customer service.")


class AlreadyVerified(DomainError):
    code = "already_verified"
    status_code = 409
    default_message = _("Your identity is already verified.")


class InvalidName(DomainError):
    code = "invalid_name"
    field = "real_name"
    default_message = _("Please enter your name exactly as on your resident ID card.")


class IdentityMismatch(DomainError):
    code = "identity_mismatch"
    default_message = _("The name and ID number do not belong together. Please check both and try again.")


class VerificationUnavailable(DomainError):
    """The provider could not check now. Not the member's fault, so it does not count as an attempt."""

    code = "verification_unavailable"
    status_code = 503
    default_message = _("Identity checks are unavailable at the moment. Please try again in a few minutes.")


class VerificationResetForbidden(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = _("Only head office can reset a member's real-name verification.")


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    default_message = _("The username or password is wrong.")


class LockedOut(DomainError):
    code = "locked_out"
    status_code = 429
    default_message = _("Too many failed sign-in attempts. Sign-in is blocked for a while; try again later.")


class InvalidStaffAccount(DomainError):
    code = "invalid_staff_account"
    default_message = _("This staff account cannot be saved as given.")


class ConsentRequired(DomainError):
    code = "consent_required"
    field = "accept_sensitive_data"
    default_message = _(
        "Please read and agree to the processing of your sensitive personal information (ID number, income, bank "
        "details) first. Without it we cannot take this information."
    )


class TermsNotAccepted(DomainError):
    code = "consent_required"
    field = "accept_terms"
    default_message = _("Please read and agree to the User Agreement and the Privacy Policy to create your account.")


class ConsentNotWithdrawable(DomainError):
    code = "consent_not_withdrawable"
    default_message = _(
        "The User Agreement and the Privacy Policy are needed to keep an account. To withdraw them, close your account."
    )


class AccountHasObligations(DomainError):
    code = "account_has_obligations"
    status_code = 409
    default_message = _(
        "Your account cannot be closed while an application is in progress or a loan is not fully repaid."
    )


class ReasonRequired(DomainError):
    code = "reason_required"
    field = "reason"
    default_message = _("Please say why you need to see the full ID number.")


class NotAllowedToSeeIdNumber(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = _("Your role may not see full ID numbers.")


class CardAlreadyHeld(DomainError):
    code = "card_already_held"
    status_code = 409
    default_message = _("You already hold a membership card.")


class NoActiveCard(DomainError):
    code = "no_active_card"
    status_code = 409
    default_message = _("There is no membership card in use for this member.")


class CardNotRenewable(DomainError):
    code = "card_not_renewable"
    status_code = 409
    default_message = _("This card cannot be renewed yet: it is valid for more than another month.")


class NoHigherCardLevel(DomainError):
    code = "no_higher_card_level"
    status_code = 409
    default_message = _("The card is already at the level the member's tier allows.")
