from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Channel(models.TextChoices):
    """Where a member came from."""

    ONLINE = "online", _("Online self-registration")
    PARTNER = "partner", _("Partner channel")
    CALL_CENTER = "call_center", _("Call center")
    QUICK_SUBMIT = "quick_submit", _("Quick submit")
    STORE = "store", _("Store walk-in")


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Verification failed")


class StaffRole(models.TextChoices):
    CALL_CENTER = "call_center", _("Call-center agent")
    STORE_STAFF = "store_staff", _("Store staff")
    STORE_MANAGER = "store_manager", _("Store manager")
    REVIEWER = "reviewer", _("Credit reviewer")
    FINANCE = "finance", _("Finance")
    HEAD_OFFICE = "head_office", _("Head office")
    ADMIN = "admin", _("Administrator")


# Roles that work inside one store and see only its orders.
STORE_BOUND_ROLES = (StaffRole.STORE_STAFF, StaffRole.STORE_MANAGER)


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    BUSINESS_OWNER = "business_owner", _("Business owner")
    FREELANCE = "freelance", _("Freelance")
    RETIRED = "retired", _("Retired")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Not working")


class IncomeBand(models.TextChoices):
    BELOW_5K = "below_5k", _("Below ¥5,000 a month")
    FROM_5K_TO_10K = "5k_10k", _("¥5,000–10,000 a month")
    FROM_10K_TO_20K = "10k_20k", _("¥10,000–20,000 a month")
    FROM_20K_TO_50K = "20k_50k", _("¥20,000–50,000 a month")
    ABOVE_50K = "above_50k", _("Above ¥50,000 a month")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


class OtpStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CONSUMED = "consumed", _("Used")
    BURNED = "burned", _("Burned after too many wrong tries")
    SUPERSEDED = "superseded", _("Replaced by a newer code")


class IdentityCheckOutcome(models.TextChoices):
    """A provider's answer for a name and an ID number together."""

    MATCH = "match", _("Match")
    NO_MATCH = "no_match", _("No match")
    UNAVAILABLE = "unavailable", _("Provider could not check")


class VerificationAttemptOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for the provider")
    MATCH = "match", _("Match")
    NO_MATCH = "no_match", _("No match")
    UNAVAILABLE = "unavailable", _("Provider could not check")


class ConsentKind(models.TextChoices):
    """What a member agreed to. Sensitive personal information (ID number, income, bank details) needs a consent
    of its own, separate from the user agreement and the privacy policy."""

    USER_AGREEMENT = "user_agreement", _("User agreement")
    PRIVACY_POLICY = "privacy_policy", _("Privacy policy")
    SENSITIVE_PERSONAL_INFO = "sensitive_personal_info", _("Processing of sensitive personal information")


# Needed to use the service at all; asked at sign-up and again when a new version comes out.
SIGN_UP_CONSENTS = (ConsentKind.USER_AGREEMENT, ConsentKind.PRIVACY_POLICY)


class CardLevel(models.TextChoices):
    """Card levels follow the member's value tier (seed 004: 入会、续会、升级)."""

    NORMAL = "normal", _("Standard card")
    SILVER = "silver", _("Silver card")
    GOLD = "gold", _("Gold card")
    PLATINUM = "platinum", _("Platinum card")
    DIAMOND = "diamond", _("Diamond card")


# Lowest first: a card is upgraded to a level further along this list, never moved down by an upgrade.
CARD_LEVEL_ORDER = [CardLevel.NORMAL, CardLevel.SILVER, CardLevel.GOLD, CardLevel.PLATINUM, CardLevel.DIAMOND]


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REPLACED = "replaced", _("Replaced (lost)")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CardChangeKind(models.TextChoices):
    JOIN = "join", _("Joined")
    RENEW = "renew", _("Renewed")
    UPGRADE = "upgrade", _("Upgraded")
    WITHDRAW = "withdraw", _("Withdrawn")
    REPLACE = "replace", _("Replaced after a loss")


class Tier(models.TextChoices):
    """The member's value tier by spend in the last 12 months (computed nightly by crm.segments)."""

    DIAMOND = "diamond", _("Diamond")
    PLATINUM = "platinum", _("Platinum")
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    NORMAL = "normal", _("Normal")
