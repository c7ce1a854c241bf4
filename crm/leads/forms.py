from django import forms
from django.utils.translation import gettext_lazy as _

from crm.leads.services import IMPORT_COLUMNS


class QuickSubmitForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "138 0013 8000"}),
    )
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    model = forms.ChoiceField(label=_("Model of interest"), required=False)

    def __init__(self, *args, model_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("Not sure yet")), *model_choices]


class PartnerFileForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    file = forms.FileField(
        label=_("File (CSV or Excel)"),
        help_text=_("Columns: %(columns)s. The first row names the columns.") % {"columns": ", ".join(IMPORT_COLUMNS)},
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
