"""Forms of the back office's task pages: they check the input; the rules stay in ``staff_tasks.services``."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff_tasks.enums import TaskOutcome
from staff_tasks.selectors import staff_who_may_take_tasks

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class CompleteTaskForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *TaskOutcome.choices])
    note = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    next_contact_at = forms.DateTimeField(
        label=_("Next contact"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Optional: when to try again. A new task is opened for then."),
    )

    def clean_next_contact_at(self):
        value = self.cleaned_data["next_contact_at"]
        if value is not None and value <= timezone.now():
            raise ValidationError(_("The next contact time must be in the future."))
        return value


class AssigneeField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.username
        return f"{name} · {obj.store.code}" if obj.store_id else f"{name} · {obj.get_role_display()}"


class AssignTaskForm(forms.Form):
    assignee = AssigneeField(label=_("Assign to"), queryset=None, empty_label="—")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_who_may_take_tasks(user=user)


class TaskIdsField(forms.Field):
    """The ticked tasks of the list: whole numbers, at least one."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": _("Tick at least one task."), "invalid": _("Unknown task.")}

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        if not all(isinstance(item, str) and item.isdigit() and len(item) <= 18 for item in value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return [int(item) for item in value]


class BulkAssignForm(AssignTaskForm):
    tasks = TaskIdsField()
