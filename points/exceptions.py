from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class InsufficientPoints(DomainError):
    code = "insufficient_points"
    status_code = 409
    default_message = _("You do not have enough points for this.")


class RewardNotFound(DomainError):
    code = "not_found"
    status_code = 404
    field = "reward"
    default_message = _("This reward does not exist.")


class RewardUnavailable(DomainError):
    code = "reward_unavailable"
    status_code = 409
    field = "reward"
    default_message = _("This reward is not available right now (switched off or out of stock).")


class RedemptionLimitReached(DomainError):
    code = "redemption_limit_reached"
    status_code = 409
    field = "reward"
    default_message = _("You have already redeemed this reward as many times as allowed.")


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status_code = 409
    field = "idempotency_key"
    default_message = _("This request key was already used for a different request.")


class InvalidAdjustment(DomainError):
    code = "invalid_adjustment"
    field = "points"
    default_message = _("An adjustment must be a non-zero whole number within the allowed range, with a reason.")


class AdjustmentNotPermitted(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = _("You may not adjust points.")


class CouponNotUsable(DomainError):
    code = "coupon_not_usable"
    status_code = 409
    default_message = _("This coupon is used, expired or not valid here.")


class CampaignNotAvailable(DomainError):
    code = "campaign_not_available"
    field = "campaign"
    default_message = _("There is no running campaign with this code.")


class WithdrawalStatementOutdated(DomainError):
    code = "withdrawal_statement_outdated"
    status_code = 409
    default_message = _(
        "Your points balance changed since the withdrawal was explained to you. Please read it again and confirm."
    )
