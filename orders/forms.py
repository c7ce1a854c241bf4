from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.enums import MEMBER_DOCUMENT_KINDS, DocumentKind, DropOutReason


class DocumentUploadForm(forms.Form):
    """The kinds offered depend on who uploads: members never see the store's own documents."""

    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("JPEG, PNG or PDF, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(self, *args, for_staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = DocumentKind if for_staff else MEMBER_DOCUMENT_KINDS
        self.fields["kind"].choices = [("", _("Choose the document"))] + [(kind.value, kind.label) for kind in kinds]


class TransitionForm(forms.Form):
    """What a step may take: a reason, a VIN, a signing time, a plate, a new trim and plan."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason_code = forms.ChoiceField(label=_("Reason code"), choices=[("", "—"), *DropOutReason.choices], required=False)
    vin = forms.CharField(label=_("VIN (optional)"), max_length=17, required=False)
    signing_at = forms.DateTimeField(
        label=_("Signing time"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    plate = forms.CharField(label=_("Licence plate"), max_length=12, required=False)
    trim = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    plan = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class SettlementForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Payment reference"), max_length=60)


class PaymentForm(SettlementForm):
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))

    field_order = ["amount", "paid_on", "reference"]


class RepaymentFileForm(forms.Form):
    file = forms.FileField(
        label=_("Repayment file"),
        help_text=_("CSV (UTF-8) or Excel (.xlsx) with the columns reference, contract, installment, amount, paid_on."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Please upload a .csv or .xlsx file."))
        return upload


class ExpectedArrivalForm(forms.Form):
    expected_arrival_on = forms.DateField(
        label=_("Expected arrival of the car"), widget=forms.DateInput(attrs={"type": "date"})
    )
