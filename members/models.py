from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from common.crypto import EncryptedTextField, keyed_hash
from members.enums import (
    STORE_BOUND_ROLES,
    CardChangeKind,
    CardLevel,
    CardStatus,
    Channel,
    ConsentKind,
    Employment,
    Gender,
    OtpStatus,
    StaffRole,
    Tier,
    VerificationAttemptOutcome,
    VerificationStatus,
)


class Store(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=50, db_index=True)
    address = models.CharField(_("address"), max_length=255)
    phone = models.CharField(_("phone"), max_length=30)
    opening_hours = models.CharField(_("opening hours"), max_length=100, default="09:00-18:00")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class UserManager(DjangoUserManager):
    def create_user(self, username=None, email=None, password=None, **extra_fields):
        user = self.model(username=username or None, email=self.normalize_email(email or ""), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, role=StaffRole.ADMIN)
        return self.create_user(username, email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """One account table. Members sign in with ``phone`` + SMS code; staff with ``username`` + password."""

    username = models.CharField(
        _("username"), max_length=150, unique=True, null=True, blank=True, validators=[UnicodeUsernameValidator()]
    )
    phone = PhoneNumberField(_("phone"), unique=True, null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    role = models.CharField(_("staff role"), max_length=20, choices=StaffRole.choices, blank=True)
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    # The name colleagues and members know a staff member by (history, tasks); the username stays a login.
    # Database defaults too: set-based loads (benchmarks, imports) write accounts without naming these columns.
    full_name = models.CharField(_("full name"), max_length=50, blank=True, db_default="")
    # The language the person last chose on the site: their messages are written in it ("" = the site's default).
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True, db_default="")
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(username__isnull=False) | Q(phone__isnull=False), name="user_has_username_or_phone"
            ),
            models.CheckConstraint(
                condition=~Q(role__in=[role.value for role in STORE_BOUND_ROLES]) | Q(store__isnull=False),
                name="store_bound_staff_has_store",
            ),
        ]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.username or str(self.phone)

    @property
    def staff_label(self) -> str:
        """How history shows a staff member: their name (the username when none is recorded) and role."""
        name = self.full_name or self.username or ""
        return f"{name} · {self.get_role_display()}" if self.role else name

    @property
    def is_store_bound(self) -> bool:
        return self.role in STORE_BOUND_ROLES


class Member(models.Model):
    """A customer: profile, origin, referral code and real-name verification."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="member", verbose_name=_("account"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True, db_index=True)
    preferred_store = models.ForeignKey(
        Store, verbose_name=_("preferred store"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    channel_partner = models.CharField(_("partner"), max_length=100, blank=True)
    invite_code = models.CharField(_("invite code"), max_length=12, unique=True)
    referred_by = models.ForeignKey(
        "self", verbose_name=_("referred by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="invitees"
    )
    # Written only by the nightly segment computation (members.services.apply_computed_tiers).
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.NORMAL, db_index=True)
    verification_status = models.CharField(
        _("verification"), max_length=12, choices=VerificationStatus.choices, default=VerificationStatus.UNVERIFIED
    )
    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    id_number_encrypted = EncryptedTextField(_("ID number"), blank=True)
    # HMAC of the ID number: one ID number, one member, without decrypting anything.
    id_number_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False, verbose_name=_("ID number hash")
    )
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    # A closed account keeps its row (orders and loans hang on it) with the personal data erased. What loan and
    # anti-money-laundering rules require to keep (real name, ID number, phone of a borrower) stays encrypted here
    # until ``retained_until``.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    retained_identity = EncryptedTextField(_("identity kept for loan records"), blank=True)
    retained_until = models.DateField(_("identity kept until"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(referred_by=models.F("pk")), name="member_not_own_referrer"),
            models.CheckConstraint(
                condition=~Q(verification_status="verified") | Q(id_number_hash__isnull=False),
                name="verified_member_has_id_number",
            ),
        ]
        indexes = [
            # The few closed accounts, which the points liability takes back from every balance held.
            models.Index(fields=["closed_at"], condition=Q(closed_at__isnull=False), name="member_closed"),
        ]
        ordering = ["-created_at"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.display_name or str(self.user.phone)

    # A profile is complete when the fields a store needs to serve the member are filled in.
    PROFILE_FIELDS = ("name", "gender", "birthday", "city", "preferred_store_id")

    @property
    def is_profile_completed(self) -> bool:
        return all(getattr(self, field) not in (None, "") for field in self.PROFILE_FIELDS)

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def display_name(self) -> str:
        """The name staff see: the verified real name once there is one, else the name the member chose."""
        return (self.real_name if self.is_verified else "") or self.name


class Qualification(models.Model):
    """What a car-finance application asks about the applicant (资质). Personal answers are encrypted at rest."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="qualification")
    employment = models.CharField(_("employment"), max_length=20, choices=Employment.choices)
    employer_name = EncryptedTextField(_("employer"), blank=True)
    monthly_income_band = EncryptedTextField(_("monthly income"))
    years_at_job = models.PositiveSmallIntegerField(_("years at current job"), validators=[MaxValueValidator(60)])
    has_driving_licence = models.BooleanField(_("has a driving licence"))
    marital_status = EncryptedTextField(_("marital status"))
    updated_at = models.DateTimeField(auto_now=True)

    ENCRYPTED_FIELDS = ["employer_name", "monthly_income_band", "marital_status"]

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(years_at_job__lte=60), name="qualification_years_at_job_max")]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self) -> str:
        return f"{self.member}"


class VerificationAttempt(models.Model):
    """One real-name check sent to the provider. Attempts that are pending or found no match count towards the daily
    limit; "unavailable" does not (the member did nothing wrong). Holds no name and only the masked ID number."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="verification_attempts")
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=VerificationAttemptOutcome.choices,
        default=VerificationAttemptOutcome.PENDING,
    )
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    provider = models.CharField(_("provider"), max_length=50, blank=True)
    reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["member", "created_at"], name="verifyattempt_member_created")]
        ordering = ["-created_at"]
        verbose_name = _("verification attempt")
        verbose_name_plural = _("verification attempts")

    def __str__(self) -> str:
        return f"{self.member_id} {self.outcome}"


class SignInCode(models.Model):
    """A one-time sign-in code sent by SMS. Only its keyed hash is stored, bound to the phone it was sent to."""

    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    requested_ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=OtpStatus.choices, default=OtpStatus.ACTIVE)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["phone", "created_at"], name="signincode_phone_created"),
            models.Index(fields=["requested_ip", "created_at"], name="signincode_ip_created"),
        ]
        constraints = [
            # At most one usable code per phone: a new code supersedes the old one.
            models.UniqueConstraint(fields=["phone"], condition=Q(status="active"), name="one_active_code_per_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} {self.status}"


def credentials_fingerprint(user: User) -> str:
    """A keyed hash of the account's stored password: it changes whenever the password is set, reset or made
    unusable, by whatever path (the admin's password form, create_staff, a reset)."""
    return keyed_hash(user.password, purpose="access-token-credentials")


class AccessToken(models.Model):
    """An API bearer token. Only its SHA-256 is stored; signing out deletes the row.

    A token is bound to the password its account had when it was issued (like Django's session auth hash): a
    password change, and deactivation, end every token of the account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    credentials_hash = models.CharField(max_length=64, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"token of {self.user}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return (
            not self.is_expired
            and self.user.is_active
            and constant_time_compare(self.credentials_hash, credentials_fingerprint(self.user))
        )


class Consent(models.Model):
    """One agreement of a member to one version of a policy: when, from where, and when it was withdrawn.

    Rows are never changed except to set ``withdrawn_at``: a new version is a new row, so the history shows what the
    member agreed to at any time."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("consent"), max_length=32, choices=ConsentKind.choices)
    version = models.CharField(_("version"), max_length=20)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=[("web", "web"), ("api", "api")])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "version"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_standing_consent_per_version",
            ),
        ]
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.version}"


class IdNumberView(models.Model):
    """A staff member saw a member's full ID number: who, when, whose, and why. Written before the number is shown."""

    staff = models.ForeignKey(User, verbose_name=_("staff"), on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-viewed_at"]
        permissions = [("view_full_id_number", _("Can see a member's full ID number, giving a reason"))]
        verbose_name = _("full ID number view")
        verbose_name_plural = _("full ID number views")

    def __str__(self) -> str:
        return f"{self.staff} → {self.member_id} at {self.viewed_at:%Y-%m-%d %H:%M}"


class MembershipCard(models.Model):
    """A membership card (seed 004). A replaced card keeps its row with its number dead, so a lost card can never
    find the member again; withdrawing ends the card, and joining again issues a new one."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="cards")
    number = models.CharField(_("card number"), max_length=20, unique=True)
    level = models.CharField(_("level"), max_length=12, choices=CardLevel.choices, default=CardLevel.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    valid_until = models.DateField(_("valid until"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self", verbose_name=_("replaced by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            # One card in use per member: the old number dies in the same transaction that issues the new one.
            models.UniqueConstraint(fields=["member"], condition=Q(status="active"), name="one_active_card_per_member"),
            models.CheckConstraint(
                condition=Q(status="active", ended_at__isnull=True) | (~Q(status="active") & Q(ended_at__isnull=False)),
                name="ended_card_has_end_time",
            ),
        ]
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("membership card")
        verbose_name_plural = _("membership cards")

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status == CardStatus.ACTIVE

    def shown_status(self, *, today=None) -> str:
        """What the member sees: an active card past its date reads as expired until it is renewed."""
        today = today or timezone.localdate()
        if self.is_active and self.valid_until < today:
            return CardStatus.EXPIRED
        return self.status


class CardChange(models.Model):
    """Every change of a card, in order: who did it, from which level and validity to which, and why."""

    card = models.ForeignKey(MembershipCard, verbose_name=_("card"), on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("change"), max_length=12, choices=CardChangeKind.choices)
    level_before = models.CharField(_("level before"), max_length=12, choices=CardLevel.choices, blank=True)
    level_after = models.CharField(_("level after"), max_length=12, choices=CardLevel.choices, blank=True)
    valid_until_after = models.DateField(_("valid until after"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("card change")
        verbose_name_plural = _("card changes")

    def __str__(self) -> str:
        return f"{self.card_id} {self.kind}"
