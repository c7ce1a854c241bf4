from django import forms
from django.utils.translation import gettext_lazy as _


class CardWithdrawalForm(forms.Form):
    # The forfeit the member was shown; the service refuses when the balance has moved since.
    points_stated = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_("I understand what happens to my points and want to end my membership"))


class StoreCouponUseForm(forms.Form):
    code = forms.CharField(label=_("Coupon code"), max_length=16, min_length=4)
