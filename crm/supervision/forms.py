import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A year and a day: enough for any yearly comparison, and it keeps one report's scan bounded.
MAX_PERIOD_DAYS = 366


class PeriodForm(forms.Form):
    """The report's period in local dates, both included; without dates, this month up to today."""

    date_from = forms.DateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"])
    date_to = forms.DateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"])

    def __init__(self, data=None, **kwargs):
        # The query string says ``from`` and ``to``; ``from`` is a Python keyword, hence the field names.
        if data is not None:
            data = {"date_from": data.get("from", ""), "date_to": data.get("to", "")}
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        if self.errors:
            return cleaned
        date_to = cleaned.get("date_to") or today
        date_from = cleaned.get("date_from") or date_to.replace(day=1)
        if date_from > date_to:
            raise forms.ValidationError({"date_from": _("The start of the period is after its end.")})
        if (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
            raise forms.ValidationError(
                {"date_to": _("A period is at most %(days)d days long.") % {"days": MAX_PERIOD_DAYS}}
            )
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        return cleaned

    def errors_by_parameter(self) -> dict[str, list[str]]:
        names = {"date_from": "from", "date_to": "to"}
        return {names.get(name, name): [str(m) for m in messages] for name, messages in self.errors.items()}


def default_period() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return today.replace(day=1), today
