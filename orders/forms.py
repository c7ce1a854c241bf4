from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.enums import MEMBER_DOCUMENT_KINDS, DocumentKind, DropOutReason
from orders.models import Loan
from orders.repayments import LAST_DEBIT_DAY, bank_card_problems
from vehicles.finance import LoanChoice

HUNDRED = Decimal(100)


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


class LoanChoiceForm(forms.Form):
    """The loan calculator's choice, as the plan page sends it (to recalculate, and to apply): a plan, a down
    payment in yuan ("45000", "¥45,000.50") or as a share of the price ("30%"), and a term. What is left empty is
    the plan's own; whether the choice lies within the plan's range is the quote's check (vehicles.selectors)."""

    plan = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    down_payment = forms.CharField(label=_("Down payment"), max_length=20, required=False)
    term_months = forms.IntegerField(label=_("Term (months)"), required=False, min_value=1, max_value=84)

    def clean_down_payment(self) -> tuple[str, Decimal] | None:
        text = self.cleaned_data["down_payment"].replace("¥", "").replace(",", "").replace("，", "").strip()
        if not text:
            return None
        is_share = text.endswith(("%", "％"))
        try:
            value = Decimal(text.rstrip("%％").strip())
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or (not is_share and value != round(value, 2)):
            raise forms.ValidationError(
                _("Enter the down payment in yuan (for example 45000) or as a share of the price (for example 30%).")
            )
        if is_share:
            if value > 90 or value != round(value, 1):
                raise forms.ValidationError(_("Enter a share between 0% and 90%, to one decimal place."))
            return ("ratio", value / HUNDRED)
        return ("amount", value)

    def to_choice(self) -> LoanChoice:
        down_payment = self.cleaned_data.get("down_payment")
        kind, value = down_payment or ("", None)
        return LoanChoice(
            down_payment=value if kind == "amount" else None,
            down_payment_ratio=value if kind == "ratio" else None,
            term_months=self.cleaned_data.get("term_months"),
        )


class TransitionForm(LoanChoiceForm):
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


class BankCardFieldsMixin:
    """The repayment card's checks, the same in the back office and the admin (``repayments.bank_card_problems``)."""

    def clean(self):
        cleaned = super().clean()
        problems = bank_card_problems(
            bank_name=cleaned.get("bank_name") or "",
            bank_card_last4=(cleaned.get("bank_card_last4") or "").strip(),
            debit_day=cleaned.get("debit_day"),
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class BankCardForm(BankCardFieldsMixin, forms.Form):
    bank_name = forms.CharField(label=_("Bank"), max_length=40, required=False)
    bank_card_last4 = forms.CharField(label=_("Card number (last 4 digits)"), max_length=4, required=False)
    debit_day = forms.TypedChoiceField(
        label=_("Debit day of the month"), coerce=int, empty_value=None, required=False,
        choices=[("", "—")] + [(day, day) for day in range(1, LAST_DEBIT_DAY + 1)],
    )  # fmt: skip


class LoanAdminForm(BankCardFieldsMixin, forms.ModelForm):
    class Meta:
        model = Loan
        fields = ["bank_name", "bank_card_last4", "debit_day"]
