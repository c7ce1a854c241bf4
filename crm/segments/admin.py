from django import forms
from django.contrib import admin, messages

from common.admin_scoping import StaffScopedAdminMixin
from common.exceptions import DomainError
from crm.segments import selectors, services
from crm.segments.enums import TagKind, TagSource
from crm.segments.models import (
    LifecycleChange,
    MemberSegment,
    MemberTag,
    SegmentRules,
    Tag,
    TagGroup,
    TierChange,
)


@admin.register(SegmentRules)
class SegmentRulesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "new_customer_days", "at_risk_days", "churned_days", "at_risk_score", "updated_at"]

    def has_add_permission(self, request):
        return False  # the one row exists from the start (migration, or SegmentRules.current())

    def has_delete_permission(self, request, obj=None):
        return False


class TagInline(admin.TabularInline):
    model = Tag
    fields = ["code", "name", "kind", "is_active"]
    extra = 0


@admin.register(TagGroup)
class TagGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order"]
    inlines = [TagInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "kind", "is_active"]
    list_filter = ["group", "kind", "is_active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        # A system tag's code is its rule's output: renaming it would only make the rule create it again.
        return ["code", "kind"] if obj is not None and obj.is_system else []


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the nightly computation writes: staff look, never edit."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MemberSegment)
class MemberSegmentAdmin(StaffScopedAdminMixin, ReadOnlyAdmin):
    visible_to = staticmethod(selectors.segments_visible_to)
    list_display = ["member", "tier", "loyalty", "lifecycle", "churn_score", "spend_12_months", "as_of"]
    list_filter = ["tier", "lifecycle", "loyalty"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]
    search_fields = ["member__name", "member__real_name"]


@admin.register(TierChange)
class TierChangeAdmin(StaffScopedAdminMixin, ReadOnlyAdmin):
    visible_to = staticmethod(selectors.tier_changes_visible_to)
    list_display = ["member", "from_tier", "to_tier", "spend_12_months", "as_of"]
    list_filter = ["to_tier", "as_of"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]


@admin.register(LifecycleChange)
class LifecycleChangeAdmin(StaffScopedAdminMixin, ReadOnlyAdmin):
    visible_to = staticmethod(selectors.lifecycle_changes_visible_to)
    list_display = ["member", "from_lifecycle", "to_lifecycle", "as_of"]
    list_filter = ["to_lifecycle", "as_of"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]


class StaffTagForm(forms.ModelForm):
    class Meta:
        model = MemberTag
        fields = ["member", "tag"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "tag" in self.fields:
            self.fields["tag"].queryset = selectors.staff_tags()


@admin.register(MemberTag)
class MemberTagAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    """Staff tag members here (who and when are recorded); system tags are listed, never edited."""

    visible_to = staticmethod(selectors.member_tags_visible_to)
    form = StaffTagForm
    list_display = ["member", "tag", "source", "added_by", "added_at"]
    list_filter = ["source", "tag__group", "tag"]
    list_select_related = ["member", "tag", "added_by"]
    raw_id_fields = ["member"]

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.source == TagSource.SYSTEM:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            saved = services.add_staff_tag(actor=request.user, member_id=obj.member_id, tag_code=obj.tag.code)
        except DomainError as error:
            self.message_user(request, str(error.message), level=messages.ERROR)
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        if obj.tag.kind == TagKind.STAFF:
            services.remove_staff_tag(actor=request.user, member_id=obj.member_id, tag_code=obj.tag.code)

    def delete_queryset(self, request, queryset):
        for member_tag in queryset.filter(source=TagSource.STAFF).select_related("tag"):
            self.delete_model(request, member_tag)
