from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.leads.enums import CLOSED_STATUSES, ContactOutcome, LeadChannel, LeadLostReason, LeadStatus


class Partner(models.Model):
    """A company that sends us leads (a car portal, a dealer network): by API key or by file."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("lead partner")
        verbose_name_plural = _("lead partners")

    def __str__(self) -> str:
        return self.name


class PartnerApiKey(models.Model):
    """A partner's API key. Only its SHA-256 is stored; the key itself is shown once, when it is issued."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("partner"))
    label = models.CharField(_("label"), max_length=100, blank=True)
    # The first characters of the key, so staff can tell keys apart without the key.
    prefix = models.CharField(_("key starts with"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("key hash"))
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner API key")
        verbose_name_plural = _("partner API keys")

    def __str__(self) -> str:
        return f"{self.partner} · {self.prefix}…"


class LeadTeam(models.Model):
    """Agents who share incoming leads round-robin, each at most ``daily_cap_per_agent`` a day."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    store = models.ForeignKey(
        "members.Store", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("store"),
        help_text=_("Empty for a call-center team."),
    )  # fmt: skip
    daily_cap_per_agent = models.PositiveSmallIntegerField(_("leads per agent per day"), default=30)
    # The agent who got the last lead: the next one goes to the agent after them.
    last_assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("last assigned agent"),
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(daily_cap_per_agent__gte=1), name="lead_team_cap_positive")]
        ordering = ["name"]
        verbose_name = _("lead team")
        verbose_name_plural = _("lead teams")

    def __str__(self) -> str:
        return self.name


class LeadTeamAgent(models.Model):
    team = models.ForeignKey(LeadTeam, on_delete=models.CASCADE, related_name="agents", verbose_name=_("team"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lead_teams", verbose_name=_("agent")
    )
    is_active = models.BooleanField(_("takes leads"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "agent"], name="lead_team_agent_once")]
        ordering = ["team", "agent_id"]
        verbose_name = _("team agent")
        verbose_name_plural = _("team agents")

    def __str__(self) -> str:
        return f"{self.team} · {self.agent}"


class Lead(models.Model):
    """Someone who asked about a car and is not (yet) a member. At most one open lead per phone."""

    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=32, help_text=_("E.164, e.g. +8613800138000"))
    city = models.CharField(_("city"), max_length=50, blank=True)
    car_model = models.ForeignKey(
        "vehicles.CarModel", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("model of interest")
    )
    # What the person typed when it matched no model of the catalog.
    model_text = models.CharField(_("model of interest (as given)"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=LeadChannel.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="leads", verbose_name=_("partner")
    )
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    # The store that follows the lead up: the store of its city when it came in, or the assignee's store.
    store = models.ForeignKey(
        "members.Store", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("store")
    )
    team = models.ForeignKey(
        LeadTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads", verbose_name=_("team")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_leads",
        verbose_name=_("assignee"),
    )  # fmt: skip
    member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads",
        verbose_name=_("member"),
    )  # fmt: skip
    lost_reason = models.CharField(
        _("reason for declining"), max_length=24, choices=LeadLostReason.choices, blank=True, default="", db_default="",
        help_text=_("Set when the person, reached, was not interested."),
    )  # fmt: skip
    enquiries_count = models.PositiveIntegerField(_("enquiries"), default=1)
    last_enquiry_at = models.DateTimeField(_("last enquiry"))
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["phone"],
                condition=~Q(status__in=[s.value for s in CLOSED_STATUSES]),
                name="one_open_lead_per_phone",
            ),
            models.CheckConstraint(
                condition=~Q(status="converted") | Q(member__isnull=False), name="converted_lead_has_member"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "status", "-created_at"], name="lead_store_queue"),
            models.Index(fields=["assignee", "status"], name="lead_assignee_queue"),
            # The member 360 view finds every lead from a phone, closed ones too (the unique index is open only).
            models.Index(fields=["phone"], name="lead_phone"),
        ]
        ordering = ["-created_at"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


class LeadEnquiry(models.Model):
    """One enquiry: the first one opens the lead, later ones (二次咨询) are counted on it."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="enquiries", verbose_name=_("lead"))
    channel = models.CharField(_("channel"), max_length=20, choices=LeadChannel.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("partner")
    )
    # The partner's own reference: the same one twice is the same enquiry.
    external_id = models.CharField(_("partner's reference"), max_length=64, null=True, blank=True)  # noqa: DJ001  (NULL: no reference, outside the unique index)
    city = models.CharField(_("city"), max_length=50, blank=True)
    model_text = models.CharField(_("model of interest"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"],
                condition=Q(external_id__isnull=False),
                name="enquiry_partner_external_id_once",
            ),  # fmt: skip
        ]
        ordering = ["lead", "created_at"]
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")

    def __str__(self) -> str:
        return f"{self.lead_id} · {self.get_channel_display()}"


class LeadContact(models.Model):
    """One contact attempt by an agent: the outcome, the carrier's result if there is one, a note, the next try."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("lead"))
    outcome = models.CharField(_("outcome"), max_length=30, choices=ContactOutcome.choices)
    carrier_result = models.CharField(_("carrier result"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["lead", "-created_at"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")

    def __str__(self) -> str:
        return f"{self.lead_id} · {self.get_outcome_display()}"


class LeadAssignment(models.Model):
    """Who got which lead when, and by whom: the daily cap of a team counts these."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="assignments")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(LeadTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["team", "agent", "assigned_at"], name="lead_assignment_per_day")]
        ordering = ["-assigned_at"]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.agent_id}"
