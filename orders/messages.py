"""What the member reads about their application: gentle words per state, the next thing to do, and the messages
sent when a step is taken. Never internal jargon."""

from django.utils.translation import gettext_lazy as _

from notifications.catalog import EventSpec, register_event
from notifications.models import Category
from orders.enums import OrderState as S

MEMBER_STATE_LABELS = {
    S.DRAFT: _("Application not yet submitted"),
    S.SUBMITTED: _("Application received"),
    S.COLLECTING_MATERIALS: _("The store is collecting your materials"),
    S.UNDER_REVIEW: _("Your materials are being reviewed, please wait patiently"),
    S.NEEDS_MATERIALS: _("A few more materials are needed"),
    S.APPROVED: _("Approved"),
    S.REJECTED: _("Not approved this time"),
    S.AWAITING_VEHICLE: _("Waiting for your car to arrive"),
    S.VEHICLE_CONFIRMED: _("Your car is confirmed"),
    S.CONTRACT_SCHEDULED: _("Signing appointment booked"),
    S.SIGNED: _("Contract signed"),
    S.DOWN_PAYMENT_PAID: _("Down payment received"),
    S.FUNDED: _("Loan approved and paid out"),
    S.READY_FOR_PICKUP: _("Your car is ready to pick up"),
    S.DELIVERED: _("Car handed over — enjoy the drive!"),
    S.TERMINATED: _("Application closed"),
    S.REPLACED: _("Replaced by your new application"),
}

# The steps still ahead on the timeline, as short names of what will happen.
MEMBER_STEP_NAMES = {
    S.SUBMITTED: _("Submit the application"),
    S.COLLECTING_MATERIALS: _("The store collects your materials"),
    S.UNDER_REVIEW: _("Review of your materials"),
    S.APPROVED: _("Approval"),
    S.VEHICLE_CONFIRMED: _("Your car is confirmed"),
    S.CONTRACT_SCHEDULED: _("Book a time to sign"),
    S.SIGNED: _("Sign the contract"),
    S.DOWN_PAYMENT_PAID: _("Pay the down payment"),
    S.FUNDED: _("Loan paid out"),
    S.READY_FOR_PICKUP: _("Your car is ready"),
    S.DELIVERED: _("Pick up your car"),
}

# A submitted application that no store has yet (no preferred store and none in the member's city).
UNASSIGNED_NEXT_STEP = _("We are choosing the store nearest to you; the call center will contact you soon.")

MEMBER_NEXT_STEP = {
    S.DRAFT: _("Check your choice and submit the application."),
    S.SUBMITTED: _("Upload your ID card, driving licence and proof of income; the store will contact you."),
    S.COLLECTING_MATERIALS: _("Upload any missing documents below; the store sends them to review once complete."),
    S.UNDER_REVIEW: _("Nothing to do for now. We will tell you as soon as the review is done."),
    S.NEEDS_MATERIALS: _("Upload the materials the reviewer asked for, then resubmit."),
    S.APPROVED: _("The store is checking stock for your car. If none is in stock you can wait or change model."),
    S.AWAITING_VEHICLE: _("We will tell you when your car arrives. You can also change model."),
    S.VEHICLE_CONFIRMED: _("The store will call you to book a time to sign the contract."),
    S.CONTRACT_SCHEDULED: _("Come to the store at the booked time with your ID card."),
    S.SIGNED: _("Pay the down payment as agreed in the contract."),
    S.DOWN_PAYMENT_PAID: _("The loan is being paid out. Nothing to do for now."),
    S.FUNDED: _("The store is preparing your car. We will tell you when it is ready."),
    S.READY_FOR_PICKUP: _("Come to the store to pick up your car with your ID card."),
    S.DELIVERED: _("Your repayment schedule and your car are in your account."),
}

# (subject, body) of the message to the member when the order enters a state; SMS only for steps that need action.
# Operators may override each text in the admin (notifications' message templates).
STEP_MESSAGES = {
    S.SUBMITTED: (
        _("Application received"),
        _("We have received your application {number}. The store will contact you soon."),
    ),
    S.UNDER_REVIEW: (_("Application in review"), _("Your materials for application {number} are being reviewed.")),
    S.NEEDS_MATERIALS: (
        _("More materials needed"),
        _("Application {number} needs more materials: {reason} Please upload them in the member center."),
    ),
    S.APPROVED: (
        _("Application approved"),
        _("Good news: application {number} is approved. The store will confirm your car."),
    ),
    S.REJECTED: (_("Application result"), _("We are sorry: application {number} was not approved. {reason}")),
    S.AWAITING_VEHICLE: (_("Waiting for your car"), _("We will tell you as soon as your car for {number} arrives.")),
    S.VEHICLE_CONFIRMED: (_("Car confirmed"), _("Your car for application {number} is confirmed.")),
    S.CONTRACT_SCHEDULED: (
        _("Signing booked"),
        _("Your contract signing for {number} is booked for {signing_at}. Please bring your ID card."),
    ),
    S.SIGNED: (_("Contract signed"), _("The contract for {number} is signed. Thank you!")),
    S.DOWN_PAYMENT_PAID: (_("Down payment received"), _("We have received the down payment for {number}.")),
    S.FUNDED: (
        _("Loan paid out"),
        _("The loan for {number} is paid out. Your repayment schedule is in your account."),
    ),
    S.READY_FOR_PICKUP: (
        _("Your car is ready"),
        _("Your car for application {number} is ready. Please come to the store with your ID card to pick it up."),
    ),
    S.DELIVERED: (_("Enjoy your new car"), _("Your car {plate} is handed over. Drive safely!")),
    S.TERMINATED: (_("Application closed"), _("Application {number} is closed. {reason}")),
    S.REPLACED: (_("New application opened"), _("Application {number} was replaced by your new choice of car.")),
}

SMS_STATES = {S.NEEDS_MATERIALS, S.APPROVED, S.CONTRACT_SCHEDULED, S.READY_FOR_PICKUP}

# The call center gave an application that waited unassigned to a store.
STORE_ASSIGNED_EVENT = "order.store_assigned"
# The store rejected a document the member uploaded.
DOCUMENT_REJECTED_EVENT = "order.document_rejected"
# The store expects the car a member waits for on a (new) date.
EXPECTED_ARRIVAL_EVENT = "order.expected_arrival"


def register_step_events() -> None:
    for state, (subject, body) in STEP_MESSAGES.items():
        register_event(
            EventSpec(
                code=f"order.{state}", category=Category.TRANSACTIONAL,
                placeholders=("number", "reason", "signing_at", "plate"),
                sample={"number": "MC20261123000001", "reason": "请补充近 6 个月的银行流水。",
                        "signing_at": "2026-11-28 10:00", "plate": "粤B·16888"},
                subject=lambda subject=subject: subject, body=lambda body=body: body,
            )
        )  # fmt: skip
    register_event(
        EventSpec(
            code=STORE_ASSIGNED_EVENT, category=Category.TRANSACTIONAL, placeholders=("number", "store", "store_phone"),
            sample={"number": "MC20261123000001", "store": "深圳福田店", "store_phone": "0755-88886666"},
            subject=lambda: _("A store is taking care of your application"),
            body=lambda: _(
                "Application {number} is now with {store} (tel. {store_phone}). The store will contact you soon."
            ),
        )
    )  # fmt: skip
    register_event(
        EventSpec(
            code=DOCUMENT_REJECTED_EVENT, category=Category.TRANSACTIONAL,
            placeholders=("number", "document", "reason"),
            sample={"number": "MC20261123000001", "document": "驾驶证", "reason": "照片模糊，请重新拍摄。"},
            subject=lambda: _("Please upload a document again"),
            body=lambda: _(
                "The {document} you uploaded for application {number} could not be accepted: {reason} "
                "Please upload it again in the member center."
            ),
        )
    )  # fmt: skip
    register_event(
        EventSpec(
            code=EXPECTED_ARRIVAL_EVENT, category=Category.TRANSACTIONAL, placeholders=("number", "date", "days"),
            sample={"number": "MC20261123000001", "date": "2026-12-15", "days": "14"},
            subject=lambda: _("When your car arrives"),
            body=lambda: _(
                "Your car for application {number} is expected at the store on {date}, in about {days} days. "
                "We will tell you as soon as it is there."
            ),
        )
    )  # fmt: skip
