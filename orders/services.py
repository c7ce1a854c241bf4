"""Every write of the orders app. Transitions are taken only here, each in one transaction with its audit event,
its side effects on stock, loans and owned cars, and the member's notification (sent after commit)."""

import datetime
import logging
import secrets

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from common.exceptions import DomainError
from common.tasks import enqueue
from domain_events.services import record_event
from members.enums import StaffRole
from members.models import Member
from notifications.catalog import language_of, render, resolve_text
from notifications.models import Channel
from notifications.services import queue_notification
from orders.credit import CreditProviderError, get_credit_provider
from orders.enums import (
    DROP_OUT_STATES,
    STAFF_ONLY_DOCUMENT_KINDS,
    TERMINAL_STATES,
    CreditCheckStatus,
    CreditDecision,
    DocumentKind,
    DocumentReview,
    DropOutReason,
    OrderState,
)
from orders.exceptions import (
    ActiveApplicationExists,
    CreditDeclinedNeedsHeadOffice,
    CreditOverrideExists,
    CreditOverrideNotNeeded,
    DocumentEmpty,
    DocumentKindForStaff,
    DocumentTooLarge,
    DocumentTypeNotAccepted,
    InvalidDocument,
    InvalidOrderChoice,
    InvalidStore,
    InvalidTransitionData,
    MissingDocuments,
    OrderNotFound,
    ReasonRequired,
    StoreAlreadyAssigned,
    StoreNotAssigned,
    TransitionForbidden,
    TransitionNotAllowed,
    UnknownReasonCode,
    UnknownTransition,
    VerificationRequired,
)
from orders.lock_objects import (
    applicant_qs_select_for_update,
    credit_check_qs_select_for_update,
    order_qs_select_for_update,
)
from orders.messages import (
    DOCUMENT_REJECTED_EVENT,
    EXPECTED_ARRIVAL_EVENT,
    SMS_STATES,
    STEP_MESSAGES,
    STORE_ASSIGNED_EVENT,
)
from orders.models import (
    CreditCheck,
    CreditOverride,
    Installment,
    Loan,
    Order,
    OrderDocument,
    OrderEvent,
    ReferralActivation,
)
from orders.state_machine import TRANSITION_ACTORS, has_delivery_photo, has_required_documents, has_store
from vehicles import services as vehicle_services
from vehicles.finance import LoanChoice, repayment_schedule
from vehicles.selectors import get_offered_plan, quote_choice

logger = logging.getLogger("member_center.orders")

ALLOWED_DOCUMENT_TYPES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF",),
}


def _new_order_number() -> str:
    return f"MC{timezone.localdate():%Y%m%d}{secrets.randbelow(10**6):06d}"


def _pick_store_id(*, member: Member) -> int | None:
    """The member's preferred store, else an active store in the member's city, else none: the application then
    waits unassigned for the call center."""
    from members.selectors import list_active_stores

    if member.preferred_store_id and member.preferred_store.is_active:
        return member.preferred_store_id
    if not member.city:
        return None
    return list_active_stores().filter(city=member.city).values_list("pk", flat=True).first()


@transaction.atomic
def create_order(
    *,
    member: Member,
    trim_id: int,
    plan_id: int,
    actor,
    store_id: int | None = None,
    choice: LoanChoice | None = None,
) -> Order:
    """A draft application for a trim and one of its offered plans, with the member's down payment and term (the
    plan's own when not chosen) and the quote for them frozen now. A member has one application at a time: another
    one still open is 409 naming it (a database index holds the rule too)."""
    plan = get_offered_plan(trim_id=trim_id, plan_id=plan_id)
    if plan is None:
        raise InvalidOrderChoice()
    # Checked before anything is locked: a choice outside the plan's range is the member's 400, whatever else.
    quote = quote_choice(plan=plan, **(choice or LoanChoice()).as_kwargs())
    applicant_qs_select_for_update().filter(pk=member.pk).values_list("pk", flat=True).get()
    active_order_id = (
        Order.objects.filter(member=member).exclude(state__in=TERMINAL_STATES).values_list("pk", flat=True).first()
    )
    if active_order_id is not None:
        raise ActiveApplicationExists(active_order_id=active_order_id)
    for _attempt in range(5):
        number = _new_order_number()
        if not Order.objects.filter(number=number).exists():
            break
    return Order.objects.create(
        number=number,
        member=member,
        trim=plan.trim,
        plan=plan,
        store_id=store_id,
        channel=member.channel,
        created_by=actor,
        price=quote.price,
        down_payment=quote.down_payment,
        monthly_payment=quote.monthly_payment,
        term_months=quote.term_months,
        total_interest=quote.total_interest,
        fees=quote.fees,
        annual_percentage_rate=quote.annual_percentage_rate,
    )


def apply_transition(
    *,
    order_id: int,
    name: str,
    actor,
    reason: str = "",
    reason_code: str = "",
    vin: str = "",
    signing_at: datetime.datetime | None = None,
    plate: str = "",
    trim_id: int | None = None,
    plan_id: int | None = None,
    choice: LoanChoice | None = None,
) -> Order:
    """Take the step ``name`` on the order for ``actor``: 404 unknown step, 409 not possible now, 403 not theirs.
    A model change takes the new trim, plan and loan ``choice``."""
    if name not in TRANSITION_ACTORS:
        raise UnknownTransition()
    reason = (reason or "").strip()
    if reason_code and reason_code not in DropOutReason.values:
        raise UnknownReasonCode()
    with transaction.atomic():
        # Lock first: of two people moving the same order, the second waits and then sees the new state.
        order = order_qs_select_for_update().select_related("member__user", "plan", "trim").get(pk=order_id)
        method = getattr(order, name)
        if not can_proceed(method, check_conditions=False):
            raise TransitionNotAllowed()
        transition_meta = method._django_fsm.get_transition(order.state)
        # django-fsm's has_transition_perm also folds in conditions; asking the transition for the permission alone
        # lets "not yours" (403) and "documents missing" (409) be told apart.
        if not transition_meta.has_perm(order, actor):
            raise TransitionForbidden()
        if name == "submit" and not order.member.is_verified:
            raise VerificationRequired()  # whoever submits: the member, or the call center on their behalf
        if name == "approve":
            _check_credit_allows_approval(order=order)
        if transition_meta.custom.get("needs_reason") and not reason:
            raise ReasonRequired()
        if not can_proceed(method):
            raise _unmet_condition(order=order, conditions=transition_meta.conditions)
        from_state = order.state
        kwargs = _prepare_transition(
            order=order, name=name, vin=vin, signing_at=signing_at, plate=plate, trim_id=trim_id, plan_id=plan_id,
            choice=choice,
        )  # fmt: skip
        method(**kwargs)
        order.save()
        _after_transition(
            order=order, name=name, from_state=from_state, actor=actor, trim_id=trim_id, plan_id=plan_id, choice=choice
        )
        OrderEvent.objects.create(
            order=order,
            transition=name,
            from_state=from_state,
            to_state=order.state,
            actor=actor,
            reason=reason,
            # A code only means something where the application drops out; elsewhere it is not kept.
            reason_code=reason_code if order.state in DROP_OUT_STATES else "",
        )
        _notify_member(order=order, reason=reason)
    logger.info("order moved", extra={"order_id": order.pk, "transition": name, "to_state": order.state})
    return order


def _latest_credit_check_select_for_update(*, order: Order) -> CreditCheck | None:
    # Locked, so a check completing now waits for this transaction instead of slipping past what it decides.
    return credit_check_qs_select_for_update().filter(order=order).order_by("-created_at", "-pk").first()


def _check_credit_allows_approval(*, order: Order) -> None:
    """A declined credit check blocks approval until head office has agreed for that check (four eyes)."""
    check = _latest_credit_check_select_for_update(order=order)
    if check is None or check.decision != CreditDecision.DECLINE:
        return
    if not CreditOverride.objects.filter(credit_check=check).exists():
        raise CreditDeclinedNeedsHeadOffice()


@transaction.atomic
def agree_to_approve_declined(*, order_id: int, actor, note: str) -> CreditOverride:
    """Head office records that a reviewer may approve this application although its credit check declined it."""
    note = (note or "").strip()
    order = order_qs_select_for_update().get(pk=order_id)
    if getattr(actor, "role", "") != StaffRole.HEAD_OFFICE:
        raise TransitionForbidden(_("Only head office can agree to approve an application the credit check declined."))
    if not note:
        raise ReasonRequired(_("Please say why head office agrees."), field="note")
    check = _latest_credit_check_select_for_update(order=order)
    if order.state != OrderState.UNDER_REVIEW or check is None or check.decision != CreditDecision.DECLINE:
        raise CreditOverrideNotNeeded()
    if CreditOverride.objects.filter(credit_check=check).exists():
        raise CreditOverrideExists()
    override = CreditOverride.objects.create(credit_check=check, order=order, agreed_by=actor, note=note)
    OrderEvent.objects.create(
        order=order, transition="agree_despite_credit_decline", from_state=order.state, to_state=order.state,
        actor=actor, reason=note,
    )  # fmt: skip
    logger.info("credit decline overridden", extra={"order_id": order.pk, "credit_check_id": check.pk})
    return override


def _unmet_condition(*, order: Order, conditions) -> DomainError:
    """The refusal that names what the step still needs."""
    for condition in conditions:
        if condition(order):
            continue
        if condition is has_store:
            return StoreNotAssigned()
        if condition is has_required_documents:
            labels = ", ".join(str(DocumentKind(kind).label) for kind in order.missing_documents())
            return MissingDocuments(_("Some required documents are missing: %(kinds)s.") % {"kinds": labels})
        if condition is has_delivery_photo:
            return MissingDocuments(_("Upload at least one delivery photo before handing over the car."))
    return TransitionNotAllowed()


def _prepare_transition(*, order, name, vin, signing_at, plate, trim_id, plan_id, choice) -> dict:
    """Work that must happen before the state changes and that the transition records (a reserved car, a time)."""
    if name == "submit":
        return {"store_id": order.store_id or _pick_store_id(member=order.member)}
    if name in {"confirm_vehicle", "vehicle_arrived"}:
        unit = vehicle_services.reserve_vehicle_unit(store_id=order.store_id, trim=order.trim, vin=vin)
        return {"vehicle_unit_id": unit.pk}
    if name == "schedule_signing":
        if signing_at is None or signing_at <= timezone.now():
            raise InvalidTransitionData(_("Please choose a signing time in the future."), field="signing_at")
        return {"signing_at": signing_at}
    if name == "hand_over":
        return {"plate": vehicle_services.normalize_plate(plate)}
    if name == "change_model":
        plan = None if trim_id is None or plan_id is None else get_offered_plan(trim_id=trim_id, plan_id=plan_id)
        if plan is None:
            raise InvalidOrderChoice(field="plan")
        quote_choice(plan=plan, **(choice or LoanChoice()).as_kwargs())  # out of the plan's range: 400 before the step
    return {}


def _after_transition(*, order, name, from_state, actor, trim_id, plan_id, choice) -> None:
    _record_step_events(order=order, name=name)
    if order.state == OrderState.UNDER_REVIEW:
        check = CreditCheck.objects.create(order=order)
        from orders.tasks import run_credit_check_task

        transaction.on_commit(lambda: enqueue(run_credit_check_task, credit_check_id=check.pk))
    elif order.state in (OrderState.TERMINATED, OrderState.REJECTED) and order.vehicle_unit_id:
        vehicle_services.release_vehicle_unit(unit_id=order.vehicle_unit_id)
    elif name == "change_model":
        new_order = create_order(
            member=order.member, trim_id=trim_id, plan_id=plan_id, actor=actor, store_id=order.store_id, choice=choice
        )
        new_order.replaces = order
        # The new application starts where a model change lands: submitted, at the same store.
        new_order.submit(store_id=order.store_id)
        new_order.save()
        OrderEvent.objects.create(
            order=new_order, transition="submit", from_state=OrderState.DRAFT, to_state=OrderState.SUBMITTED,
            actor=actor, reason=_("Model changed from application %(number)s") % {"number": order.number},
        )  # fmt: skip
        record_event(name="order.model_changed", payload={"order_id": new_order.pk, "replaces_id": order.pk})
        _notify_member(order=new_order, reason="")
    elif order.state == OrderState.FUNDED:
        _create_loan(order=order)
    elif order.state == OrderState.DELIVERED:
        _complete_handover(order=order)


def _record_step_events(*, order: Order, name: str) -> None:
    """Domain events of this step, in its transaction. Their subscribers (settings.DOMAIN_EVENT_SUBSCRIBERS: the
    points rules in orders.handlers) run after commit, once each; a broker outage only delays them."""
    if name == "submit":
        record_event(name="order.submitted", payload={"order_id": order.pk})
    elif order.state == OrderState.TERMINATED:
        record_event(name="order.terminated", payload={"order_id": order.pk})
    elif order.state == OrderState.DELIVERED:
        record_event(name="order.delivered", payload={"order_id": order.pk})


def _create_loan(*, order: Order) -> Loan:
    plan = order.plan
    principal = order.price - order.down_payment
    term_months = order.loan_term_months
    schedule = repayment_schedule(principal=principal, annual_rate=plan.annual_rate, term_months=term_months)
    now = timezone.now()
    first_due = timezone.localdate(now) + relativedelta(months=1)
    loan = Loan.objects.create(
        order=order,
        principal=principal,
        annual_rate=plan.annual_rate,
        term_months=term_months,
        monthly_payment=order.monthly_payment,
        total_interest=sum((item.interest for item in schedule), principal * 0),
        disbursed_at=now,
        debit_day=first_due.day,
    )
    Installment.objects.bulk_create(
        Installment(
            loan=loan,
            number=item.number,
            due_on=first_due + relativedelta(months=item.number - 1),
            principal=item.principal,
            interest=item.interest,
            amount=item.amount,
        )
        for item in schedule
    )
    return loan


def _complete_handover(*, order: Order) -> None:
    vehicle_services.hand_over_vehicle_unit(
        unit_id=order.vehicle_unit_id, member_id=order.member_id, plate=order.plate, delivered_on=timezone.localdate()
    )
    referrer_id = order.member.referred_by_id
    if referrer_id and not ReferralActivation.objects.filter(invitee_id=order.member_id).exists():
        ReferralActivation.objects.create(referrer_id=referrer_id, invitee_id=order.member_id, order=order)
    queue_delivery_documents_email(order_id=order.pk)


def _notify_member(*, order: Order, reason: str) -> None:
    if order.state not in STEP_MESSAGES:
        return
    signing_at = timezone.localtime(order.signing_at).strftime("%Y-%m-%d %H:%M") if order.signing_at else ""
    context = {"number": order.number, "reason": reason, "signing_at": signing_at, "plate": order.plate}
    event = f"order.{order.state}"
    step_key = f"order:{order.pk}:{order.state}:{OrderEvent.objects.filter(order=order).count()}"
    for channel in [Channel.INBOX, Channel.SMS] if order.state in SMS_STATES else [Channel.INBOX]:
        subject, body = resolve_text(event=event, channel=channel, language=language_of(order.member.user))
        queue_notification(
            recipient_id=order.member.user_id, event=event, subject=render(subject, context),
            body=render(body, context), dedupe_key=step_key, channels=[channel], link=f"/me/orders/{order.pk}/",
        )  # fmt: skip


def upload_document(*, order: Order, kind: str, uploaded_file, actor) -> OrderDocument:
    """Store an uploaded document after checking its kind, size and real content type (not just its name)."""
    if kind not in DocumentKind.values:
        raise InvalidDocument(_("Unknown document kind."), field="kind")
    if order.is_terminal:
        raise TransitionNotAllowed(_("This application is closed; documents can no longer be added."))
    if kind in STAFF_ONLY_DOCUMENT_KINDS and not actor.is_staff:
        raise DocumentKindForStaff()
    if uploaded_file.size == 0:
        raise DocumentEmpty()
    if uploaded_file.size > settings.DOCUMENT_MAX_BYTES:
        raise DocumentTooLarge()
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    content_type = next(
        (kind_ for kind_, magics in ALLOWED_DOCUMENT_TYPES.items() if any(head.startswith(magic) for magic in magics)),
        None,
    )
    if content_type is None:
        raise DocumentTypeNotAccepted()
    document = OrderDocument(
        order=order,
        kind=kind,
        original_name=(uploaded_file.name or "")[-200:],
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=actor,
    )
    document.file.save("upload", uploaded_file, save=False)
    document.save()
    return document


@transaction.atomic
def reassign_order_store(*, order_id: int, store_id: int, actor) -> Order:
    order = order_qs_select_for_update().get(pk=order_id)
    if not actor.has_perm("orders.reassign_order_store"):
        raise TransitionForbidden()
    if order.is_terminal or order.vehicle_unit_id:
        raise TransitionNotAllowed(_("Only applications without a reserved car can move to another store."))
    previous = order.store_id
    order.store_id = store_id
    order.save(update_fields=["store", "updated_at"])
    OrderEvent.objects.create(
        order=order, transition="reassign_store", from_state=order.state, to_state=order.state, actor=actor,
        reason=_("Moved from store %(old)s to store %(new)s") % {"old": previous, "new": store_id},
    )  # fmt: skip
    return order


@transaction.atomic
def assign_order_store(*, order_id: int, store_id: int, actor) -> Order:
    """The call center or head office gives a submitted application that waits unassigned to a store: from then on
    that store's staff see it and take it on. The member is told which store it is."""
    from members.selectors import list_active_stores

    order = order_qs_select_for_update().select_related("member__user").filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    if not actor.has_perm("orders.assign_order_store"):
        raise TransitionForbidden()
    if order.store_id is not None:
        raise StoreAlreadyAssigned()
    if order.state != OrderState.SUBMITTED:
        raise TransitionNotAllowed(_("Only a submitted application waits for a store."))
    store = list_active_stores().filter(pk=store_id).first()
    if store is None:
        raise InvalidStore()
    order.store = store
    order.save(update_fields=["store", "updated_at"])
    OrderEvent.objects.create(
        order=order, transition="assign_store", from_state=order.state, to_state=order.state, actor=actor,
        reason=_("Assigned to store %(store)s") % {"store": store},
    )  # fmt: skip
    language = language_of(order.member.user)
    subject, body = resolve_text(event=STORE_ASSIGNED_EVENT, channel=Channel.INBOX, language=language)
    context = {"number": order.number, "store": store.name, "store_phone": store.phone}
    queue_notification(
        recipient_id=order.member.user_id, event=STORE_ASSIGNED_EVENT, subject=render(subject, context),
        body=render(body, context), dedupe_key=f"order:{order.pk}:store_assigned", link=f"/me/orders/{order.pk}/",
    )  # fmt: skip
    logger.info("order store assigned", extra={"order_id": order.pk, "store_id": store.pk})
    return order


@transaction.atomic
def review_document(*, document_id: int, accept: bool, note: str, actor) -> OrderDocument:
    """The store (or a reviewer) accepts a document or rejects it with a reason. A rejected document no longer
    counts: its kind is missing again and the member is asked, in their language, to upload it again."""
    document = OrderDocument.objects.select_related("order").filter(pk=document_id).first()
    if document is None:
        raise OrderNotFound()
    order = order_qs_select_for_update().get(pk=document.order_id)
    may_review = actor.is_staff and (
        actor.role == StaffRole.REVIEWER or (actor.is_store_bound and actor.store_id == order.store_id)
    )
    if not may_review:
        raise TransitionForbidden()
    if order.is_terminal:
        raise TransitionNotAllowed(_("This application is closed; its documents are no longer checked."))
    note = note.strip()[:300]
    if not accept and not note:
        raise ReasonRequired()
    document.review_status = DocumentReview.ACCEPTED if accept else DocumentReview.REJECTED
    document.review_note = "" if accept else note
    document.reviewed_by = actor
    document.reviewed_at = timezone.now()
    document.save(update_fields=["review_status", "review_note", "reviewed_by", "reviewed_at"])
    if not accept:
        language = language_of(order.member.user)
        with translation.override(language):
            context = {"number": order.number, "document": str(DocumentKind(document.kind).label), "reason": note}
        subject, body = resolve_text(event=DOCUMENT_REJECTED_EVENT, channel=Channel.INBOX, language=language)
        queue_notification(
            recipient_id=order.member.user_id, event=DOCUMENT_REJECTED_EVENT, subject=render(subject, context),
            body=render(body, context), dedupe_key=f"order:{order.pk}:document_rejected:{document.pk}",
            link=f"/me/orders/{order.pk}/",
        )  # fmt: skip
    return document


@transaction.atomic
def record_expected_arrival(*, order_id: int, expected_arrival_on: datetime.date, actor) -> Order:
    """The store records when the car a member waits for should arrive. A new date is shown on the member's
    timeline and told to them (once per date); the same date again changes nothing."""
    order = order_qs_select_for_update().get(pk=order_id)
    if not actor.is_staff or not actor.is_store_bound or actor.store_id != order.store_id:
        raise TransitionForbidden()
    if order.state != OrderState.AWAITING_VEHICLE:
        raise TransitionNotAllowed(_("Only an application waiting for its car has an expected arrival date."))
    if expected_arrival_on < timezone.localdate():
        raise InvalidTransitionData(_("The expected arrival date cannot be in the past."), field="expected_arrival_on")
    if order.expected_arrival_on == expected_arrival_on:
        return order
    previous = order.expected_arrival_on
    order.expected_arrival_on = expected_arrival_on
    order.save(update_fields=["expected_arrival_on", "updated_at"])
    reason = (
        _("Expected arrival moved from %(old)s to %(new)s") % {"old": previous, "new": expected_arrival_on}
        if previous
        else _("Expected arrival: %(new)s") % {"new": expected_arrival_on}
    )
    OrderEvent.objects.create(
        order=order, transition="expected_arrival", from_state=order.state, to_state=order.state, actor=actor,
        reason=reason,
    )  # fmt: skip
    context = {
        "number": order.number,
        "date": expected_arrival_on.strftime("%Y-%m-%d"),
        "days": str((expected_arrival_on - timezone.localdate()).days),
    }
    for channel in (Channel.INBOX, Channel.SMS):
        subject, body = resolve_text(
            event=EXPECTED_ARRIVAL_EVENT, channel=channel, language=language_of(order.member.user)
        )
        queue_notification(
            recipient_id=order.member.user_id, event=EXPECTED_ARRIVAL_EVENT, subject=render(subject, context),
            body=render(body, context), dedupe_key=f"order:{order.pk}:expected_arrival:{expected_arrival_on}",
            channels=[channel], link=f"/me/orders/{order.pk}/",
        )  # fmt: skip
    return order


def run_credit_check(*, credit_check_id: int) -> CreditCheck:
    """Ask the provider; a provider error leaves the order in review and the check marked for retry."""
    check = CreditCheck.objects.select_related("order__member").get(pk=credit_check_id)
    if check.status == CreditCheckStatus.COMPLETED:
        return check
    qualification = getattr(check.order.member, "qualification", None)
    try:
        report = get_credit_provider().check(
            order_number=check.order.number,
            monthly_income_band=qualification.monthly_income_band if qualification else "",
            principal=check.order.price - check.order.down_payment,
        )
    except CreditProviderError as error:
        with transaction.atomic():
            check = credit_check_qs_select_for_update().get(pk=credit_check_id)
            check.status = CreditCheckStatus.ERROR
            check.attempts += 1
            check.last_error = str(error)[:2000]
            check.save(update_fields=["status", "attempts", "last_error"])
        raise
    with transaction.atomic():
        check = credit_check_qs_select_for_update().get(pk=credit_check_id)
        if check.status != CreditCheckStatus.COMPLETED:
            check.status = CreditCheckStatus.COMPLETED
            check.attempts += 1
            check.provider = report.provider
            check.score = report.score
            check.decision = report.decision
            check.summary = report.summary
            check.last_error = ""
            check.completed_at = timezone.now()
            check.save()
    return check


def queue_delivery_documents_email(*, order_id: int) -> bool:
    """Queue the e-mail with the delivery photos and the contract of a handed-over car through the outbox, in the
    caller's transaction; its dedupe key makes a second call (a redelivered task) queue nothing, and the outbox
    sends a row once. False when the member has no address."""
    order = Order.objects.select_related("member").get(pk=order_id)
    if not order.member.email:
        return False
    documents = order.documents.filter(kind__in=[DocumentKind.DELIVERY_PHOTO, DocumentKind.CONTRACT]).order_by("pk")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your car %(plate)s: delivery photos and documents") % {"plate": order.plate}
        body = _(
            "Congratulations on your new car! The photos and documents of the handover are attached.\n"
            "You can also find them in the member center under application %(number)s."
        ) % {"number": order.number}  # fmt: skip
    queue_notification(
        recipient_id=order.member.user_id, event="order.delivery_documents", subject=subject, body=body,
        dedupe_key=f"order:{order.pk}:delivery-documents", channels=(Channel.EMAIL,),
        attachments=[
            {
                "path": document.file.path,
                "filename": f"{document.kind}-{document.pk}.{document.file.name.rsplit('.', 1)[-1]}",
                "content_type": document.content_type,
            }
            for document in documents
        ],
    )  # fmt: skip
    return True


def requeue_pending_credit_checks(*, older_than_minutes: int = 10) -> int:
    """Credit checks still pending after a while (their task was never queued or was lost) are queued again."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    from orders.tasks import run_credit_check_task

    checks = CreditCheck.objects.filter(status__in=[CreditCheckStatus.PENDING], created_at__lt=cutoff)
    return sum(enqueue(run_credit_check_task, credit_check_id=pk) for pk in checks.values_list("pk", flat=True))
