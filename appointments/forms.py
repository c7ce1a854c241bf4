import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments.enums import AppointmentKind


class BookingForm(forms.Form):
    """The member's choice: car, kind, store and day (GET shows the day's free slots), then the slot (POST)."""

    vehicle = forms.TypedChoiceField(label=_("Car"), coerce=int)
    kind = forms.ChoiceField(label=_("Service"), choices=AppointmentKind.choices)
    store = forms.TypedChoiceField(label=_("Store"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.TimeField(label=_("Time"), input_formats=["%H:%M"], required=False)
    note = forms.CharField(label=_("Note for the workshop"), max_length=200, required=False)

    def __init__(self, *args, cars, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].choices = [(car.pk, f"{car.plate} · {car.trim}") for car in cars]
        self.fields["store"].choices = [(store.pk, f"{store.name} · {store.address}") for store in stores]


class VisitForm(forms.Form):
    mileage_km = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=2_000_000)
    description = forms.CharField(label=_("Work done"), max_length=200)
    customer_amount = forms.DecimalField(
        label=_("Paid by customer"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    dealer_reference = forms.CharField(label=_("Work order number in the dealer system"), max_length=50, required=False)
    tyres_replaced = forms.BooleanField(label=_("Tyres replaced"), required=False)


def parse_date(raw: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw)
    except (TypeError, ValueError):
        return None
