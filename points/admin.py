"""Operators edit rules, rewards and campaigns; the ledger is read-only; adjustments go through the service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from common.admin_scoping import StaffScopedAdminMixin
from common.exceptions import DomainError
from points import selectors, services
from points.models import (
    Campaign,
    Coupon,
    EarnRule,
    PointsAccount,
    PointsEntry,
    PointsPolicy,
    Reward,
    TierBenefit,
)


@admin.register(EarnRule)
class EarnRuleAdmin(admin.ModelAdmin):
    list_display = ["event", "name", "points", "rates", "daily_cap", "monthly_cap", "active_from", "active_until",
                    "is_active"]  # fmt: skip
    list_editable = ["is_active"]
    readonly_fields = ["event"]

    def has_add_permission(self, request):
        return False  # one rule per event, created by migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "cost_points", "face_value", "stock", "valid_days", "per_member_limit", "is_active"]
    list_filter = ["kind", "is_active"]
    list_editable = ["is_active"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "points", "starts_on", "ends_on", "is_active"]


@admin.register(PointsPolicy)
class PointsPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "expiry_months", "expiry_notice_days", "max_adjustment"]

    def has_add_permission(self, request):
        return not PointsPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointsEntry)
class PointsEntryAdmin(StaffScopedAdminMixin, ReadOnlyAdmin):
    visible_to = staticmethod(selectors.points_entries_visible_to)
    list_display = ["created_at", "member", "kind", "points", "balance_after", "reason", "created_by"]
    list_filter = ["kind", "rule", "reward", "created_at"]
    search_fields = ["account__member__user__phone", "idempotency_key", "reason", "source"]
    list_select_related = ["account__member__user", "created_by"]
    date_hierarchy = "created_at"

    @admin.display(description=_("member"))
    def member(self, entry):
        return entry.account.member


@admin.register(Coupon)
class CouponAdmin(StaffScopedAdminMixin, ReadOnlyAdmin):
    visible_to = staticmethod(selectors.coupons_visible_to)
    list_display = ["code", "member", "reward", "status", "valid_until", "used_at", "used_for"]
    list_filter = ["status", "reward"]
    search_fields = ["code", "member__user__phone"]
    list_select_related = ["member__user", "reward"]


class AdjustmentForm(forms.Form):
    points = forms.IntegerField(label=_("Points (negative to remove)"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CampaignCodeForm(forms.Form):
    campaign = forms.CharField(label=_("Campaign code"), max_length=30)


class PointsEntryInline(StaffScopedAdminMixin, admin.TabularInline):
    visible_to = staticmethod(selectors.points_entries_visible_to)
    model = PointsEntry
    extra = 0
    fields = ["created_at", "kind", "points", "balance_after", "reason", "created_by"]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PointsAccount)
class PointsAccountAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    """A member's points page: balance, history, and the adjustment and campaign-code forms."""

    visible_to = staticmethod(selectors.points_accounts_visible_to)
    list_display = ["member", "phone", "balance", "updated_at"]
    search_fields = ["member__user__phone", "member__name"]
    list_select_related = ["member__user"]
    readonly_fields = ["member", "balance", "updated_at"]
    fields = readonly_fields
    inlines = [PointsEntryInline]
    change_form_template = "admin/points/pointsaccount/change_form.html"

    @admin.display(description=_("phone"))
    def phone(self, account):
        return account.member.user.phone

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("<int:account_id>/adjust/", self.admin_site.admin_view(self.adjust_view), name="points_adjust"),
            path("<int:account_id>/campaign/", self.admin_site.admin_view(self.campaign_view), name="points_campaign"),
            *super().get_urls(),
        ]

    def adjust_view(self, request, account_id: int):
        return self._form_view(request, account_id, AdjustmentForm, _("Adjust points"), self._adjust)

    def campaign_view(self, request, account_id: int):
        return self._form_view(request, account_id, CampaignCodeForm, _("Enter a campaign code"), self._campaign)

    def _adjust(self, request, account, data):
        services.adjust_points(
            member_id=account.member_id, points=data["points"], reason=data["reason"], actor=request.user
        )

    def _campaign(self, request, account, data):
        services.award_campaign(member_id=account.member_id, campaign_code=data["campaign"], actor=request.user)

    def _form_view(self, request, account_id, form_class, title, action):
        # Another store's member, or no such account, is "not found"; the forms are for those who may see it.
        account = self.get_queryset(request).select_related("member__user").filter(pk=account_id).first()
        if account is None:
            raise Http404
        if not self.has_view_permission(request, account):
            raise PermissionDenied
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                action(request, account, form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                self.message_user(request, _("Done."), messages.SUCCESS)
                return redirect(reverse("admin:points_pointsaccount_change", args=[account.pk]))
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "account": account,
                   "opts": self.model._meta}  # fmt: skip
        return render(request, "admin/points/form.html", context)


@admin.register(TierBenefit)
class TierBenefitAdmin(admin.ModelAdmin):
    list_display = ["tier", "points_multiplier", "birthday_reward", "description"]
    list_select_related = ["birthday_reward"]

    def has_delete_permission(self, request, obj=None):
        return False
