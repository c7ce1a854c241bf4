"""Finance's admin screens for money: payments (recorded through ``orders.repayments``) and the loan system's
repayment files (uploaded, then applied by a job while the page shows its progress)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.admin_scoping import StaffScopedAdminMixin
from common.exceptions import DomainError
from members.selectors import sees_all_stores
from orders import repayments, selectors
from orders.forms import PaymentForm, RepaymentFileForm
from orders.models import Installment, Payment, RepaymentImport
from orders.repayment_import import get_progress, start_repayment_import


class AdminPaymentForm(PaymentForm):
    installment = forms.ModelChoiceField(
        queryset=Installment.objects.none(), widget=forms.NumberInput, label=_("Installment (id)")
    )

    field_order = ["installment", "amount", "paid_on", "reference"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["installment"].queryset = selectors.installments_visible_to(user=user)


@admin.register(Payment)
class PaymentAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.payments_visible_to)
    list_display = ["reference", "installment", "amount", "paid_on", "source", "recorder", "created_at"]
    list_filter = ["source", "paid_on"]
    search_fields = ["reference", "installment__loan__order__number"]
    list_select_related = ["installment", "recorded_by", "repayment_import__created_by"]
    readonly_fields = [field.name for field in Payment._meta.fields]

    @admin.display(description=gettext_lazy("recorded by"))
    def recorder(self, payment):
        """Finance for a payment recorded at the desk; the file's uploader for an imported one."""
        if payment.recorded_by_id is None and payment.repayment_import_id is not None:
            return payment.repayment_import.created_by
        return payment.recorded_by

    def has_add_permission(self, request):
        return repayments.may_record_payments(user=request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """Recording a payment goes through the service: the installment's lock, the overpay check, the reference."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AdminPaymentForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                installment, created = repayments.record_payment(
                    installment_id=data.pop("installment").pk, actor=request.user, **data
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error.message))
            else:
                note = _("Payment recorded.") if created else _("This payment was already recorded; nothing changed.")
                self.message_user(request, f"{note} {installment.get_status_display()}", messages.SUCCESS)
                return redirect(reverse("admin:orders_payment_changelist"))
        context = {**self.admin_site.each_context(request), "title": _("Record a payment"), "form": form,
                   "opts": self.model._meta}  # fmt: skip
        return render(request, "admin/orders/money_form.html", context)


@admin.register(RepaymentImport)
class RepaymentImportAdmin(StaffScopedAdminMixin, admin.ModelAdmin):
    visible_to = staticmethod(selectors.repayment_imports_visible_to)
    list_display = ["original_name", "status", "total_rows", "applied_count", "already_recorded_count",
                    "created_by", "created_at", "finished_at"]  # fmt: skip
    list_filter = ["status"]
    readonly_fields = [field.name for field in RepaymentImport._meta.fields if field.name != "file"]
    exclude = ["file"]
    change_form_template = "admin/orders/repaymentimport/change_form.html"

    # The files cover every store: store roles never see the screen at all.
    def has_module_permission(self, request):
        return sees_all_stores(user=request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return sees_all_stores(user=request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return repayments.may_record_payments(user=request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("<int:object_id>/progress/", self.admin_site.admin_view(self.progress_view),
                 name="orders_repaymentimport_progress"),
            *super().get_urls(),
        ]  # fmt: skip

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RepaymentFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            repayment_import = start_repayment_import(uploaded_file=form.cleaned_data["file"], actor=request.user)
            return redirect(reverse("admin:orders_repaymentimport_change", args=[repayment_import.pk]))
        context = {**self.admin_site.each_context(request), "title": _("Upload a repayment file"), "form": form,
                   "opts": self.model._meta}  # fmt: skip
        return render(request, "admin/orders/money_form.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        repayment_import = get_object_or_404(self.get_queryset(request), pk=object_id)
        extra_context = {**(extra_context or {}), "progress": get_progress(repayment_import=repayment_import),
                         "repayment_import": repayment_import}  # fmt: skip
        return super().change_view(request, object_id, form_url, extra_context)

    def progress_view(self, request, object_id: int):
        """What the page's progress bar polls."""
        repayment_import = get_object_or_404(self.get_queryset(request), pk=object_id)
        return JsonResponse(
            {**get_progress(repayment_import=repayment_import), "applied": repayment_import.applied_count,
             "already_recorded": repayment_import.already_recorded_count, "errors": repayment_import.errors}
        )  # fmt: skip
