from django import forms
from django.utils.translation import gettext_lazy as _


class InvitationForm(forms.Form):
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    car_model = forms.IntegerField(label=_("Owns this model (id)"), required=False, min_value=1, max_value=2**63 - 1)
