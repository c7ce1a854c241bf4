from django import forms
from django.utils.translation import gettext_lazy as _

from members.enums import Employment, Gender, IncomeBand, MaritalStatus
from members.models import Store


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "138 0013 8000"}),
    )


_CODE_SHAPE_MESSAGE = _("The sign-in code has 6 digits. Please check it and enter it again.")


class CodeForm(forms.Form):
    phone = forms.CharField(max_length=32, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Sign-in code"),
        max_length=6,
        error_messages={
            "required": _("Please enter the 6-digit code from the SMS."),
            "max_length": _CODE_SHAPE_MESSAGE,
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "placeholder": "000000",
            }
        ),
    )
    invite_code = forms.CharField(
        label=_("Invite code (optional)"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )
    # Not required by the form: an existing member may sign in without it (and is asked afterwards when a policy
    # changed); the service refuses a sign-up without it.
    accept_terms = forms.BooleanField(required=False)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError(_CODE_SHAPE_MESSAGE, code="code_shape")
        return code


def sensitive_data_consent_field() -> forms.BooleanField:
    """The separate consent before an ID number, income or bank details are taken; the service decides."""
    return forms.BooleanField(required=False)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    # An <input type="date"> only takes ISO dates, whatever the page's language.
    birthday = forms.DateField(
        label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    preferred_store = forms.ModelChoiceField(
        label=_("Preferred store"), queryset=Store.objects.filter(is_active=True), required=False, empty_label="—"
    )


class VerificationForm(forms.Form):
    real_name = forms.CharField(
        label=_("Real name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("As printed on your resident ID card, in Chinese characters; · between the parts of a name."),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("18 characters as printed on your resident ID card. It is stored encrypted and shown masked."),
    )
    accept_sensitive_data = sensitive_data_consent_field()


def _choose_one(choices) -> list:
    """A required choice that starts empty: the member picks an answer, none is picked for them."""
    return [("", _("Please choose"))] + list(choices)


_CHOOSE_ONE_ERRORS = {"required": _("Please choose one.")}


class QualificationForm(forms.Form):
    employment = forms.ChoiceField(
        label=_("Employment"), choices=_choose_one(Employment.choices), error_messages=_CHOOSE_ONE_ERRORS
    )
    employer_name = forms.CharField(label=_("Employer"), max_length=100, required=False)
    monthly_income_band = forms.ChoiceField(
        label=_("Monthly income"), choices=_choose_one(IncomeBand.choices), error_messages=_CHOOSE_ONE_ERRORS
    )
    years_at_job = forms.IntegerField(label=_("Years at current job"), min_value=0, max_value=60)
    has_driving_licence = forms.TypedChoiceField(
        label=_("Do you have a driving licence?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages=_CHOOSE_ONE_ERRORS,
    )
    marital_status = forms.ChoiceField(
        label=_("Marital status"), choices=_choose_one(MaritalStatus.choices), error_messages=_CHOOSE_ONE_ERRORS
    )
    accept_sensitive_data = sensitive_data_consent_field()


class AcceptPoliciesForm(forms.Form):
    accept = forms.BooleanField(required=True, error_messages={"required": _("Please tick the box to agree.")})


class CloseAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that closing my account cannot be undone."),
        required=True,
        error_messages={"required": _("Please confirm that you want to close your account.")},
    )
