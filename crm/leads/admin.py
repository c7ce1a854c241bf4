"""The call center's lead screens: entry, contacts, assignment, partner files and keys. Every change goes through
crm.leads.services; the admin only shows and asks."""

import tablib
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.admin_scoping import StaffScopedAdminMixin
from common.exceptions import DomainError
from crm.leads import selectors, services
from crm.leads.enums import ContactOutcome, LeadChannel, LeadLostReason
from crm.leads.forms import PartnerFileForm
from crm.leads.models import Lead, LeadContact, LeadEnquiry, LeadTeam, LeadTeamAgent, Partner, PartnerApiKey
from members.enums import STORE_BOUND_ROLES
from members.models import User
from members.phones import mask_phone
from members.selectors import sees_all_stores, users_visible_to


class LeadEntryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=50)
    phone = forms.CharField(label=gettext_lazy("phone"), max_length=32)
    city = forms.CharField(label=gettext_lazy("city"), max_length=50, required=False)
    model = forms.CharField(label=gettext_lazy("model of interest"), max_length=100, required=False)
    channel = forms.ChoiceField(
        label=gettext_lazy("channel"),
        choices=[(c.value, c.label) for c in (LeadChannel.CALL_CENTER, LeadChannel.STORE)],
    )


class ContactForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("outcome"), choices=ContactOutcome.choices)
    carrier_result = forms.CharField(label=gettext_lazy("carrier result"), max_length=50, required=False)
    lost_reason = forms.ChoiceField(
        label=gettext_lazy("reason for declining"), choices=[("", "—"), *LeadLostReason.choices], required=False
    )
    note = forms.CharField(label=gettext_lazy("note"), widget=forms.Textarea, required=False)
    next_contact_at = forms.DateTimeField(
        label=gettext_lazy("next contact"), required=False, help_text=gettext_lazy("e.g. 2026-06-01 10:00")
    )


class LeadActionForm(ActionForm):
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("to"), queryset=User.objects.filter(is_staff=True, is_active=True).exclude(role=""),
        required=False,
    )  # fmt: skip
    team = forms.ModelChoiceField(label=gettext_lazy("team"), queryset=LeadTeam.objects.all(), required=False)


class LeadEnquiryInline(StaffScopedAdminMixin, admin.TabularInline):
    model = LeadEnquiry
    visible_to = staticmethod(selectors.enquiries_visible_to)
    fields = ["created_at", "channel", "partner", "external_id", "city", "model_text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class LeadContactInline(StaffScopedAdminMixin, admin.TabularInline):
    model = LeadContact
    visible_to = staticmethod(selectors.contacts_visible_to)
    fields = ["created_at", "outcome", "carrier_result", "note", "next_contact_at", "contacted_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.leads_visible_to)
    list_display = ["name", "phone", "status", "channel", "enquiries_count", "assignee", "store", "last_enquiry_at"]
    list_filter = ["status", "channel", "store"]
    search_fields = ["name", "phone"]
    list_select_related = ["assignee", "store"]
    readonly_fields = ["name", "phone", "city", "car_model", "model_text", "channel", "partner", "status",
                       "store", "team", "assignee", "member", "enquiries_count", "last_enquiry_at", "converted_at",
                       "created_at"]  # fmt: skip
    fields = readonly_fields
    inlines = [LeadEnquiryInline, LeadContactInline]
    action_form = LeadActionForm
    actions = ["assign_to", "distribute_over_team", "register_as_member"]
    change_form_template = "admin/leads/lead/change_form.html"
    change_list_template = "admin/leads/lead/change_list.html"

    @admin.display(description=gettext_lazy("phone"), ordering="phone")
    def masked_phone(self, lead):
        return mask_phone(lead.phone)

    # Store roles see the number masked; the call center dials it.
    def _masking(self, request, names):
        if request.user.role in STORE_BOUND_ROLES:
            return ["masked_phone" if name == "phone" else name for name in names]
        return list(names)

    def get_list_display(self, request):
        return self._masking(request, super().get_list_display(request))

    def get_readonly_fields(self, request, obj=None):
        return self._masking(request, super().get_readonly_fields(request, obj))

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # The action form offers only the people and teams this user may see (the response is rendered later).
        action_form = getattr(response, "context_data", {}).get("action_form")
        if action_form is not None:
            action_form.fields["assignee"].queryset = (
                users_visible_to(user=request.user).filter(is_staff=True, is_active=True).exclude(role="")
            )
            action_form.fields["team"].queryset = selectors.lead_teams_visible_to(user=request.user)
        return response

    def get_urls(self):
        return [
            path("<int:lead_id>/contact/", self.admin_site.admin_view(self.contact_view), name="leads_lead_contact"),
            path("import/", self.admin_site.admin_view(self.import_view), name="leads_lead_import"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """Call-center entry: through the capture service, so a known phone adds an enquiry to its open lead."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = LeadEntryForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                capture = services.enter_lead(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error.message))
            else:
                note = (
                    _("New lead.") if capture.lead_created else _("This phone already had an open lead: enquiry added.")
                )
                self.message_user(request, note, messages.SUCCESS)
                return redirect(reverse("admin:leads_lead_change", args=[capture.lead.pk]))
        return self._render_form(request, form, _("Enter a lead"))

    def contact_view(self, request, lead_id: int):
        lead = self.get_queryset(request).filter(pk=lead_id).first()
        if lead is None:
            raise Http404
        if not self.has_change_permission(request, lead):
            raise PermissionDenied
        form = ContactForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.record_contact(lead_id=lead.pk, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error.message))
            else:
                self.message_user(request, _("Contact recorded."), messages.SUCCESS)
                return redirect(reverse("admin:leads_lead_change", args=[lead.pk]))
        return self._render_form(request, form, _("Record a contact with %(name)s") % {"name": lead.name})

    def import_view(self, request):
        """A partner's file: every row is checked first; one bad row rejects the file, listing every bad row."""
        if not self.has_add_permission(request) or not sees_all_stores(user=request.user):
            raise PermissionDenied
        form = PartnerFileForm(
            request.POST or None, request.FILES or None, partners=Partner.objects.filter(is_active=True)
        )
        row_errors = []
        if request.method == "POST" and form.is_valid():
            try:
                rows = read_partner_file(form.cleaned_data["file"])
                count = services.import_partner_leads(partner_id=form.cleaned_data["partner"].pk, rows=rows)
            except services.PartnerFileRejected as rejected:
                row_errors = rejected.errors
                form.add_error(
                    None, _("Nothing was imported: %(count)d rows have errors.") % {"count": len(row_errors)}
                )
            except ValueError as error:
                form.add_error("file", str(error))
            else:
                self.message_user(request, _("%(count)d rows imported.") % {"count": count}, messages.SUCCESS)
                return redirect(reverse("admin:leads_lead_changelist"))
        return self._render_form(request, form, _("Import a partner file"), row_errors=row_errors)

    def _render_form(self, request, form, title, **extra):
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "opts": self.model._meta,
                   **extra}  # fmt: skip
        return render(request, "admin/leads/form.html", context)

    def _each_lead(self, request, queryset, act) -> None:
        done, refused = 0, []
        for lead in queryset:
            try:
                act(lead)
            except DomainError as error:
                refused.append(f"{lead.name}: {error.message}")
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)d leads done.") % {"count": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=gettext_lazy("Assign to the person chosen below"), permissions=["change"])
    def assign_to(self, request, queryset):
        assignee = LeadActionForm(request.POST).data.get("assignee")
        agent = User.objects.filter(pk=assignee or 0, is_staff=True).first()
        if agent is None:
            self.message_user(request, _("Choose the person to assign to."), messages.ERROR)
            return
        self._each_lead(
            request, queryset, lambda lead: services.assign_lead(lead_id=lead.pk, actor=request.user, assignee=agent)
        )

    @admin.action(description=gettext_lazy("Distribute over the team chosen below, in turn"), permissions=["change"])
    def distribute_over_team(self, request, queryset):
        team_id = LeadActionForm(request.POST).data.get("team")
        if not team_id:
            self.message_user(request, _("Choose the team."), messages.ERROR)
            return
        self._each_lead(
            request, queryset.order_by("created_at", "pk"),
            lambda lead: services.assign_round_robin_for(actor=request.user, lead_id=lead.pk, team_id=int(team_id)),
        )  # fmt: skip

    @admin.action(description=gettext_lazy("Register as member (call center)"), permissions=["change"])
    def register_as_member(self, request, queryset):
        self._each_lead(
            request, queryset, lambda lead: services.register_member_for_lead(lead_id=lead.pk, actor=request.user)
        )


def read_partner_file(upload) -> list[dict]:
    """Rows of a CSV or Excel file as dicts of the import columns (tablib reads both)."""
    content = upload.read()
    name = (upload.name or "").lower()
    try:
        if name.endswith(".xlsx"):
            dataset = tablib.Dataset().load(content, format="xlsx")
        else:
            dataset = tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
    except Exception as error:  # noqa: BLE001  (whatever the file is, it is not a table we can read)
        raise ValueError(_("The file could not be read as CSV (UTF-8) or Excel (.xlsx).")) from error
    headers = [str(header or "").strip().lower() for header in dataset.headers or []]
    missing = [column for column in ("name", "phone", "external_id") if column not in headers]
    if missing:
        raise ValueError(_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)})
    return [
        {column: ("" if value is None else str(value).strip()) for column, value in zip(headers, row, strict=False)}
        for row in dataset
    ]


class PartnerApiKeyInline(admin.TabularInline):
    model = PartnerApiKey
    fields = ["prefix", "label", "created_at", "revoked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class HeadOfficeOnly:
    def has_module_permission(self, request):
        return sees_all_stores(user=request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return sees_all_stores(user=request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return sees_all_stores(user=request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return sees_all_stores(user=request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(HeadOfficeOnly, StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.partners_visible_to)
    list_display = ["name", "is_active", "created_at"]
    inlines = [PartnerApiKeyInline]


@admin.register(PartnerApiKey)
class PartnerApiKeyAdmin(HeadOfficeOnly, StaffScopedAdminMixin, admin.ModelAdmin):
    """Issuing a key shows it once; afterwards only its first characters are known."""

    visible_to = staticmethod(selectors.partner_keys_visible_to)
    list_display = ["partner", "prefix", "label", "created_at", "revoked_at"]
    list_filter = ["partner"]
    fields = ["partner", "label"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["partner", "label", "prefix", "created_at", "revoked_at"] if obj else []

    def get_fields(self, request, obj=None):
        return ["partner", "label", "prefix", "created_at", "revoked_at"] if obj else ["partner", "label"]

    def save_model(self, request, obj, form, change):
        if change:
            return
        row, raw_key = services.issue_partner_key(partner_id=obj.partner_id, label=obj.label)
        obj.pk = row.pk
        self.message_user(
            request,
            _("The key for %(partner)s is %(key)s — copy it now: it is not shown again.")
            % {"partner": row.partner, "key": raw_key},
            messages.WARNING,
        )

    @admin.action(description=gettext_lazy("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        count = sum(services.revoke_partner_key(key_id=key.pk) for key in queryset)
        self.message_user(request, _("%(count)d keys revoked.") % {"count": count}, messages.SUCCESS)


class LeadTeamAgentInline(StaffScopedAdminMixin, admin.TabularInline):
    model = LeadTeamAgent
    visible_to = staticmethod(selectors.team_agents_visible_to)
    fields = ["agent", "is_active"]
    extra = 1


@admin.register(LeadTeam)
class LeadTeamAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.lead_teams_visible_to)
    list_display = ["name", "store", "daily_cap_per_agent"]
    inlines = [LeadTeamAgentInline]
