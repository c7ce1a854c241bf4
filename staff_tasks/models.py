from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff_tasks.enums import RuleTrigger, SubjectType, TaskKind, TaskOutcome, TaskStatus


class TaskRule(models.Model):
    """A standard-operating-procedure rule that opens tasks by itself (the 3-day call, return visits, collection
    calls, …). Head office edits the wording, the day offset and whether it runs; the code says what it reads."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=TaskKind.choices)
    trigger = models.CharField(_("counted from"), max_length=24, choices=RuleTrigger.choices)
    offset_days = models.PositiveSmallIntegerField(
        _("days"),
        default=0,
        help_text=_("Days after the moment the rule counts from (quarterly visits: every N days)."),
    )
    due_hour = models.PositiveSmallIntegerField(
        _("due by (hour, local)"), default=18, help_text=_("The task is due at this hour of its local due date.")
    )
    title = models.CharField(_("title"), max_length=200)
    script = models.TextField(
        _("script"), blank=True, help_text=_("What to say. Placeholders: {name}, {plate}, {number}, {amount}, {due}.")
    )
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["trigger", "offset_days", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(due_hour__gte=0, due_hour__lte=23), name="task_rule_due_hour_in_day"),
        ]
        verbose_name = _("task rule")
        verbose_name_plural = _("task rules")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        from notifications.catalog import formatted_placeholders_in, placeholders_in
        from staff_tasks.rules import RULE_PLACEHOLDERS

        allowed = set(RULE_PLACEHOLDERS.get(self.trigger, ()))
        errors = {}
        for field_name in ("title", "script"):
            text = getattr(self, field_name)
            try:
                unknown = placeholders_in(text) - allowed
            except ValueError:
                errors[field_name] = _("Unbalanced braces: write {name} for a placeholder.")
                continue
            if unknown or formatted_placeholders_in(text):
                errors[field_name] = _("Unknown placeholders: %(names)s. Allowed: %(allowed)s.") % {
                    "names": ", ".join(sorted(unknown | formatted_placeholders_in(text))),
                    "allowed": ", ".join(sorted(allowed)) or "—",
                }
        if errors:
            raise ValidationError(errors)


class Task(models.Model):
    """One piece of human work: a call, a visit, a tag to set. Opened by a rule or a person, done with an outcome."""

    kind = models.CharField(_("kind"), max_length=24, choices=TaskKind.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    # No index of their own on store, member and assignee: each leads a composite index below (task_store_queue,
    # task_member, task_assignee_queue), which serves the same lookups; three fewer indexes to write per new task.
    store = models.ForeignKey(
        "members.Store", verbose_name=_("store"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False,
    )  # fmt: skip
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="tasks", db_index=False,
    )  # fmt: skip
    # What the task is about, besides the member: an application, a car, a lead, a complaint, an installment.
    subject_type = models.CharField(_("about"), max_length=16, choices=SubjectType.choices, blank=True)
    subject_id = models.BigIntegerField(_("about (id)"), null=True, blank=True)
    # Someone who is not a member yet (a lead) is reached through these.
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="assigned_tasks", db_index=False,
    )  # fmt: skip
    due_at = models.DateTimeField(_("due"))
    script = models.TextField(_("script"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=TaskOutcome.choices, blank=True)
    note = models.TextField(_("notes"), blank=True)
    answers = models.JSONField(_("answers"), null=True, blank=True)
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)
    rule = models.ForeignKey(
        TaskRule, verbose_name=_("rule"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    # Unique when set: a rule (or any caller) opening "the same" task twice gets the first one back.
    # NULL, not "", for "no key": NULLs never conflict with each other in the unique constraint.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, editable=False, verbose_name=_("dedupe key"))  # noqa: DJ001
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="task_dedupe_key_unique"),
            models.CheckConstraint(
                condition=Q(subject_id__isnull=True) | ~Q(subject_type=""), name="task_subject_id_has_type"
            ),
        ]
        indexes = [
            # The queues: a store's open tasks by due time, an agent's open tasks by due time.
            models.Index(fields=["store", "status", "due_at"], name="task_store_queue"),
            models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_queue"),
            models.Index(fields=["member", "status"], name="task_member"),
            models.Index(fields=["subject_type", "subject_id"], name="task_subject"),
            # The task-execution figures of a period, read from the index alone (an index-only scan): the creation
            # time first, then every column they count by.
            models.Index(
                fields=["created_at", "store", "assignee", "status", "due_at", "completed_at", "outcome"],
                name="task_created_figures",
            ),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN
