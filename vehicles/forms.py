import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AftermarketBookingForm(forms.Form):
    vehicle = forms.ChoiceField(label=_("Car"))
    service = forms.ChoiceField(label=_("Service"))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    coupon = forms.ChoiceField(label=_("Use a service coupon"), required=False)

    def __init__(self, *args, cars, services, coupons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].choices = [(str(car.pk), car.plate) for car in cars]
        self.fields["service"].choices = [(service.code, f"{service.name} · ¥{service.price}") for service in services]
        self.fields["coupon"].choices = [("", _("No coupon"))] + [
            (coupon.code, f"{coupon.reward.name} ({coupon.code})") for coupon in coupons
        ]
        self.fields["date"].initial = timezone.localdate() + datetime.timedelta(days=1)
