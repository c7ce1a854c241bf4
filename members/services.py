"""Every write of the members app: sign-in, sign-up, profile, verification, staff accounts."""

import contextlib
import datetime
import enum
import hashlib
import logging
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from common.crypto import keyed_hash
from common.tasks import enqueue
from members import consents, events, roles
from members.enums import (
    SIGN_UP_CONSENTS,
    STORE_BOUND_ROLES,
    Channel,
    IdentityCheckOutcome,
    OtpStatus,
    StaffRole,
    VerificationAttemptOutcome,
    VerificationStatus,
)
from members.exceptions import (
    AlreadyVerified,
    ConsentRequired,
    IdentityMismatch,
    IdNumberTaken,
    InvalidCredentials,
    InvalidIdNumber,
    InvalidInviteCode,
    InvalidSignInCode,
    InvalidStaffAccount,
    LockedOut,
    TermsNotAccepted,
    TooManyRequests,
    VerificationResetForbidden,
    VerificationUnavailable,
)
from members.id_numbers import birth_date_of, mask_id_number, validate_id_number
from members.lock_objects import active_sign_in_code_qs_select_for_update, member_qs_select_for_update
from members.models import (
    AccessToken,
    Member,
    Qualification,
    SignInCode,
    Store,
    User,
    VerificationAttempt,
    credentials_fingerprint,
)
from members.names import validate_real_name
from members.phones import normalize_mobile_number
from members.verification import IdentityCheckResult, get_identity_provider
from notifications.sms import send_sms

logger = logging.getLogger("member_center.members")

# Invite codes: no 0/O, 1/I/L, so they can be read aloud and typed from paper. 31^8 ≈ 8.5e11 codes.
_INVITE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_INVITE_CODE_LENGTH = 8


def _local_day_start(now: datetime.datetime) -> datetime.datetime:
    local_now = timezone.localtime(now)
    return local_now.replace(hour=0, minute=0, second=0, microsecond=0)


def _hash_sign_in_code(*, phone: str, code: str) -> str:
    # Keyed by the phone, so a code is worth nothing for any other number.
    return keyed_hash(f"{phone}:{code}", purpose="sign-in-code")


def _take_daily_address_slot(*, ip: str, day_start: datetime.datetime) -> bool:
    """One of the address's OTP_PER_IP_DAILY requests for today. The stored codes say how many were sent (they outlive
    a cache restart); an atomic counter in the cache keeps a burst of requests from one address, each for another
    phone, from all passing that count at the same moment."""
    if SignInCode.objects.filter(requested_ip=ip, created_at__gte=day_start).count() >= settings.OTP_PER_IP_DAILY:
        return False
    key = f"sign-in-code:address:{ip}:{day_start.date().isoformat()}"
    until_tomorrow = int((day_start + datetime.timedelta(days=1) - timezone.localtime()).total_seconds()) + 60
    cache.add(key, 0, timeout=until_tomorrow)
    try:
        taken = cache.incr(key)
    except ValueError:  # evicted between add and incr: start counting again
        cache.set(key, 1, timeout=until_tomorrow)
        taken = 1
    return taken <= settings.OTP_PER_IP_DAILY


def request_sign_in_code(*, phone: str, requested_ip: str | None) -> str:
    """Send a 6-digit sign-in code to ``phone`` and return the number in E.164.

    The answer is the same whether or not the phone is registered."""
    phone_e164 = normalize_mobile_number(phone)
    now = timezone.now()
    day_start = _local_day_start(now)
    if SignInCode.objects.filter(phone=phone_e164, created_at__gte=day_start).count() >= settings.OTP_PER_PHONE_DAILY:
        raise TooManyRequests(_("Too many codes for this number today. Please try again tomorrow."))
    if requested_ip and not _take_daily_address_slot(ip=requested_ip, day_start=day_start):
        raise TooManyRequests(_("Too many codes requested from this network today. Please try again tomorrow."))
    # cache.add is atomic in Redis: of two requests in the same minute, only one gets through.
    if not cache.add(f"sign-in-code:resend:{phone_e164}", "1", timeout=settings.OTP_RESEND_SECONDS):
        raise TooManyRequests(
            _("A code was just sent. You can ask for a new one after %(seconds)s seconds.")
            % {"seconds": settings.OTP_RESEND_SECONDS}
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        SignInCode.objects.filter(phone=phone_e164, status=OtpStatus.ACTIVE).update(status=OtpStatus.SUPERSEDED)
        SignInCode.objects.create(
            phone=phone_e164,
            code_hash=_hash_sign_in_code(phone=phone_e164, code=code),
            requested_ip=requested_ip,
            created_at=now,
            expires_at=now + datetime.timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
        from members.tasks import deliver_sign_in_code_task

        # A code must arrive within minutes or not at all: when the broker is down the member asks again.
        transaction.on_commit(lambda: enqueue(deliver_sign_in_code_task, phone=phone_e164, code=code))
    return phone_e164


def deliver_sign_in_code(*, phone: str, code: str) -> None:
    minutes = settings.OTP_TTL_SECONDS // 60
    with translation.override(settings.LANGUAGE_CODE):  # the same text whether the task runs inline or in a worker
        body = _("[Member Center] Your sign-in code is %(code)s, valid for %(minutes)s minutes. Never share it.") % {
            "code": code,
            "minutes": minutes,
        }
    send_sms(to=phone, body=body)


@dataclass(frozen=True)
class SignInResult:
    user: User
    member: Member
    is_new_member: bool


def _new_invite_code() -> str:
    return "".join(secrets.choice(_INVITE_ALPHABET) for _unused in range(_INVITE_CODE_LENGTH))


class _CodeCheck(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"  # wrong, expired, or no code for the phone
    USED_UP = "used_up"  # this wrong try was the last one the code allowed


def _consume_sign_in_code(*, phone: str, code: str) -> _CodeCheck:
    """Check ``code`` against the phone's active code under a row lock. Wrong tries are counted and committed."""
    now = timezone.now()
    with transaction.atomic():
        sign_in_code = active_sign_in_code_qs_select_for_update(phone=phone).first()
        if sign_in_code is None:
            return _CodeCheck.WRONG
        if sign_in_code.expires_at <= now:
            sign_in_code.status = OtpStatus.BURNED
            sign_in_code.save(update_fields=["status"])
            return _CodeCheck.WRONG
        if not constant_time_compare(sign_in_code.code_hash, _hash_sign_in_code(phone=phone, code=code)):
            sign_in_code.failed_attempts += 1
            used_up = sign_in_code.failed_attempts >= settings.OTP_MAX_ATTEMPTS
            if used_up:
                sign_in_code.status = OtpStatus.BURNED
            sign_in_code.save(update_fields=["failed_attempts", "status"])
            return _CodeCheck.USED_UP if used_up else _CodeCheck.WRONG
        sign_in_code.status = OtpStatus.CONSUMED
        sign_in_code.consumed_at = now
        sign_in_code.save(update_fields=["status", "consumed_at"])
        return _CodeCheck.ACCEPTED


def _next_sign_in_code_allowed_at(*, phone: str) -> datetime.datetime:
    """When ``phone`` may ask for a new code: after the resend window of the last one, or tomorrow once the
    day's codes are spent. Rounded up to the minute, so the time shown is never too early."""
    now = timezone.now()
    day_start = _local_day_start(now)
    today = SignInCode.objects.filter(phone=phone, created_at__gte=day_start)
    if today.count() >= settings.OTP_PER_PHONE_DAILY:
        return day_start + datetime.timedelta(days=1)
    last_sent = today.order_by("-created_at").values_list("created_at", flat=True).first()
    if last_sent is None:
        return now
    allowed_at = last_sent + datetime.timedelta(seconds=settings.OTP_RESEND_SECONDS)
    if allowed_at <= now:
        return now
    if allowed_at.second or allowed_at.microsecond:
        allowed_at = allowed_at.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    return allowed_at


def _used_up_error(*, phone: str) -> InvalidSignInCode:
    allowed_at = _next_sign_in_code_allowed_at(phone=phone)
    attempts = settings.OTP_MAX_ATTEMPTS
    if allowed_at <= timezone.now():
        message = _("This code was entered wrong %(attempts)s times and is used up. Please ask for a new one.") % {
            "attempts": attempts
        }
    else:
        local = timezone.localtime(allowed_at)
        shown = local.strftime("%H:%M") if local.date() == timezone.localdate() else local.strftime("%Y-%m-%d %H:%M")
        message = _(
            "This code was entered wrong %(attempts)s times and is used up. You can ask for a new one from %(time)s."
        ) % {"attempts": attempts, "time": shown}
    return InvalidSignInCode(message)


def _count_up(key: str, *, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=timeout)
        return 1


def _take_sign_in_attempt(*, phone: str, ip: str | None) -> list[str]:
    """Count a sign-in attempt against the address's and the phone's limits before the code is looked at; a
    successful sign-in gives it back, so what adds up are the failures (wrong code, no code, bad invite code).
    Counting first keeps a parallel burst from all passing the check together (Redis incr is atomic)."""
    window = settings.OTP_LOGIN_FAILURE_WINDOW_SECONDS
    wait = {"minutes": max(1, math.ceil(window / 60))}
    taken = []
    if ip:
        key = f"sign-in-failures:address:{ip}"
        if _count_up(key, timeout=window) > settings.OTP_LOGIN_FAILURES_PER_IP:
            raise TooManyRequests(
                _(
                    "Too many failed sign-in attempts from this network. "
                    "Please wait at most %(minutes)s minutes and try again."
                )
                % wait
            )
        taken.append(key)
    key = f"sign-in-failures:phone:{phone}"
    if _count_up(key, timeout=window) > settings.OTP_LOGIN_FAILURES_PER_PHONE:
        raise TooManyRequests(
            _(
                "Too many failed sign-in attempts for this number. "
                "Please wait at most %(minutes)s minutes and try again."
            )
            % wait
        )
    taken.append(key)
    return taken


def _give_back_sign_in_attempt(keys: list[str]) -> None:
    for key in keys:
        with contextlib.suppress(ValueError):  # the window ended meanwhile
            cache.decr(key)


def sign_in_with_code(
    *,
    phone: str,
    code: str,
    invite_code: str = "",
    channel: str = Channel.ONLINE,
    channel_partner: str = "",
    requested_ip: str | None = None,
    accept_terms: bool = False,
    consent_source: consents.ConsentSource | None = None,
) -> SignInResult:
    """Sign a member in with the code sent to their phone; the first successful sign-in creates the member.

    Every answer before the code is accepted is the same for a registered and an unknown phone: the code is
    checked first, the account and the invite code only after it. Creating a member needs ``accept_terms`` (the
    user agreement and privacy policy, recorded with ``consent_source``); without it the right code is refused and
    stays usable. An existing member who accepts records the current versions."""
    phone_e164 = normalize_mobile_number(phone)
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise InvalidSignInCode(_("The sign-in code has 6 digits. Please check it and enter it again."))
    attempt = _take_sign_in_attempt(phone=phone_e164, ip=requested_ip)
    invite_code = (invite_code or "").strip().upper()
    existing_user = User.objects.filter(phone=phone_e164).select_related("member").first()
    # One transaction: the code is used up only if the member is signed in or created. A wrong code's counted try
    # still commits, because nothing inside raises on that path.
    with transaction.atomic():
        check = _consume_sign_in_code(phone=phone_e164, code=code)
        if check is not _CodeCheck.ACCEPTED:
            result = None
        elif existing_user is not None and (existing_user.is_staff or not existing_user.is_active):
            # Staff sign in with a password; a blocked account gets the same answer as a wrong code.
            result = None
        elif existing_user is not None:
            member = getattr(existing_user, "member", None) or _create_member(
                user=existing_user, referrer=None, channel=channel, channel_partner=channel_partner
            )
            result = SignInResult(user=existing_user, member=member, is_new_member=False)
        else:
            referrer = None
            if invite_code:
                referrer = Member.objects.filter(invite_code=invite_code).first()
                if referrer is None:
                    # Raised inside the transaction: the code is not used up, so a typo in the invite code does
                    # not cost the new member their code. Only the holder of the right code gets this far.
                    raise InvalidInviteCode()
            member = register_member(
                phone=phone_e164, referrer=referrer, channel=channel, channel_partner=channel_partner
            )
            result = SignInResult(user=member.user, member=member, is_new_member=True)
        if result is not None and (accept_terms or result.is_new_member):
            if not accept_terms:
                raise TermsNotAccepted()  # rolls back the code's use: the member ticks the box and tries again
            source = consent_source or consents.ConsentSource(ip_address=None, user_agent="", channel="api")
            consents.grant_consents(member=result.member, kinds=SIGN_UP_CONSENTS, source=source)
    if result is None:
        if check is _CodeCheck.USED_UP:
            raise _used_up_error(phone=phone_e164)
        raise InvalidSignInCode()
    _give_back_sign_in_attempt(attempt)
    if result.is_new_member:
        logger.info("member signed up", extra={"member_id": result.member.pk, "channel": result.member.channel})
    return result


@transaction.atomic
def register_member(
    *, phone: str, referrer: Member | None = None, channel: str = Channel.ONLINE, channel_partner: str = ""
) -> Member:
    """Create the account and member for a phone number (sign-up, or staff registering on a member's behalf)."""
    user = User.objects.create_user(phone=normalize_mobile_number(phone))
    member = _create_member(user=user, referrer=referrer, channel=channel, channel_partner=channel_partner)
    events.publish(events.REGISTERED, member_id=member.pk)
    return member


def _create_member(*, user: User, referrer: Member | None, channel: str, channel_partner: str) -> Member:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Member.objects.create(
                    user=user,
                    invite_code=_new_invite_code(),
                    referred_by=referrer,
                    channel=channel if channel in Channel.values else Channel.ONLINE,
                    channel_partner=channel_partner[:100] if channel == Channel.PARTNER else "",
                )
        except IntegrityError:
            # An invite-code collision is astronomically rare; draw again.
            continue
    raise RuntimeError("Could not draw a unique invite code")


@transaction.atomic
def record_member_origin(*, member_id: int, channel: str, channel_partner: str = "") -> Member:
    """Where the member came from, once known from elsewhere (the lead their phone converted)."""
    member = member_qs_select_for_update().get(pk=member_id)
    member.channel = channel if channel in Channel.values else member.channel
    member.channel_partner = channel_partner[:100] if member.channel == Channel.PARTNER else ""
    member.save(update_fields=["channel", "channel_partner", "updated_at"])
    return member


def issue_access_token(*, user: User) -> str:
    """Create an API token for ``user`` and return it. Only its hash is kept."""
    raw_token = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        user=user,
        key_hash=hashlib.sha256(raw_token.encode()).hexdigest(),
        credentials_hash=credentials_fingerprint(user),
        expires_at=timezone.now() + datetime.timedelta(days=settings.ACCESS_TOKEN_TTL_DAYS),
    )
    return raw_token


def revoke_access_token(*, token: AccessToken) -> None:
    token.delete()


def purge_unusable_access_tokens(*, now: datetime.datetime | None = None) -> int:
    """Delete the tokens that can never be used again: expired ones, those of deactivated accounts, and those issued
    before the account's password changed (their fingerprint no longer matches). Returns how many were deleted.
    Authentication refuses all of them already; this keeps the table from holding every token ever issued."""
    now = now or timezone.now()
    deleted, _kinds = AccessToken.objects.filter(Q(expires_at__lte=now) | Q(user__is_active=False)).delete()
    stale = [
        token.pk
        for token in AccessToken.objects.select_related("user").only("credentials_hash", "user__password").iterator()
        if not constant_time_compare(token.credentials_hash, credentials_fingerprint(token.user))
    ]
    if stale:
        deleted += AccessToken.objects.filter(pk__in=stale).delete()[0]
    return deleted


@transaction.atomic
def update_member_profile(*, member: Member, **changes) -> Member:
    """Change the profile fields in ``changes``. A verified member's birthday must agree with their ID number."""
    allowed = {"name", "gender", "birthday", "email", "city", "preferred_store"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    member = member_qs_select_for_update().get(pk=member.pk)
    if member.is_verified and "birthday" in changes and changes["birthday"] != member.birthday:
        raise InvalidIdNumber(
            _("Your birthday comes from your verified ID number and cannot be changed."), field="birthday"
        )
    was_completed = member.is_profile_completed
    for field, value in changes.items():
        setattr(member, field, value)
    member.save()
    if member.is_profile_completed and not was_completed:
        events.publish(events.PROFILE_COMPLETED, member_id=member.pk)
    return member


def verify_member_identity(*, member: Member, real_name: str, id_number: str) -> Member:
    """Check the member's legal name and ID number with the provider and record them when they belong together.

    Refusals: no standing consent to process sensitive data (400, nothing recorded), a malformed name or number
    (400, nothing recorded), already verified or the number on another account (409), ``VERIFICATION_DAILY_ATTEMPTS``
    checks today that were pending or found no match (429), the provider unable to check (503, not counted), no
    match (400; the attempt is recorded and the member may try again). The ID number is stored encrypted and masked,
    never in the attempt."""
    consents.require_sensitive_data_consent(member=member)
    real_name = validate_real_name(real_name)
    normalized = validate_id_number(id_number, birthday=member.birthday, today=timezone.localdate())
    id_number_hash = keyed_hash(normalized, purpose="id-number")
    with transaction.atomic():
        member = member_qs_select_for_update().get(pk=member.pk)
        if member.is_verified:
            raise AlreadyVerified()
        if Member.objects.filter(id_number_hash=id_number_hash).exclude(pk=member.pk).exists():
            raise IdNumberTaken()
        # Counted under the member's lock, and the pending attempt counts: parallel requests cannot pass the limit.
        counted = VerificationAttempt.objects.filter(
            member=member,
            created_at__gte=_local_day_start(timezone.now()),
            outcome__in=[VerificationAttemptOutcome.PENDING, VerificationAttemptOutcome.NO_MATCH],
        ).count()
        if counted >= settings.VERIFICATION_DAILY_ATTEMPTS:
            raise TooManyRequests(
                _("Too many verification attempts today. Please try again tomorrow, or verify at a store.")
            )
        attempt = VerificationAttempt.objects.create(member=member, id_number_masked=mask_id_number(normalized))
    result = _ask_identity_provider(real_name=real_name, id_number=normalized)
    refusal = None
    with transaction.atomic():
        member = member_qs_select_for_update().get(pk=member.pk)
        VerificationAttempt.objects.filter(pk=attempt.pk).update(
            outcome=result.outcome, provider=result.provider, reference=result.reference[:100],
            answered_at=timezone.now(),
        )  # fmt: skip
        if result.outcome == IdentityCheckOutcome.UNAVAILABLE:
            refusal = VerificationUnavailable()
        elif member.is_verified:
            refusal = AlreadyVerified()  # a parallel request verified the member while the provider answered
        elif not consents.has_sensitive_data_consent(member=member):
            refusal = ConsentRequired()  # withdrawn while the provider answered: store nothing sensitive
        elif not result.is_match:
            member.verification_status = VerificationStatus.FAILED
            member.save(update_fields=["verification_status", "updated_at"])
            refusal = IdentityMismatch()
        else:
            member.real_name = real_name
            member.id_number_encrypted = normalized
            member.id_number_hash = id_number_hash
            member.id_number_masked = mask_id_number(normalized)
            member.verification_status = VerificationStatus.VERIFIED
            member.verified_at = timezone.now()
            if member.birthday is None:
                member.birthday = birth_date_of(normalized)
            try:
                with transaction.atomic():
                    member.save()
            except IntegrityError:
                # Another member verified the same ID number a moment ago.
                refusal = IdNumberTaken()
            else:
                events.publish(events.IDENTITY_VERIFIED, member_id=member.pk)
    # Raised after commit: the answered attempt and a failed status are kept.
    if refusal is not None:
        raise refusal
    return member


@transaction.atomic
def reset_member_verification(*, member_id: int, actor) -> Member:
    """Head office undoes a verification that recorded the wrong person (the member then verifies again).

    The name, the ID number and its hash are cleared, so the number is free again; the audit log keeps who did it.
    Applications already submitted keep going: the verification guard is at submission."""
    if not (actor.is_superuser or getattr(actor, "role", "") in {StaffRole.HEAD_OFFICE, StaffRole.ADMIN}):
        raise VerificationResetForbidden()
    member = member_qs_select_for_update().get(pk=member_id)
    member.verification_status = VerificationStatus.UNVERIFIED
    member.real_name = ""
    member.id_number_encrypted = ""
    member.id_number_hash = None
    member.id_number_masked = ""
    member.verified_at = None
    member.save()
    logger.info("member verification reset", extra={"member_id": member.pk, "actor_id": actor.pk})
    return member


def _ask_identity_provider(*, real_name: str, id_number: str) -> IdentityCheckResult:
    provider = get_identity_provider()
    try:
        return provider.check(real_name=real_name, id_number=id_number)
    except Exception:  # an outside service broke its promise to answer: that is "cannot check", not the member's fault
        logger.exception("identity provider failed", extra={"provider": provider.name})
        return IdentityCheckResult(outcome=IdentityCheckOutcome.UNAVAILABLE, provider=provider.name)


@transaction.atomic
def save_member_qualification(
    *,
    member: Member,
    employment: str,
    employer_name: str,
    monthly_income_band: str,
    years_at_job: int,
    has_driving_licence: bool,
    marital_status: str,
) -> Qualification:
    member_qs_select_for_update().get(pk=member.pk)
    consents.require_sensitive_data_consent(member=member)
    qualification, created = Qualification.objects.select_for_update().get_or_create(
        member=member,
        defaults={
            "employment": employment,
            "employer_name": employer_name,
            "monthly_income_band": monthly_income_band,
            "years_at_job": years_at_job,
            "has_driving_licence": has_driving_licence,
            "marital_status": marital_status,
        },
    )
    if created:
        # The first completed qualification form earns points, like a completed profile (points is told).
        events.publish(events.QUALIFICATION_COMPLETED, member_id=member.pk)
    else:
        qualification.employment = employment
        qualification.employer_name = employer_name
        qualification.monthly_income_band = monthly_income_band
        qualification.years_at_job = years_at_job
        qualification.has_driving_licence = has_driving_licence
        qualification.marital_status = marital_status
        qualification.save()
    return qualification


def ensure_role_groups() -> dict[str, Group]:
    """Create or refresh one auth group per staff role with the permissions the role needs."""
    return roles.sync_role_groups()


@transaction.atomic
def save_staff_account(
    *, username: str, password: str, role: str, store_code: str | None = None, full_name: str | None = None
) -> User:
    """Create or update a staff account with its role group, and its store for store-bound roles. ``full_name``
    (kept when None) is how history and tasks name the person."""
    if role not in StaffRole.values:
        raise InvalidStaffAccount(_("Unknown role %(role)s.") % {"role": role})
    store = None
    if store_code:
        store = Store.objects.filter(code=store_code).first()
        if store is None:
            raise InvalidStaffAccount(_("There is no store with code %(code)s.") % {"code": store_code})
    if role in STORE_BOUND_ROLES and store is None:
        raise InvalidStaffAccount(_("Store staff and store managers must belong to a store."))
    if role == StaffRole.HEAD_OFFICE:
        store = None
    groups = ensure_role_groups()
    user = User.objects.select_for_update().filter(username=username).first() or User(username=username)
    user.role = role
    user.store = store
    user.is_staff = True
    user.is_superuser = role == StaffRole.ADMIN
    if full_name is not None:
        user.full_name = full_name.strip()[:50]
    user.set_password(password)
    user.save()
    user.groups.set([groups[role]])
    return user


def sign_in_staff(*, request, username: str, password: str) -> User:
    """Check a staff member's password; failures count towards the same lockout as the admin login."""
    user = authenticate(request=request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut()
    if user is None or not user.is_staff:
        raise InvalidCredentials()
    return user


def reencrypt_personal_data(*, batch_size: int = 500) -> dict[str, int]:
    """Rewrite every encrypted column with the current key (the first of FIELD_ENCRYPTION_KEYS)."""
    counts = {}
    for model, fields in ((Member, ["id_number_encrypted"]), (Qualification, Qualification.ENCRYPTED_FIELDS)):
        count = 0
        for pk in model.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=batch_size):
            with transaction.atomic():
                row = model.objects.select_for_update().get(pk=pk)
                # Reading decrypts with any key; saving encrypts with the first.
                row.save(update_fields=fields)
            count += 1
        counts[model.__name__] = count
    return counts


def apply_computed_tiers(*, source_sql: str, source_params: list) -> int:
    """Set each member's tier to what the nightly segment computation decided, set-based: ``source_sql`` yields
    ``member_id`` and ``tier``; only rows whose tier differs are written. Returns how many changed. Runs inside the
    caller's transaction (the segment computation holds it)."""
    sql = f"""
        UPDATE members_member SET tier = source.tier, updated_at = %s
        FROM ({source_sql}) AS source
        WHERE source.member_id = members_member.id AND members_member.tier <> source.tier
    """  # noqa: S608  (the caller's own SQL; every value is a parameter)
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), *source_params])
        return max(cursor.rowcount, 0)


def remember_language(*, user, language: str) -> None:
    """The language the person chose on the site; their messages are written in it from now on."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
