import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.enums import (
    REQUIRED_FOR_REVIEW,
    STORELESS_STATES,
    TERMINAL_STATE_VALUES,
    CreditCheckStatus,
    CreditDecision,
    DocumentKind,
    DocumentReview,
    DropOutReason,
    InstallmentStatus,
    OrderState,
    PaymentSource,
    RepaymentImportStatus,
)
from orders.state_machine import OrderStateMachine


def private_document_storage() -> FileSystemStorage:
    """Uploaded documents live under MEDIA_ROOT/private with no public URL; a view checks permission and serves
    them. A callable, so migrations record the function and not this machine's path."""
    return FileSystemStorage(location=settings.MEDIA_ROOT / "private", base_url=None)


class Order(OrderStateMachine):
    """One application, from the member's first pick of a car to the handover (or its end)."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="orders", verbose_name=_("member")
    )
    trim = models.ForeignKey("vehicles.Trim", on_delete=models.PROTECT, related_name="+", verbose_name=_("trim"))
    plan = models.ForeignKey(
        "vehicles.FinancePlan", on_delete=models.PROTECT, related_name="+", verbose_name=_("finance plan")
    )
    store = models.ForeignKey(
        "members.Store", on_delete=models.PROTECT, null=True, blank=True, related_name="orders", verbose_name=_("store")
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", verbose_name=_("replaces")
    )
    vehicle_unit = models.ForeignKey(
        "vehicles.VehicleUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("vehicle unit"),
    )
    signing_at = models.DateTimeField(_("signing time"), null=True, blank=True)
    # While the member waits for their car (等车): when the store expects it, as the store last told the member.
    expected_arrival_on = models.DateField(_("expected arrival of the car"), null=True, blank=True)
    plate = models.CharField(_("plate"), max_length=12, blank=True)
    # Price terms frozen when the member applies, so a later price change does not change their application.
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    down_payment = models.DecimalField(_("down payment"), max_digits=12, decimal_places=2)
    monthly_payment = models.DecimalField(_("monthly payment"), max_digits=12, decimal_places=2)
    # The term the member chose in the loan calculator; empty on applications made before there was a choice (and
    # in set-based loads), which run over the plan's own term.
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    # The rest of the quote the member saw when applying: the figures the plan page and the calculator showed.
    # (Database defaults too, for set-based loads that do not name these columns.)
    total_interest = models.DecimalField(
        _("total interest"), max_digits=12, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00")
    )
    fees = models.DecimalField(
        _("fees"), max_digits=10, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00")
    )
    annual_percentage_rate = models.DecimalField(
        _("annualised rate (%)"), max_digits=6, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00")
    )
    # A down-payment coupon (points earned before signing) the store applied at signing.
    down_payment_coupon_code = models.CharField(_("down-payment coupon"), max_length=16, blank=True, db_default="")
    down_payment_deduction = models.DecimalField(
        _("down-payment deduction"), max_digits=10, decimal_places=2, default=Decimal("0.00"),
        db_default=Decimal("0.00"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(replaces=models.F("pk")), name="order_not_replacing_itself"),
            # A draft belongs to the member; a submitted application may wait unassigned for the call center; one
            # that ends before any store took it stays without one. From collecting materials on, a store owns it.
            models.CheckConstraint(
                condition=Q(store__isnull=False) | Q(state__in=STORELESS_STATES), name="order_past_submitted_has_store"
            ),
            # One application at a time per member (a model change ends the old one before opening the new one).
            models.UniqueConstraint(
                fields=["member"], condition=~Q(state__in=TERMINAL_STATE_VALUES), name="one_active_order_per_member"
            ),
            models.CheckConstraint(
                condition=Q(down_payment_deduction__gte=0) & Q(down_payment_deduction__lte=models.F("down_payment")),
                name="order_down_payment_deduction_range",
            ),
        ]
        ordering = ["-created_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [
            ("reassign_order_store", _("Can move an order to another store")),
            ("assign_order_store", _("Can assign a store to an unassigned application")),
        ]

    def __str__(self) -> str:
        return self.number

    def uploaded_document_kinds(self) -> set[str]:
        """Kinds with at least one document the store has not rejected (a rejected one must come again)."""
        cached = getattr(self, "_prefetched_objects_cache", {}).get("documents")
        documents = cached if cached is not None else self.documents.all()
        return {document.kind for document in documents if document.review_status != DocumentReview.REJECTED}

    def missing_documents(self) -> list[str]:
        uploaded = self.uploaded_document_kinds()
        return [kind.value for kind in REQUIRED_FOR_REVIEW if kind not in uploaded]

    @property
    def loan_term_months(self) -> int:
        return self.term_months or self.plan.term_months

    @property
    def is_terminal(self) -> bool:
        return self.state in (OrderState.REJECTED, OrderState.DELIVERED, OrderState.TERMINATED, OrderState.REPLACED)

    @property
    def is_unassigned(self) -> bool:
        """Submitted and waiting for the call center to assign a store."""
        return self.state == OrderState.SUBMITTED and self.store_id is None


class UnassignedOrder(Order):
    """The call center's queue in the admin: submitted applications that no store has yet."""

    class Meta:
        proxy = True
        verbose_name = _("unassigned application")
        verbose_name_plural = _("unassigned applications")


class OrderEvent(models.Model):
    """The audit trail: one row per transition, written in the transition's transaction."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(max_length=40)
    from_state = models.CharField(max_length=24, choices=OrderState.choices)
    to_state = models.CharField(max_length=24, choices=OrderState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    reason = models.TextField(blank=True)
    # Set on rejection and termination so the funnel report can count why applications drop out.
    reason_code = models.CharField(
        _("reason code"), max_length=24, choices=DropOutReason.choices, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_state} → {self.to_state}"


def _document_path(document, filename: str) -> str:
    # The stored name never reuses the uploaded file name: it may hold personal data or path tricks.
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(document.content_type, "bin")
    return f"orders/{document.order_id}/{document.kind}-{uuid.uuid4().hex}.{extension}"


class OrderDocument(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(storage=private_document_storage, upload_to=_document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The store's check of the document: accepted, or rejected with the reason the member reads ("" = not checked).
    review_status = models.CharField(_("check"), max_length=10, choices=DocumentReview.choices, blank=True, default="")
    review_note = models.CharField(_("reason"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class CreditCheck(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="credit_checks", verbose_name=_("application")
    )
    status = models.CharField(
        max_length=12, choices=CreditCheckStatus.choices, default=CreditCheckStatus.PENDING, verbose_name=_("status")
    )
    provider = models.CharField(max_length=40, blank=True, verbose_name=_("provider"))
    decision = models.CharField(max_length=10, choices=CreditDecision.choices, blank=True, verbose_name=_("decision"))
    score = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("score"))
    summary = models.TextField(blank=True, verbose_name=_("summary"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("credit check")
        verbose_name_plural = _("credit checks")

    def __str__(self) -> str:
        return f"credit check {self.order_id} {self.status}"


class CreditOverride(models.Model):
    """Head office agreeing that a reviewer may approve an application that this credit check declined.

    Bound to one check: a new review (after more materials) runs a new check, which needs its own agreement."""

    credit_check = models.OneToOneField(CreditCheck, on_delete=models.CASCADE, related_name="override")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="credit_overrides")
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agreed by"), on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(_("agreed at"), auto_now_add=True)
    note = models.TextField(_("note"))

    class Meta:
        verbose_name = _("credit override")
        verbose_name_plural = _("credit overrides")

    def __str__(self) -> str:
        return f"override of credit check {self.credit_check_id}"


class Loan(models.Model):
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="loan", verbose_name=_("application"))
    principal = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("principal"))
    annual_rate = models.DecimalField(max_digits=6, decimal_places=4, verbose_name=_("annual rate"))
    term_months = models.PositiveSmallIntegerField(verbose_name=_("term (months)"))
    monthly_payment = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("monthly payment"))
    total_interest = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("total interest"))
    disbursed_at = models.DateTimeField(verbose_name=_("disbursed at"))
    # How repayments are collected: a debit from the bank card on file on the installment's due day. Only the card's
    # last four digits are kept; the loan system holds the rest.
    bank_name = models.CharField(_("bank"), max_length=40, blank=True)
    bank_card_last4 = models.CharField(_("card number (last 4 digits)"), max_length=4, blank=True)
    debit_day = models.PositiveSmallIntegerField(_("debit day of the month"), null=True, blank=True)
    settled_on = models.DateField(_("settled early on"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(principal__gte=0), name="loan_principal_not_negative"),
            models.CheckConstraint(
                condition=Q(debit_day__isnull=True) | (Q(debit_day__gte=1) & Q(debit_day__lte=31)),
                name="loan_debit_day_range",
            ),
        ]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")

    def __str__(self) -> str:
        return f"loan {self.order_id}"

    @property
    def masked_bank_card(self) -> str:
        return f"**** **** **** {self.bank_card_last4}" if self.bank_card_last4 else ""


class Installment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments", verbose_name=_("loan"))
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    principal = models.DecimalField(_("principal"), max_digits=12, decimal_places=2)
    interest = models.DecimalField(_("interest"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=12, choices=InstallmentStatus.choices, default=InstallmentStatus.DUE
    )
    # The sum of the installment's payments, kept beside them so lists and the reminder rules read one row.
    paid_amount = models.DecimalField(_("paid"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # A monthly-repayment deduction coupon applied to this installment (the member pays amount − deduction).
    coupon_code = models.CharField(max_length=16, blank=True)
    deduction = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="installment_number_unique"),
            models.CheckConstraint(
                condition=Q(deduction__gte=0) & Q(deduction__lte=models.F("amount")), name="installment_deduction_range"
            ),
            # Exact on PostgreSQL; the half-fen band only keeps the SQLite demo (floating point) from tripping.
            models.CheckConstraint(
                condition=Q(amount__gte=models.F("principal") + models.F("interest") - Decimal("0.005"))
                & Q(amount__lte=models.F("principal") + models.F("interest") + Decimal("0.005")),
                name="installment_sum",
            ),
            # Never more paid than is owed after the coupon: the backstop of the payment services' row lock.
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0)
                & Q(paid_amount__lte=models.F("amount") - models.F("deduction") + Decimal("0.005")),
                name="installment_not_overpaid",
            ),
        ]
        indexes = [models.Index(fields=["due_on", "status"], name="installment_due_status")]
        ordering = ["loan", "number"]
        verbose_name = _("installment")
        verbose_name_plural = _("installments")

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.number}"

    @property
    def amount_due(self) -> Decimal:
        """What the member is asked to pay: the installment less its coupon."""
        return self.amount - self.deduction

    @property
    def amount_left(self) -> Decimal:
        return self.amount - self.deduction - self.paid_amount


class Payment(models.Model):
    """Money received for one installment. Its reference (the loan system's or the bank's) is unique, so recording
    or importing the same payment again finds it instead of paying twice."""

    # The link is checked by triggers rather than a foreign-key constraint (migration 0013): PostgreSQL checks a
    # constraint one new payment at a time when the transaction commits, a repayment file's 200,000 of them a second;
    # the trigger checks every payment a statement wrote with one join, and a delete of installments waits for the
    # payments being recorded and is refused while any is left on them. On SQLite a remade table loses its
    # triggers: a migration that remakes orders_payment or orders_installment there must create them again.
    installment = models.ForeignKey(
        Installment, on_delete=models.PROTECT, related_name="payments", verbose_name=_("installment"),
        db_constraint=False,
    )  # fmt: skip
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=64)
    source = models.CharField(_("source"), max_length=12, choices=PaymentSource.choices)
    # No index on these two: nothing looks payments up by them, and a repayment file inserts 200,000 payments at once.
    # An imported payment leaves ``recorded_by`` empty (the file names its uploader), and the file's own key has no
    # database constraint: either would be a foreign-key check per payment when the file's transaction commits, all
    # of the same row. Deleting a file with payments is still refused (PROTECT); the import writes the key itself.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"), db_index=False,
    )  # fmt: skip
    repayment_import = models.ForeignKey(
        "RepaymentImport", on_delete=models.PROTECT, null=True, blank=True, related_name="payments",
        verbose_name=_("repayment file"), db_index=False, db_constraint=False,
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # A constraint rather than unique=True: the same exact-match index without a second, LIKE-pattern one.
            models.UniqueConstraint(fields=["reference"], name="payment_reference_unique"),
        ]
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return self.reference


class RepaymentImport(models.Model):
    """One repayment file from the loan system, applied whole or not at all by a background job."""

    file = models.FileField(_("file"), storage=private_document_storage, upload_to="repayments/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=RepaymentImportStatus.choices, default=RepaymentImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    applied_count = models.PositiveIntegerField(_("payments recorded"), default=0)
    already_recorded_count = models.PositiveIntegerField(_("already recorded"), default=0)
    # [{"row": 12, "reason": "..."}], the first ones only; a rejected file applies nothing.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("repayment file")
        verbose_name_plural = _("repayment files")

    def __str__(self) -> str:
        return self.original_name


class ReferralActivation(models.Model):
    """A referred member's car was delivered: the moment the points app rewards both sides."""

    referrer = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    invitee = models.OneToOneField("members.Member", on_delete=models.PROTECT, related_name="referral_activation")
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="referral_activation")
    activated_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.invitee_id}"
