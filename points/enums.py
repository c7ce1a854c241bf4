from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjusted by staff")
    REVERSE = "reverse", _("Reversed")


class EarnEvent(models.TextChoices):
    """The moments that can earn points. Each has one rule, editable by operators."""

    REGISTRATION = "registration", _("Registration")
    PROFILE_COMPLETED = "profile_completed", _("Completed profile")
    IDENTITY_VERIFIED = "identity_verified", _("Real-name verification")
    QUALIFICATION_COMPLETED = "qualification_completed", _("Completed work and income details")
    FIRST_APPLICATION = "first_application", _("First application soon after registering")
    REFERRAL_REFERRER = "referral_referrer", _("A friend you invited got their car")
    REFERRAL_INVITEE = "referral_invitee", _("You got your car after being invited")
    CAMPAIGN = "campaign", _("Campaign or task")
    SERVICE_SPEND = "service_spend", _("Service spending")
    EVENT_ATTENDANCE = "event_attendance", _("Attending an owners' event")


class ConsumptionType(models.TextChoices):
    CUSTOMER = "customer", _("Paid by the customer")
    INSURANCE = "insurance", _("Paid by insurance")
    MANUFACTURER = "manufacturer", _("Warranty (manufacturer)")
    INTERNAL = "internal", _("Internal")


class RewardKind(models.TextChoices):
    REPAYMENT_COUPON = "repayment_coupon", _("Monthly-repayment deduction coupon")
    DOWN_PAYMENT_COUPON = "down_payment_coupon", _("Down-payment deduction coupon")
    SERVICE_COUPON = "service_coupon", _("Value-added service coupon")
    GIFT = "gift", _("Gift")


class CouponStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
