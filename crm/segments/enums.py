from django.db import models
from django.utils.translation import gettext_lazy as _

from members.enums import Tier

# Highest first: the order a tier rises or drops in.
TIER_ORDER = (Tier.DIAMOND, Tier.PLATINUM, Tier.GOLD, Tier.SILVER, Tier.NORMAL)
# The spend-percentile boundaries (percent_rank from the top, exclusive): top 5 % diamond, 5–10 % platinum, …
TIER_PERCENT_BELOW = ((Tier.DIAMOND, 0.05), (Tier.PLATINUM, 0.10), (Tier.GOLD, 0.20), (Tier.SILVER, 0.50))


class Loyalty(models.TextChoices):
    """By years of continuous service (no break longer than the churn threshold)."""

    LOYAL = "loyal", _("Loyal (3+ years)")
    FAIRLY_LOYAL = "fairly_loyal", _("Fairly loyal (2+ years)")
    ORDINARY = "ordinary", _("Ordinary (1+ year)")
    LOW = "low", _("New or low (under 1 year)")


class Lifecycle(models.TextChoices):
    LEAD = "lead", _("Lead (not a customer yet)")
    NEW = "new", _("New customer")
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    CHURNED = "churned", _("Churned")


class TagKind(models.TextChoices):
    SYSTEM = "system", _("Computed from the data")
    STAFF = "staff", _("Set by staff")


class TagSource(models.TextChoices):
    SYSTEM = "system", _("Rule")
    STAFF = "staff", _("Staff")
