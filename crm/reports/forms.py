"""The reports' filters. Query-string names are the API's (``from``, ``to``, ``store``, ``channel``, ``months``);
``from`` is a Python keyword, hence the field names ``date_from`` / ``date_to``."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.supervision.forms import MAX_PERIOD_DAYS
from crm.surveys.enums import SurveyTrigger
from members.enums import Channel

PARAMETER_NAMES = {"date_from": "from", "date_to": "to"}


class ReportFilterForm(forms.Form):
    """A period in local dates, both included (default: this month up to today), and a store (head office only;
    whether the store may be asked for is checked against the user's scope by the selector)."""

    date_from = forms.DateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"])
    date_to = forms.DateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"])
    store = forms.IntegerField(label=_("Store"), required=False, min_value=1)

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = {name: data.get(PARAMETER_NAMES.get(name, name), "") for name in self.base_fields}
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        date_to = cleaned.get("date_to") or timezone.localdate()
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
        return {PARAMETER_NAMES.get(name, name): [str(m) for m in messages] for name, messages in self.errors.items()}

    def query_values(self) -> dict[str, str]:
        """The filters as the query string spells them (for the Excel link and the form's inputs)."""
        values = {}
        for name, value in (self.cleaned_data if self.is_bound and not self.errors else {}).items():
            if value not in (None, ""):
                values[PARAMETER_NAMES.get(name, name)] = value.isoformat() if hasattr(value, "isoformat") else value
        return values


class FunnelFilterForm(ReportFilterForm):
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices])


class SatisfactionFilterForm(ReportFilterForm):
    trigger = forms.ChoiceField(
        label=_("Survey"), required=False, choices=[("", _("All surveys")), *SurveyTrigger.choices]
    )


class NotReturnedFilterForm(ReportFilterForm):
    """Not a period: how long since the last visit, as of today."""

    date_from = None
    date_to = None
    months = forms.TypedChoiceField(
        label=_("Not back for"), choices=[(6, _("6 months")), (12, _("12 months"))], coerce=int, initial=6,
        required=False, empty_value=6,
    )  # fmt: skip

    def clean(self):
        return forms.Form.clean(self)


class AsOfFilterForm(ReportFilterForm):
    """A snapshot as of today (lifetime value, points liability): only the store filter."""

    date_from = None
    date_to = None

    def clean(self):
        return forms.Form.clean(self)
