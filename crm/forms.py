from django import forms
from django.utils.translation import gettext_lazy as _

from crm.weather_care import weather_notice_choices


class WeatherCareForm(forms.Form):
    city = forms.CharField(label=_("City"), max_length=50)
    kind = forms.ChoiceField(label=_("Weather"), choices=weather_notice_choices)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=1000,
        help_text=_("Leave empty to send the notice as written. Placeholder: {name}."),
    )  # fmt: skip
