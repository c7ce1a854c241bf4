from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DealerApiKey(models.Model):
    """A dealer system's (DMS) key for posting exports. Only its SHA-256 is stored; the key is shown once."""

    label = models.CharField(_("label"), max_length=100)
    prefix = models.CharField(_("key starts with"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("key hash"))
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dealer system API key")
        verbose_name_plural = _("dealer system API keys")

    def __str__(self) -> str:
        return f"{self.label} · {self.prefix}…"


class ImportSource(models.TextChoices):
    FOLDER = "folder", _("Export folder")
    API = "api", _("API")
    COMMAND = "command", _("Command line")


class DealerImportRun(models.Model):
    """One dealer-system export applied: what it created, updated, left unchanged and refused (with the reasons)."""

    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    reference = models.CharField(_("file or export id"), max_length=200)
    checksum = models.CharField(_("SHA-256 of the export"), max_length=64, db_index=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    # {"customers": {"created": n, …}, "cars": …, "service_records": …,
    #  "refusals": [{"section", "row", "key", "reason"}]}
    report = models.JSONField(_("report"), default=dict)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(created__gte=0, updated__gte=0, unchanged__gte=0, refused__gte=0),
                name="import_run_counts_not_negative",
            )
        ]
        ordering = ["-started_at", "-pk"]
        verbose_name = _("dealer-system import")
        verbose_name_plural = _("dealer-system imports")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.reference}"
