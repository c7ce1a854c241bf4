"""The task figures per local day, written set-based by the nightly refresh (``refresh_report_aggregates``), so that
head office's year over millions of tasks reads a few grouped rows per day instead of every task."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskDay(models.Model):
    """The tasks created on a local day, per store and assignee (cancelled ones left out), and how they stood at
    the refresh. The task-execution report sums these rows for the days before the refresh."""

    created_on = models.DateField(_("created on"))
    store = models.ForeignKey(
        "members.Store", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("store")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    created = models.PositiveIntegerField(_("created"))
    done = models.PositiveIntegerField(_("done"))
    done_on_time = models.PositiveIntegerField(_("done on time"))
    done_late = models.PositiveIntegerField(_("done late"))
    open_overdue = models.PositiveIntegerField(
        _("open past due"), help_text=_("Still open and past their due time at the refresh.")
    )
    reached = models.PositiveIntegerField(_("reached"))

    class Meta:
        indexes = [models.Index(fields=["created_on", "store"], name="task_day_created_store")]
        verbose_name = _("task day")
        verbose_name_plural = _("task days")

    def __str__(self) -> str:
        return f"{self.created_on} {self.store_id} {self.assignee_id}: {self.created}"
