"""The call-center admin for members, staff and stores. ID numbers are shown masked, never the ciphertext."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin_scoping import StaffScopedAdminMixin
from domain_events.admin import DomainEventAdmin
from domain_events.models import DomainEvent
from members import selectors
from members.models import Member, Qualification, Store, User


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


@admin.register(Member)
class MemberAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.members_visible_to)
    list_display = [
        "phone",
        "name",
        "customer_360",
        "city",
        "channel",
        "verification_status",
        "preferred_store",
        "invite_code",
        "created_at",
    ]
    list_filter = ["channel", "verification_status", "preferred_store", "tier"]
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
        "verified_at",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["phone", "name", "gender", "birthday", "email", "city", "preferred_store", "tier"]}),
        (_("Origin"), {"fields": ["channel", "channel_partner", "invite_code", "referred_by", "created_at"]}),
        (_("Identity"), {"fields": ["verification_status", "real_name", "id_number_masked", "verified_at"]}),
    ]
    inlines = [QualificationInline]

    @admin.display(description=_("phone"), ordering="user__phone")
    def phone(self, member):
        return member.user.phone

    @admin.display(description=_("Customer 360"))
    def customer_360(self, member):
        # The page lives in crm.customer360 (above members in the layers), so it is reached by its URL name.
        return format_html('<a href="{}">{}</a>', reverse("admin-customer360", args=[member.pk]), _("Customer 360"))

    def has_delete_permission(self, request, obj=None):
        # Members are never deleted from the admin: their history (orders, points) hangs on them.
        return False


@admin.register(User)
class UserAdmin(StaffScopedAdminMixin, DjangoUserAdmin):
    visible_to = staticmethod(selectors.users_visible_to)
    list_display = ["username", "phone", "role", "store", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "role", "store"]
    search_fields = ["username", "phone", "email"]
    ordering = ["-date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "password", "phone", "email"]}),
        (_("Role"), {"fields": ["role", "store", "is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["username", "password1", "password2", "role", "store"]})]
    readonly_fields = ["last_login", "date_joined"]


# The audit log, the domain events and the sign-in attempts hold people's data from every store: head-office only.
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
