"""Call-center admin for applications. The transition buttons come from django-fsm-2's admin mixin, but every step
runs through orders.services.apply_transition, so the permission check, the audit event, the stock and loan side
effects and the member's notification happen exactly as in the API and the back office."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from common.admin_scoping import StaffScopedAdminMixin
from common.exceptions import DomainError
from members.selectors import list_active_stores, members_visible_to, sees_all_stores, store_ids_visible_to
from orders import repayments, selectors, services
from orders.enums import OrderState
from orders.exceptions import ActiveApplicationExists, InvalidStore, UnknownTransition
from orders.forms import LoanAdminForm
from orders.models import CreditCheck, Installment, Loan, Order, OrderDocument, OrderEvent, UnassignedOrder
from orders.state_machine import TRANSITION_ACTORS
from vehicles.selectors import get_offered_plan, list_catalog_models


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class VehicleForm(forms.Form):
    vin = forms.CharField(label=_("VIN (optional)"), max_length=17, required=False)


class SigningForm(forms.Form):
    signing_at = forms.DateTimeField(
        label=_("Signing time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class HandOverForm(forms.Form):
    plate = forms.CharField(label=_("Licence plate"), max_length=12)


class StartForMemberForm(forms.Form):
    """A car trim and one of its offered plans (the plan list is grouped by trim), and optionally a store code."""

    trim = forms.TypedChoiceField(label=_("car trim"), coerce=int)
    plan = forms.TypedChoiceField(label=_("finance plan"), coerce=int)
    store = forms.CharField(label=_("store code"), max_length=20, required=False)

    def __init__(self, *args, own_store_ids: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # None: any open store (call center, head office); a store role starts applications at its own store only.
        self.own_store_ids = own_store_ids
        trims, grouped = [], []
        for car_model in list_catalog_models():
            for trim in car_model.trims.all():
                label = f"{car_model} {trim.name}"
                trims.append((trim.pk, label))
                grouped.append((label, [(plan.pk, plan.name) for plan in trim.plans.all()]))
        self.fields["trim"].choices = [("", "---------"), *trims]
        self.fields["plan"].choices = [("", "---------"), *grouped]

    def clean_store(self):
        code = self.cleaned_data["store"].strip()
        if not code:
            return None
        store = selectors.find_active_store(reference=code)
        if store is None:
            raise forms.ValidationError(InvalidStore.default_message)
        if self.own_store_ids is not None and store.pk not in self.own_store_ids:
            raise forms.ValidationError(gettext("You can start applications only at your own store."))
        return store

    def clean(self):
        cleaned = super().clean()
        trim_id, plan_id = cleaned.get("trim"), cleaned.get("plan")
        if trim_id and plan_id and get_offered_plan(trim_id=trim_id, plan_id=plan_id) is None:
            self.add_error("plan", gettext("This finance plan is not offered for the chosen car trim."))
        return cleaned


class OrderEventInline(StaffScopedAdminMixin, admin.TabularInline):
    visible_to = staticmethod(selectors.order_events_visible_to)
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "transition", "from_state", "to_state", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderDocumentInline(StaffScopedAdminMixin, admin.TabularInline):
    visible_to = staticmethod(selectors.order_documents_visible_to)
    model = OrderDocument
    extra = 0
    can_delete = False
    fields = ["kind", "content_type", "size", "uploaded_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(StaffScopedAdminMixin, FSMAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.orders_visible_to)
    fsm_fields = ["state"]
    fsm_forms = {
        "request_materials": ReasonForm,
        "reject": ReasonForm,
        "terminate": ReasonForm,
        "confirm_vehicle": VehicleForm,
        "vehicle_arrived": VehicleForm,
        "schedule_signing": SigningForm,
        "hand_over": HandOverForm,
    }
    list_display = ["number", "member_phone", "member", "trim", "state", "store", "channel", "created_at"]
    list_filter = ["state", "store", "channel"]
    search_fields = ["number", "member__user__phone", "member__name", "plate"]
    list_select_related = ["member__user", "trim__car_model__brand", "store"]
    readonly_fields = [
        "number", "member", "trim", "plan", "store", "channel", "created_by", "replaces", "vehicle_unit", "signing_at",
        "plate", "price", "down_payment", "monthly_payment", "created_at",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [OrderEventInline, OrderDocumentInline]

    @admin.display(description=_("phone"), ordering="member__user__phone")
    def member_phone(self, order):
        return order.member.user.phone

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.start_for_member_view)
        return [
            path("start-for-member/<int:member_id>/", view, name="orders_order_start_for_member"),
            *super().get_urls(),
        ]

    def start_for_member_view(self, request, member_id: int):
        """A call-center agent (or a store for a member it sees) starts a draft application for a member."""
        if not request.user.has_perm("orders.add_order"):
            raise PermissionDenied
        member = members_visible_to(user=request.user).select_related("user").filter(pk=member_id).first()
        if member is None:
            raise Http404
        member_url = reverse("admin:members_member_change", args=[member.pk])
        if member.closed_at is not None:
            self.message_user(request, gettext("This member's account is closed."), level=messages.ERROR)
            return HttpResponseRedirect(member_url)
        own_store_ids = store_ids_visible_to(user=request.user)
        form = StartForMemberForm(request.POST or None, own_store_ids=own_store_ids)
        if request.method == "POST" and form.is_valid():
            store = form.cleaned_data["store"]
            # Without a code, a store role's application is at its own store; others get one on submit (the member's).
            default_store_id = request.user.store_id if own_store_ids is not None else None
            store_id = store.pk if store is not None else default_store_id
            try:
                order = services.create_order(
                    member=member,
                    trim_id=form.cleaned_data["trim"],
                    plan_id=form.cleaned_data["plan"],
                    actor=request.user,
                    store_id=store_id,
                )
            except ActiveApplicationExists as error:
                url = reverse("admin:orders_order_change", args=[error.active_order_id])
                self.message_user(
                    request,
                    format_html('{} <a href="{}">{}</a>', error.message, url, gettext("Open the application")),
                    level=messages.ERROR,
                )
            except DomainError as error:
                self.message_user(request, str(error.message), level=messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("Application %(number)s started for the member.") % {"number": order.number},
                    level=messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Start an application for %(member)s")
            % {"member": member.display_name or member.user.phone},
            "member": member,
            "member_url": member_url,
            "form": form,
        }
        return TemplateResponse(request, "admin/orders/order/start_for_member.html", context)

    def is_fsm_transition_visible(self, transition) -> bool:
        # Cancel is the member's own step; a model change needs the member's choice of car (member center).
        return transition.name not in {"cancel", "change_model"}

    def response_change(self, request, obj):
        # django-fsm's admin looks the posted name up as a method of the model: only our steps get that far.
        name = request.POST.get(self.fsm_post_param)
        if name and name not in TRANSITION_ACTORS:
            self.message_user(request, str(UnknownTransition.default_message), level=messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def fsm_transition_view(self, request, object_id, transition_name, **kwargs):
        if transition_name not in TRANSITION_ACTORS:
            raise Http404
        return super().fsm_transition_view(request, object_id, transition_name, **kwargs)

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None) -> bool:
        data = dict(kwargs or {})
        try:
            services.apply_transition(order_id=obj.pk, name=transition_name, actor=request.user, **data)
        except DomainError as error:
            self.message_user(request, str(error.message), level=messages.ERROR)
            return False
        self.message_user(request, _("Done."), level=messages.SUCCESS)
        return True


class AssignStoreForm(forms.ModelForm):
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)

    class Meta:
        model = UnassignedOrder
        fields = ["store"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = list_active_stores()


@admin.register(UnassignedOrder)
class UnassignedOrderAdmin(admin.ModelAdmin):
    """The call center's queue: submitted applications no store has yet. Saving a store assigns it through
    orders.services.assign_order_store (the order locked, an event written, the member told)."""

    form = AssignStoreForm
    list_display = ["number", "member_phone", "member", "member_city", "trim", "created_at"]
    search_fields = ["number", "member__user__phone", "member__name"]
    list_select_related = ["member__user", "trim__car_model__brand"]
    ordering = ["created_at"]  # oldest first: who has waited longest
    readonly_fields = ["number", "member", "member_city", "trim", "plan", "price", "created_at"]
    fields = [*readonly_fields, "store"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=OrderState.SUBMITTED, store__isnull=True)

    @admin.display(description=_("phone"), ordering="member__user__phone")
    def member_phone(self, order):
        return order.member.user.phone

    @admin.display(description=_("city"), ordering="member__city")
    def member_city(self, order):
        return order.member.city or "—"

    # Applications without a store belong to no store: store roles never see them, whatever permissions they hold.
    def has_module_permission(self, request):
        return sees_all_stores(user=request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return sees_all_stores(user=request.user) and request.user.has_perm("orders.view_order")

    def has_change_permission(self, request, obj=None):
        return sees_all_stores(user=request.user) and request.user.has_perm("orders.assign_order_store")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.assign_order_store(order_id=obj.pk, store_id=form.cleaned_data["store"].pk, actor=request.user)
        except DomainError as error:
            self.message_user(request, str(error.message), level=messages.ERROR)
            request._store_assignment_refused = True

    def response_change(self, request, obj):
        if getattr(request, "_store_assignment_refused", False):
            return HttpResponseRedirect(request.path)
        store = obj.store
        self.message_user(
            request, gettext("The application is now with %(store)s.") % {"store": store.name}, level=messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:orders_unassignedorder_changelist"))


@admin.register(CreditCheck)
class CreditCheckAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.credit_checks_visible_to)
    list_display = ["order", "status", "decision", "score", "attempts", "created_at", "completed_at"]
    list_filter = ["status", "decision"]
    search_fields = ["order__number"]
    readonly_fields = [field.name for field in CreditCheck._meta.fields]

    def has_add_permission(self, request):
        return False


class InstallmentInline(StaffScopedAdminMixin, admin.TabularInline):
    visible_to = staticmethod(selectors.installments_visible_to)
    model = Installment
    extra = 0
    can_delete = False
    readonly_fields = ["number", "due_on", "principal", "interest", "amount", "status", "paid_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Loan)
class LoanAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.loans_visible_to)
    list_display = ["order", "principal", "annual_rate", "term_months", "monthly_payment", "disbursed_at"]
    search_fields = ["order__number", "order__member__user__phone"]
    # Only how the loan is collected is edited here (by finance); the rest is the contract.
    form = LoanAdminForm
    readonly_fields = [field.name for field in Loan._meta.fields if field.name not in repayments.BANK_CARD_FIELDS]
    inlines = [InstallmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and repayments.may_record_payments(user=request.user)

    def save_model(self, request, obj, form, change):
        # Through the service: the same checks, the row lock and the audit entry as the back office's form.
        try:
            repayments.record_bank_card(
                loan_id=obj.pk, actor=request.user,
                **{field: form.cleaned_data[field] for field in repayments.BANK_CARD_FIELDS},
            )  # fmt: skip
        except DomainError as error:
            self.message_user(request, str(error.message), level=messages.ERROR)


from orders import money_admin  # noqa: E402, F401  (registers the money screens)
