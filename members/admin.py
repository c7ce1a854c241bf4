"""The call-center admin for members, staff and stores. ID numbers are shown masked, never the ciphertext."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from common.admin_scoping import StaffScopedAdminMixin
from common.exceptions import DomainError
from common.middleware import client_ip
from domain_events.admin import DomainEventAdmin
from domain_events.models import DomainEvent
from members import personal_data, selectors, services
from members.enums import StaffRole
from members.models import (
    CardChange,
    IdNumberView,
    Member,
    MembershipCard,
    Qualification,
    Store,
    User,
    VerificationAttempt,
)


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "phone", "opening_hours", "is_active"]
    list_filter = ["city", "is_active"]
    search_fields = ["code", "name", "city"]


class QualificationInline(StaffScopedAdminMixin, admin.StackedInline):
    visible_to = staticmethod(selectors.qualifications_visible_to)
    model = Qualification
    can_delete = False
    fields = ["employment", "years_at_job", "has_driving_licence", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class VerificationAttemptInline(admin.TabularInline):
    """What customer service needs when a member calls about a failed check; the record itself stays untouched."""

    model = VerificationAttempt
    can_delete = False
    extra = 0
    fields = ["created_at", "outcome", "id_number_masked", "provider", "reference", "answered_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.members_visible_to)
    list_display = [
        "phone",
        "display_name",
        "customer_360",
        "city",
        "channel",
        "verification_status",
        "preferred_store",
        "invite_code",
        "created_at",
    ]
    # The segments (lifecycle, loyalty, tags) are computed nightly by crm.segments, reached by their relation name.
    list_filter = [
        "channel", "verification_status", "preferred_store", "tier", "segment__lifecycle", "segment__loyalty",
        "tags__tag",
    ]  # fmt: skip
    search_fields = ["user__phone", "name", "real_name", "invite_code"]
    list_select_related = ["user", "preferred_store"]
    autocomplete_fields = ["preferred_store"]
    readonly_fields = [
        "phone",
        "invite_code",
        "referred_by",
        "channel",
        "channel_partner",
        "verification_status",
        "real_name",
        "id_number_masked",
        "full_id_number",
        "verified_at",
        "created_at",
        "closed_at",
        "start_application",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "phone",
                    "start_application",
                    "name",
                    "gender",
                    "birthday",
                    "email",
                    "city",
                    "preferred_store",
                    "tier",
                ]
            },
        ),
        (_("Origin"), {"fields": ["channel", "channel_partner", "invite_code", "referred_by", "created_at"]}),
        (
            _("Identity"),
            {"fields": ["verification_status", "real_name", "id_number_masked", "full_id_number", "verified_at"]},
        ),
        (_("Account"), {"fields": ["closed_at"]}),
    ]
    inlines = [QualificationInline, VerificationAttemptInline]
    actions = ["reset_verification"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not (request.user.is_superuser or request.user.role in {StaffRole.HEAD_OFFICE, StaffRole.ADMIN}):
            actions.pop("reset_verification", None)
        return actions

    @admin.action(description=_("Reset real-name verification (the member verifies again)"))
    def reset_verification(self, request, queryset):
        try:
            for member_id in queryset.values_list("pk", flat=True):
                services.reset_member_verification(member_id=member_id, actor=request.user)
        except DomainError as error:
            self.message_user(request, str(error.message), level=messages.ERROR)
        else:
            self.message_user(request, _("Verification reset."), level=messages.SUCCESS)

    @admin.display(description=_("phone"), ordering="user__phone")
    def phone(self, member):
        return member.user.phone

    @admin.display(description=_("name"))
    def display_name(self, member):
        return member.display_name  # the verified real name once there is one

    @admin.display(description=_("Customer 360"))
    def customer_360(self, member):
        # The page lives in crm.customer360 (above members in the layers), so it is reached by its URL name.
        return format_html('<a href="{}">{}</a>', reverse("admin-customer360", args=[member.pk]), _("Customer 360"))

    def get_fieldsets(self, request, obj=None):
        if request.user.has_perm("orders.add_order"):
            return self.fieldsets
        # The link leads to a page that would refuse this user.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "start_application"]})
            for name, options in self.fieldsets
        ]

    @admin.display(description=_("Application"))
    def start_application(self, member):
        # The form lives in the orders admin (above members in the layers), so it is reached by its URL name.
        url = reverse("admin:orders_order_start_for_member", args=[member.pk])
        return format_html('<a href="{}">{}</a>', url, _("Start an application for this member"))

    def has_delete_permission(self, request, obj=None):
        # Members are never deleted from the admin: their history (orders, points) hangs on them.
        return False

    @admin.display(description=_("full ID number"))
    def full_id_number(self, member):
        if not member.id_number_masked:
            return "—"
        url = reverse("admin:members_member_full_id_number", args=[member.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Show, giving a reason"))

    def get_urls(self):
        view = self.admin_site.admin_view(never_cache(self.full_id_number_view))
        return [
            path("<int:member_id>/full-id-number/", view, name="members_member_full_id_number"),
            *super().get_urls(),
        ]

    def full_id_number_view(self, request, member_id: int):
        """Seeing a full ID number is an explicit step: the reason is asked, the view is logged, then shown once."""
        member = self.get_queryset(request).filter(pk=member_id).first()
        if member is None or not self.has_view_permission(request, member):
            raise Http404
        form = IdNumberReasonForm(request.POST or None)
        full_id_number = None
        if request.method == "POST" and form.is_valid():
            try:
                full_id_number = personal_data.reveal_id_number(
                    staff=request.user, member=member, reason=form.cleaned_data["reason"], ip_address=client_ip(request)
                )
            except DomainError as error:
                form.add_error("reason" if error.field == "reason" else None, str(error.message))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Full ID number"),
            "opts": self.model._meta,
            "member": member,
            "form": form,
            "full_id_number": full_id_number,
        }
        return render(request, "admin/members/member/full_id_number.html", context)


class IdNumberReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full number?"),
        max_length=200,
        widget=forms.TextInput(attrs={"size": 60, "autocomplete": "off"}),
        help_text=_(
            "For example: checking the contract of application 2026-0042. Your name and this reason are logged."
        ),
    )


@admin.register(User)
class UserAdmin(StaffScopedAdminMixin, DjangoUserAdmin):
    visible_to = staticmethod(selectors.users_visible_to)
    list_display = ["username", "full_name", "phone", "role", "store", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "role", "store"]
    search_fields = ["username", "full_name", "phone", "email"]
    ordering = ["-date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "full_name", "password", "phone", "email", "language"]}),
        (_("Role"), {"fields": ["role", "store", "is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "full_name", "password1", "password2", "role", "store"]})
    ]
    readonly_fields = ["last_login", "date_joined"]


# The audit log, the domain events, the sign-in attempts and the full ID number views hold people's data from every
# store: head-office only.
class HeadOfficeOnlyAdminMixin:
    """For screens that hold people's data but belong to no one store (the audit log, sign-in attempts): store roles
    never see them, whatever permissions they are given."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if selectors.sees_all_stores(user=request.user) else queryset.none()

    def has_module_permission(self, request):
        return selectors.sees_all_stores(user=request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return selectors.sees_all_stores(user=request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return selectors.sees_all_stores(user=request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return selectors.sees_all_stores(user=request.user) and super().has_delete_permission(request, obj)


@admin.register(IdNumberView)
class IdNumberViewAdmin(HeadOfficeOnlyAdminMixin, admin.ModelAdmin):
    """Who saw which member's full ID number, when and why: head-office only (it names every store's members).
    Read-only: a log row is never changed or removed."""

    list_display = ["viewed_at", "staff", "member", "reason", "ip_address"]
    list_filter = ["staff"]
    search_fields = ["staff__username", "member__user__phone", "reason"]
    list_select_related = ["staff", "member__user"]
    date_hierarchy = "viewed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HeadOfficeLogEntryAdmin(HeadOfficeOnlyAdminMixin, LogEntryAdmin):
    pass


class HeadOfficeDomainEventAdmin(HeadOfficeOnlyAdminMixin, DomainEventAdmin):
    pass


class HeadOfficeAccessAttemptAdmin(HeadOfficeOnlyAdminMixin, AccessAttemptAdmin):
    pass


class HeadOfficeAccessLogAdmin(HeadOfficeOnlyAdminMixin, AccessLogAdmin):
    pass


class HeadOfficeAccessFailureLogAdmin(HeadOfficeOnlyAdminMixin, AccessFailureLogAdmin):
    pass


for _model, _admin_class in [
    (LogEntry, HeadOfficeLogEntryAdmin),
    (DomainEvent, HeadOfficeDomainEventAdmin),
    (AccessAttempt, HeadOfficeAccessAttemptAdmin),
    (AccessLog, HeadOfficeAccessLogAdmin),
    (AccessFailureLog, HeadOfficeAccessFailureLogAdmin),
]:
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin_class)


class CardChangeInline(admin.TabularInline):
    model = CardChange
    can_delete = False
    extra = 0
    fields = ["created_at", "kind", "level_before", "level_after", "valid_until_after", "note", "actor"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MembershipCard)
class MembershipCardAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    """Cards are changed only through their services (member center, back office); the admin shows them and their
    history, and finds a member by card number."""

    visible_to = staticmethod(selectors.cards_visible_to)
    list_display = ["number", "member", "level", "status", "valid_until", "issued_at"]
    list_filter = ["status", "level"]
    search_fields = ["number"]
    list_select_related = ["member__user"]
    fields = ["number", "member", "level", "status", "issued_at", "valid_until", "ended_at", "replaced_by"]
    readonly_fields = fields
    inlines = [CardChangeInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
