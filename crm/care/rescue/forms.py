"""Forms of the rescue pages: they check the input; the rules stay in ``crm.care.rescue.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.care.rescue.enums import RescueKind


class RescueRequestForm(forms.Form):
    """Two taps: the car (preselected when there is one) and the kind of help (each kind is a submit button).
    Where: typed, and the browser's coordinates when it offers them."""

    vehicle = forms.TypedChoiceField(label=_("Car"), coerce=int, widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("What do you need?"), choices=RescueKind.choices)
    location = forms.CharField(
        label=_("Where are you?"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Road, landmark or exit number"), "autocomplete": "off"}),
    )  # fmt: skip
    latitude = forms.DecimalField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Anything we should know?"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args, cars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].choices = [(car.pk, f"{car.plate} · {car.trim.car_model}") for car in cars]
        if cars:
            self.fields["vehicle"].initial = cars[0].pk

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            cleaned["latitude"] = cleaned["longitude"] = None
        if not cleaned.get("location") and cleaned.get("latitude") is None and "location" not in self.errors:
            self.add_error("location", _("Please tell us where you are, or allow the browser to share your location."))
        return cleaned


class RescueStepForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
