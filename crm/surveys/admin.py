"""Questionnaires are built here: questions inline, each question's choices (with scores) on its own page. An
answered questionnaire is shown read-only: "Make a new version" copies it to edit, "Put in use" makes it the one
sent for its trigger. Invitations and responses are read-only, scoped to the store."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin_scoping import StaffScopedAdminMixin
from crm.surveys import selectors, services
from crm.surveys.enums import CHOICE_KINDS
from crm.surveys.models import Choice, Question, Questionnaire, SurveyAnswer, SurveyInvitation, SurveyResponse


def _answered(questionnaire) -> bool:
    return (
        questionnaire is not None
        and questionnaire.pk is not None
        and selectors.is_answered(questionnaire_id=questionnaire.pk)
    )


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "kind", "text", "is_required", "choices_link"]
    readonly_fields = ["choices_link"]
    extra = 0

    @admin.display(description=_("choices"))
    def choices_link(self, obj):
        if obj.pk is None or obj.kind not in CHOICE_KINDS:
            return "—"
        url = reverse("admin:surveys_question_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Edit choices and scores"))

    def has_change_permission(self, request, obj=None):
        return not _answered(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not _answered(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _answered(obj) and super().has_delete_permission(request, obj)


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "version", "trigger", "is_active", "created_at"]
    list_filter = ["trigger", "is_active"]
    search_fields = ["title", "code"]
    fields = ["code", "version", "title", "intro", "trigger", "is_active"]
    readonly_fields = ["version", "is_active"]
    inlines = [QuestionInline]
    actions = ["put_in_use"]
    change_form_template = "admin/surveys/questionnaire/change_form.html"

    def has_change_permission(self, request, obj=None):
        return not _answered(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _answered(obj) and super().has_delete_permission(request, obj)

    def get_urls(self):
        return [
            path("<int:pk>/new-version/", self.admin_site.admin_view(self.new_version), name="surveys_new_version"),
            *super().get_urls(),
        ]

    def new_version(self, request, pk: int):
        if request.method != "POST" or not self.has_add_permission(request):
            return redirect("admin:surveys_questionnaire_change", pk)
        get_object_or_404(Questionnaire, pk=pk)
        copy = services.new_questionnaire_version(questionnaire_id=pk)
        self.message_user(
            request, _("Version %(version)d made: edit it, then put it in use.") % {"version": copy.version}
        )
        return redirect("admin:surveys_questionnaire_change", copy.pk)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):  # noqa: PLR0917
        context["is_answered"] = _answered(obj)
        context["may_copy"] = obj is not None and self.has_add_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description=_("Put the selected questionnaire in use for its trigger"), permissions=["add"])
    def put_in_use(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one questionnaire."), messages.ERROR)
            return
        questionnaire = services.activate_questionnaire(questionnaire_id=queryset.get().pk)
        self.message_user(request, _("%(title)s is now in use.") % {"title": questionnaire})


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ["position", "text", "score"]
    extra = 0

    def has_change_permission(self, request, obj=None):
        return not (obj and _answered(obj.questionnaire)) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not (obj and _answered(obj.questionnaire)) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and _answered(obj.questionnaire)) and super().has_delete_permission(request, obj)


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["questionnaire", "position", "kind", "text", "is_required"]

    def clean_questionnaire(self):
        questionnaire = self.cleaned_data["questionnaire"]
        if _answered(questionnaire):
            raise forms.ValidationError(
                _("This questionnaire has answers and cannot be edited; make a new version instead.")
            )
        return questionnaire


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["text", "kind", "questionnaire", "position", "is_required"]
    list_filter = ["kind"]
    list_select_related = ["questionnaire"]
    search_fields = ["text"]
    inlines = [ChoiceInline]

    def has_change_permission(self, request, obj=None):
        return not (obj and _answered(obj.questionnaire)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and _answered(obj.questionnaire)) and super().has_delete_permission(request, obj)


class ReadOnlyAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    visible_to = staticmethod(selectors.invitations_visible_to)
    list_display = ["created_at", "questionnaire", "member", "store", "trigger", "channel", "expires_at", "answered_at"]
    list_filter = ["trigger", "channel", "store"]
    list_select_related = ["questionnaire", "member__user", "store"]
    search_fields = ["member__user__phone", "subject"]
    fields = ["questionnaire", "member", "store", "trigger", "channel", "subject", "created_at", "expires_at",
              "answered_at"]  # fmt: skip
    readonly_fields = fields


class SurveyAnswerInline(StaffScopedAdminMixin, admin.TabularInline):
    model = SurveyAnswer
    visible_to = staticmethod(selectors.answers_visible_to)
    fields = ["question", "choice", "value", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    visible_to = staticmethod(selectors.responses_visible_to)
    list_display = ["answered_at", "questionnaire", "member", "store", "trigger", "csat", "nps", "choice_score"]
    list_filter = ["trigger", "store"]
    list_select_related = ["questionnaire", "member__user", "store"]
    search_fields = ["member__user__phone"]
    fields = ["questionnaire", "member", "store", "trigger", "csat", "nps", "choice_score", "answered_by",
              "answered_at"]  # fmt: skip
    readonly_fields = fields
    inlines = [SurveyAnswerInline]
