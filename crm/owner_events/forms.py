from django import forms
from django.utils.translation import gettext_lazy as _

from crm.segments.enums import Lifecycle
from crm.segments.selectors import active_tags
from members.enums import Tier


class InvitationForm(forms.Form):
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    car_model = forms.IntegerField(label=_("Owns this model (id)"), required=False, min_value=1, max_value=2**63 - 1)
    tier = forms.ChoiceField(label=_("Value tier"), choices=[("", "—"), *Tier.choices], required=False)
    lifecycle = forms.ChoiceField(label=_("Lifecycle"), choices=[("", "—"), *Lifecycle.choices], required=False)
    tag = forms.ModelChoiceField(label=_("Tagged"), queryset=None, required=False, empty_label="—")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = active_tags()
