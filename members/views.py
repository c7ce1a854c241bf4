"""Member-center pages: as thin as the API. Forms validate the shape, services decide, errors go next to the field."""

import json
import math
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from common.exceptions import DomainError
from common.middleware import client_ip
from members import consents, personal_data, selectors, services
from members.consents import ConsentSource
from members.dashboard import build_panels, resolve_stage
from members.enums import SIGN_UP_CONSENTS, ConsentKind
from members.exceptions import TooManyRequests
from members.forms import (
    AcceptPoliciesForm,
    CloseAccountForm,
    CodeForm,
    PhoneForm,
    ProfileForm,
    QualificationForm,
    VerificationForm,
)
from members.navigation import me_page_sections
from members.phones import mask_phone, normalize_mobile_number

_SESSION_PHONE = "sign_in_phone"
_SESSION_SENT_AT = "sign_in_code_sent_at"
_SESSION_INVITE = "sign_in_invite_code"
_SESSION_NEXT = "sign_in_next"


def member_required(view):
    """The page needs a signed-in member; others go to sign-in and come back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        member = selectors.get_member_for_user(user=request.user)
        if member is None:
            return redirect(f"{reverse('members:sign-in')}?next={request.path}")
        request.member = member
        request.user.member = member  # the templates' user.member then costs no second query
        return view(request, *args, **kwargs)

    return wrapper


def _add_domain_error(form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def landing(request):
    return render(request, "members/landing.html")


def _safe_next(request, value: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return value if value and allowed else ""


def sign_in(request):
    if request.GET.get("invite"):
        request.session[_SESSION_INVITE] = request.GET["invite"][:12]
    if request.GET.get("next"):
        # Kept in the session: the code page comes between asking and arriving.
        request.session[_SESSION_NEXT] = _safe_next(request, request.GET["next"])
    session_phone = request.session.get(_SESSION_PHONE, "")
    form = PhoneForm(request.POST or None, initial={"phone": session_phone})
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            phone_e164 = services.request_sign_in_code(phone=phone, requested_ip=client_ip(request))
        except TooManyRequests as error:
            # No dead end: when the number still has a usable code (sent a moment ago), go and enter it.
            phone_e164 = normalize_mobile_number(phone)
            sent_at = selectors.active_sign_in_code_sent_at(phone=phone_e164)
            if sent_at is not None or (request.POST.get("resend") and session_phone == phone_e164):
                if sent_at is not None:
                    request.session[_SESSION_PHONE] = phone_e164
                    request.session[_SESSION_SENT_AT] = sent_at.timestamp()
                messages.warning(request, str(error.message))
                return redirect("members:sign-in-code")
            _add_domain_error(form, error)
        except DomainError as error:
            _add_domain_error(form, error)
        else:
            request.session[_SESSION_PHONE] = phone_e164
            request.session[_SESSION_SENT_AT] = timezone.now().timestamp()
            return redirect("members:sign-in-code")
    # A visitor who already has a code can always get back to the page that takes it.
    pending = bool(session_phone) and selectors.active_sign_in_code_sent_at(phone=session_phone) is not None
    context = {"form": form, "pending_code_phone": mask_phone(session_phone) if pending else ""}
    return render(request, "members/sign_in.html", context)


def sign_in_code(request):
    phone = request.session.get(_SESSION_PHONE)
    if not phone:
        return redirect("members:sign-in")
    form = CodeForm(
        request.POST or None, initial={"phone": phone, "invite_code": request.session.get(_SESSION_INVITE, "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.sign_in_with_code(
                phone=phone,
                code=form.cleaned_data["code"],
                invite_code=form.cleaned_data["invite_code"],
                requested_ip=client_ip(request),
                accept_terms=form.cleaned_data["accept_terms"],
                consent_source=ConsentSource.of_request(request, channel="web"),
            )
        except DomainError as error:
            _add_domain_error(form, error)
        else:
            login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
            next_url = request.session.pop(_SESSION_NEXT, "")
            for key in (_SESSION_PHONE, _SESSION_SENT_AT, _SESSION_INVITE):
                request.session.pop(key, None)
            if result.is_new_member:
                messages.success(request, _("Welcome to Member Center! Complete your profile to get started."))
                return redirect("members:profile")
            next_url = _safe_next(request, next_url)
            if consents.consents_required(member=result.member):
                # A policy changed since the member last agreed: ask before anything else.
                query = f"?{urlencode({'next': next_url})}" if next_url else ""
                return redirect(f"{reverse('members:accept-policies')}{query}")
            return redirect(next_url or "members:dashboard")
    sent_at = request.session.get(_SESSION_SENT_AT, 0)
    # Rounded up: the button must not come back before the server takes a resend.
    resend_in = max(0, math.ceil(settings.OTP_RESEND_SECONDS - (timezone.now().timestamp() - sent_at)))
    context = {
        "form": form,
        "phone": phone,
        "masked_phone": mask_phone(phone),
        "resend_in": resend_in,
        "code_minutes": settings.OTP_TTL_SECONDS // 60,
        "policy_versions": settings.POLICY_VERSIONS,
    }
    return render(request, "members/sign_in_code.html", context)


@require_POST
def switch_language(request):
    """Django's language switch, remembering the choice on the account so messages are written in it too."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.remember_language(user=request.user, language=language)
    return response


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("members:landing")


@member_required
def dashboard(request):
    summary = selectors.get_dashboard_summary(member=request.member)
    stage = resolve_stage(member=request.member)
    summary["stage"] = stage
    summary["panels"] = build_panels(request=request, member=request.member, stage=stage)
    return render(request, "members/dashboard.html", summary)


@member_required
def me(request):
    """The "me" tab: who the member is, then every page of their account as a list of entries."""
    member = request.member
    context = {
        "member": member,
        "masked_phone": mask_phone(str(request.user.phone)),
        "sections": me_page_sections(),
    }
    return render(request, "members/me.html", context)


@member_required
def profile(request):
    member = request.member
    initial = {field: getattr(member, field) for field in ("name", "gender", "birthday", "email", "city")}
    initial["preferred_store"] = member.preferred_store_id
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_member_profile(member=member, **form.cleaned_data)
        except DomainError as error:
            _add_domain_error(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("members:dashboard")
    return render(request, "members/profile.html", {"form": form, "member": member})


@member_required
def verification(request):
    member = request.member
    form = VerificationForm(request.POST or None, initial={"real_name": member.real_name or member.name})
    if request.method == "POST" and not member.is_verified and form.is_valid():
        data = dict(form.cleaned_data)
        _grant_sensitive_data_consent(request, member=member, accepted=data.pop("accept_sensitive_data"))
        try:
            services.verify_member_identity(member=member, **data)
        except DomainError as error:
            _add_domain_error(form, error)
        else:
            messages.success(request, _("Your identity is verified."))
            return redirect("members:dashboard")
        member.refresh_from_db()  # a failed check changed the status the page shows
    context = {"form": form, "member": member, **_sensitive_data_consent_context(member)}
    return render(request, "members/verification.html", context)


@member_required
def qualification(request):
    member = request.member
    existing = getattr(member, "qualification", None)
    initial = {}
    if existing is not None:
        initial = {
            "employment": existing.employment,
            "employer_name": existing.employer_name,
            "monthly_income_band": existing.monthly_income_band,
            "years_at_job": existing.years_at_job,
            "has_driving_licence": "yes" if existing.has_driving_licence else "no",
            "marital_status": existing.marital_status,
        }
    form = QualificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        _grant_sensitive_data_consent(request, member=member, accepted=data.pop("accept_sensitive_data"))
        try:
            services.save_member_qualification(member=member, **data)
        except DomainError as error:
            _add_domain_error(form, error)
        else:
            messages.success(request, _("Your qualification information is saved."))
            return redirect("members:dashboard")
    return render(request, "members/qualification.html", {"form": form, **_sensitive_data_consent_context(member)})


def _grant_sensitive_data_consent(request, *, member, accepted: bool) -> None:
    if accepted:
        consents.grant_consents(
            member=member,
            kinds=[ConsentKind.SENSITIVE_PERSONAL_INFO],
            source=ConsentSource.of_request(request, channel="web"),
        )


def _sensitive_data_consent_context(member) -> dict:
    return {
        "has_sensitive_data_consent": consents.has_sensitive_data_consent(member=member),
        "sensitive_policy_url": reverse("members:policy", args=[ConsentKind.SENSITIVE_PERSONAL_INFO]),
    }


@member_required
def invite_friends(request):
    member = request.member
    invitees = list(selectors.list_member_invitees(member=member))
    statuses = selectors.referral_statuses_for(invitees=invitees)
    invite_link = request.build_absolute_uri(f"{reverse('members:sign-in')}?invite={member.invite_code}")
    rows = [
        {
            "invitee": invitee,
            "phone": mask_phone(str(invitee.user.phone)),
            "status": selectors.REFERRAL_STATUS_LABELS[
                selectors.referral_status_of(invitee=invitee, statuses=statuses)
            ],
        }
        for invitee in invitees
    ]
    return render(request, "members/invite.html", {"member": member, "invite_link": invite_link, "rows": rows})


def policy(request, kind: str):
    """The text of a policy in its current version, in the page's language."""
    if kind not in ConsentKind.values:
        raise Http404
    language = "en" if (request.LANGUAGE_CODE or "").startswith("en") else "zh_hans"
    template = select_template([f"members/policies/{kind}.{language}.html", f"members/policies/{kind}.zh_hans.html"])
    context = {"kind": ConsentKind(kind), "version": consents.current_version(kind)}
    return HttpResponse(template.render(context, request))


@member_required
def accept_policies(request):
    """Asked after sign-in when a policy the member agreed to has a new version."""
    member = request.member
    required = consents.consents_required(member=member)
    next_url = _safe_next(request, request.GET.get("next", "")) or reverse("members:dashboard")
    if not required:
        return redirect(next_url)
    form = AcceptPoliciesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        consents.grant_consents(member=member, kinds=required, source=ConsentSource.of_request(request, channel="web"))
        messages.success(request, _("Thank you. Your agreement is recorded."))
        return redirect(next_url)
    policies = [
        {"label": ConsentKind(kind).label, "url": reverse("members:policy", args=[kind]), "version": version}
        for kind in required
        for version in [consents.current_version(kind)]
    ]
    context = {"form": form, "policies": policies, "close_url": reverse("members:close-account")}
    return render(request, "members/accept_policies.html", context)


@member_required
def my_data(request):
    """What is held about the member, the consents (with withdrawal), the download and closing the account."""
    member = request.member
    data = personal_data.member_data(member=member)
    consent_rows = [
        {
            **row,
            "label": ConsentKind(row["kind"]).label,
            "withdrawable": row["kind"] not in SIGN_UP_CONSENTS and row["withdrawn_at"] is None,
        }
        for row in reversed(data["consents"])
    ]
    context = {
        "data": data,
        "consent_rows": consent_rows,
        "counts": {
            "orders": len(data.get("orders", [])),
            "cars": len(data.get("cars", [])),
            "messages": len(data.get("messages", [])),
            "points_entries": len(data.get("points", {}).get("entries", [])),
        },
        "points_balance": data.get("points", {}).get("balance", 0),
    }
    return render(request, "members/my_data.html", context)


@member_required
def my_data_download(request):
    body = json.dumps(personal_data.member_data(member=request.member), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@require_POST
@member_required
def withdraw_consent(request, kind: str):
    if kind not in ConsentKind.values:
        raise Http404
    try:
        consents.withdraw_consent(member=request.member, kind=kind)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _(
                "Consent withdrawn. What you already verified stays; we take no new ID number, income or bank "
                "details until you agree again."
            ),
        )
    return redirect("members:my-data")


@member_required
def close_account(request):
    form = CloseAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            personal_data.close_member_account(member=request.member)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            logout(request)
            messages.info(request, _("Your account is closed. Thank you for having been with us."))
            return redirect("members:landing")
    context = {"form": form, "retention_years": settings.CLOSED_ACCOUNT_IDENTITY_RETENTION_YEARS}
    return render(request, "members/close_account.html", context)
