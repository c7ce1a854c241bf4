"""The agent's queue: "mine today", "overdue", "unassigned in my store"; a task is completed on its page with an
outcome and notes (through ``complete_task``), and managers and head office assign tasks in bulk."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin_scoping import StaffScopedAdminMixin
from common.exceptions import DomainError
from members.selectors import list_active_stores, users_visible_to
from staff_tasks import selectors, services
from staff_tasks.enums import TaskKind, TaskOutcome, TaskStatus
from staff_tasks.models import Task, TaskRule


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("mine_today", _("Mine today")),
            ("overdue", _("Overdue")),
            ("unassigned", _("Unassigned in my store")),
        ]

    def queryset(self, request, queryset):
        user = request.user
        if self.value() == "mine_today":
            return selectors.filter_task_queue(tasks=queryset, user=user, due="today", assignee="me")
        if self.value() == "overdue":
            return selectors.filter_task_queue(tasks=queryset, user=user, due="overdue")
        if self.value() == "unassigned":
            return selectors.filter_task_queue(tasks=queryset, user=user, status=TaskStatus.OPEN, assignee="none")
        return queryset


class CompleteTaskForm(forms.ModelForm):
    outcome = forms.ChoiceField(label=_("outcome"), choices=TaskOutcome.choices)
    next_contact_at = forms.SplitDateTimeField(
        label=_("next contact"), required=False, widget=admin.widgets.AdminSplitDateTime,
        help_text=_("Not reached, or asked to be called back? Give a time and a new task is opened for it."),
    )  # fmt: skip

    class Meta:
        model = Task
        fields = ["outcome", "note", "next_contact_at"]


class SendToStoresForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=TaskKind.choices, initial=TaskKind.INVITATION)
    title = forms.CharField(label=_("title"), max_length=200)
    script = forms.CharField(label=_("script"), widget=forms.Textarea, required=False)
    due_at = forms.SplitDateTimeField(label=_("due"), widget=admin.widgets.AdminSplitDateTime)
    stores = forms.ModelMultipleChoiceField(
        label=_("stores"), queryset=list_active_stores(), required=False, help_text=_("None chosen: every store.")
    )
    # Generated with the page: the same form sent twice opens the tasks once.
    batch_key = forms.CharField(widget=forms.HiddenInput)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("assignee"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            users_visible_to(user=user).filter(is_staff=True, is_active=True).exclude(role="").order_by("username")
        )


READ_ONLY = ["kind", "title", "status", "member", "member_360", "contact_name", "contact_phone", "store", "assignee",
             "due_at", "subject_type", "subject_id", "script", "rule", "created_by", "created_at"]  # fmt: skip
DONE_FIELDS = ["outcome", "note", "answers", "next_contact_at", "completed_by", "completed_at"]


@admin.register(Task)
class TaskAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.tasks_visible_to)
    list_display = ["due_at", "title", "kind", "member", "store", "assignee", "status", "outcome"]
    list_filter = [QueueFilter, "status", "kind"]
    search_fields = ["member__user__phone", "member__name", "contact_phone", "contact_name", "title"]
    list_select_related = ["member__user", "store", "assignee"]
    date_hierarchy = "due_at"
    actions = ["assign_selected"]
    form = CompleteTaskForm

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        send = self.admin_site.admin_view(self.send_to_stores_view)
        return [path("send-to-stores/", send, name="staff_tasks_task_send_to_stores"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_send_to_stores": services.can_send_to_stores(user=request.user)}
        return super().changelist_view(request, extra_context)

    def send_to_stores_view(self, request):
        if not services.can_send_to_stores(user=request.user):
            raise PermissionDenied
        form = SendToStoresForm(request.POST or None, initial={"batch_key": uuid.uuid4().hex})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            created = services.send_task_to_stores(
                actor=request.user, kind=data["kind"], title=data["title"], script=data["script"],
                due_at=data["due_at"], batch_key=data["batch_key"], store_ids=[store.pk for store in data["stores"]],
            )  # fmt: skip
            self.message_user(request, _("%(count)s tasks sent to the stores.") % {"count": created}, messages.SUCCESS)
            return HttpResponseRedirect("../")
        return TemplateResponse(
            request, "admin/staff_tasks/task/send_to_stores.html",
            {**self.admin_site.each_context(request), "title": _("Send a task to the stores"), "form": form,
             "opts": self.model._meta},
        )  # fmt: skip

    def has_change_permission(self, request, obj=None):
        # A closed task is a record: it can be read, not changed (the page shows it read-only).
        if obj is not None and not obj.is_open:
            return False
        return super().has_change_permission(request, obj)

    def has_assign_permission(self, request):
        return services.can_assign_tasks(user=request.user) and self.has_change_permission(request)

    def get_fields(self, request, obj=None):
        if obj is not None and obj.is_open:
            return [*READ_ONLY, "outcome", "note", "next_contact_at"]
        return [*READ_ONLY, *DONE_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_open:
            return READ_ONLY
        return [*READ_ONLY, *DONE_FIELDS]

    def save_model(self, request, obj, form, change):
        # Completing goes through the service (row lock, one completion, the next try), never a plain save.
        try:
            services.complete_task(
                task_id=obj.pk, actor=request.user, outcome=form.cleaned_data.get("outcome", ""),
                note=form.cleaned_data.get("note") or "", next_contact_at=form.cleaned_data.get("next_contact_at"),
            )  # fmt: skip
        except DomainError as error:
            request._task_error = str(error.message)

    def save_related(self, request, form, formsets, change):
        """Nothing related to save: the service wrote the task."""

    def response_change(self, request, obj):
        error = getattr(request, "_task_error", None)
        if error:
            self.message_user(request, error, messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.display(description=_("Customer 360"))
    def member_360(self, task):
        # The page lives in crm.customer360 (above staff_tasks in the layers), so it is reached by its URL name.
        if task.member_id is None:
            return "—"
        url = reverse("admin-customer360", args=[task.member_id])
        return format_html('<a href="{}" id="task-member-360">{}</a>', url, _("Customer 360"))

    @admin.action(description=_("Assign the selected tasks"), permissions=["assign"])
    def assign_selected(self, request, queryset):
        form = AssignForm(request.POST if "apply" in request.POST else None, user=request.user)
        if "apply" in request.POST and form.is_valid():
            assigned, refused = 0, []
            for task in queryset:
                try:
                    services.assign_task(task_id=task.pk, actor=request.user, assignee=form.cleaned_data["assignee"])
                    assigned += 1
                except DomainError as error:
                    refused.append(f"{task}: {error.message}")
            self.message_user(request, _("%(count)s tasks assigned.") % {"count": assigned}, messages.SUCCESS)
            for line in refused:
                self.message_user(request, line, messages.WARNING)
            return None
        return TemplateResponse(
            request, "admin/staff_tasks/task/assign.html",
            {**self.admin_site.each_context(request), "title": _("Assign the selected tasks"), "form": form,
             "tasks": list(queryset), "opts": self.model._meta},
        )  # fmt: skip


@admin.register(TaskRule)
class TaskRuleAdmin(admin.ModelAdmin):
    """Head office's standard procedures. What a rule reads (its trigger) is fixed by the code; the wording, the
    days, the hour and whether it runs are theirs."""

    list_display = ["title", "kind", "trigger", "offset_days", "due_hour", "is_active"]
    list_filter = ["is_active", "kind", "trigger"]
    fields = ["code", "kind", "trigger", "offset_days", "due_hour", "title", "script", "is_active"]
    readonly_fields = ["code", "kind", "trigger"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
