"""Call-center admin for applications. The transition buttons come from django-fsm-2's admin mixin, but every step
runs through orders.services.apply_transition, so the permission check, the audit event, the stock and loan side
effects and the member's notification happen exactly as in the API and the back office."""

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from common.admin_scoping import StaffScopedAdminMixin
from common.exceptions import DomainError
from members.selectors import list_active_stores, sees_all_stores
from orders import selectors, services
from orders.enums import OrderState
from orders.exceptions import UnknownTransition
from orders.models import CreditCheck, Installment, Loan, Order, OrderDocument, OrderEvent, UnassignedOrder
from orders.state_machine import TRANSITION_ACTORS


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
    readonly_fields = [field.name for field in Loan._meta.fields]
    inlines = [InstallmentInline]

    def has_add_permission(self, request):
        return False
