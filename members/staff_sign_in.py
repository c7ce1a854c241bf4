"""The back office's own sign-in for store staff, reviewers and finance: the product's look and language, the same
lockout as the admin (django-axes counts every failed ``authenticate``)."""

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST


class StaffSignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is not correct. Both are case-sensitive."),
        "inactive": _("This account is switched off. Please ask your manager."),
    }

    username = forms.CharField(label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_staff:
            # A member's account has no back office; say so without telling whether the password was right.
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class StaffSignInView(LoginView):
    template_name = "members/staff_sign_in.html"
    form_class = StaffSignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return "/backoffice/"


staff_sign_in = StaffSignInView.as_view()


@require_POST
def staff_sign_out(request):
    logout(request)
    return redirect("backoffice:sign-in")
