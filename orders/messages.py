"""What the member reads about their application: gentle words per state, the next thing to do, and the messages
sent when a step is taken. Never internal jargon."""

from django.utils.translation import gettext_lazy as _

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
STEP_MESSAGES = {
    S.SUBMITTED: (
        _("Application received"),
        _("We have received your application %(number)s. The store will contact you soon."),
    ),
    S.UNDER_REVIEW: (_("Application in review"), _("Your materials for application %(number)s are being reviewed.")),
    S.NEEDS_MATERIALS: (
        _("More materials needed"),
        _("Application %(number)s needs more materials: %(reason)s Please upload them in the member center."),
    ),
    S.APPROVED: (
        _("Application approved"),
        _("Good news: application %(number)s is approved. The store will confirm your car."),
    ),
    S.REJECTED: (_("Application result"), _("We are sorry: application %(number)s was not approved. %(reason)s")),
    S.AWAITING_VEHICLE: (_("Waiting for your car"), _("We will tell you as soon as your car for %(number)s arrives.")),
    S.VEHICLE_CONFIRMED: (_("Car confirmed"), _("Your car for application %(number)s is confirmed.")),
    S.CONTRACT_SCHEDULED: (
        _("Signing booked"),
        _("Your contract signing for %(number)s is booked for %(signing_at)s. Please bring your ID card."),
    ),
    S.SIGNED: (_("Contract signed"), _("The contract for %(number)s is signed. Thank you!")),
    S.DOWN_PAYMENT_PAID: (_("Down payment received"), _("We have received the down payment for %(number)s.")),
    S.FUNDED: (
        _("Loan paid out"),
        _("The loan for %(number)s is paid out. Your repayment schedule is in your account."),
    ),
    S.READY_FOR_PICKUP: (
        _("Your car is ready"),
        _("Your car for application %(number)s is ready. Please come to the store with your ID card to pick it up."),
    ),
    S.DELIVERED: (_("Enjoy your new car"), _("Your car %(plate)s is handed over. Drive safely!")),
    S.TERMINATED: (_("Application closed"), _("Application %(number)s is closed. %(reason)s")),
    S.REPLACED: (_("New application opened"), _("Application %(number)s was replaced by your new choice of car.")),
}

SMS_STATES = {S.NEEDS_MATERIALS, S.APPROVED, S.CONTRACT_SCHEDULED, S.READY_FOR_PICKUP}
