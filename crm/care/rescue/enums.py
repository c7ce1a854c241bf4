from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RescueKind(models.TextChoices):
    TOW = "tow", _("Tow")
    FUEL = "fuel", _("Fuel delivery")
    JUMP_START = "jump_start", _("Jump start")
    FLAT_TYRE = "flat_tyre", _("Flat tyre")
    OTHER = "other", pgettext_lazy("rescue kind", "Other help")


class RescueStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    DISPATCHED = "dispatched", _("Help dispatched")
    ON_THE_WAY = "on_the_way", _("On the way")
    ARRIVED = "arrived", _("Arrived")
    DONE = "done", pgettext_lazy("rescue status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("rescue status", "Cancelled")


OPEN_STATUSES = (RescueStatus.REQUESTED, RescueStatus.DISPATCHED, RescueStatus.ON_THE_WAY, RescueStatus.ARRIVED)
# Help is not yet with the member: the request may still be cancelled.
CANCELLABLE_STATUSES = (RescueStatus.REQUESTED, RescueStatus.DISPATCHED, RescueStatus.ON_THE_WAY)


class RescueChannel(models.TextChoices):
    MEMBER = "member", _("Member center")
    CALL_CENTER = "call_center", _("Call center")


# The steps staff take: name → (the statuses it starts from, the status it leads to, its label).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "dispatch": ((RescueStatus.REQUESTED,), RescueStatus.DISPATCHED),
    "depart": ((RescueStatus.DISPATCHED,), RescueStatus.ON_THE_WAY),
    "arrive": ((RescueStatus.DISPATCHED, RescueStatus.ON_THE_WAY), RescueStatus.ARRIVED),
    "complete": ((RescueStatus.ARRIVED,), RescueStatus.DONE),
    "cancel": (CANCELLABLE_STATUSES, RescueStatus.CANCELLED),
}
TRANSITION_LABELS = {
    "dispatch": _("Dispatch help"),
    "depart": _("Help is on the way"),
    "arrive": _("Help has arrived"),
    "complete": _("Rescue done"),
    "cancel": _("Cancel the rescue"),
}
# The model field that times each status.
STATUS_TIME_FIELDS = {
    RescueStatus.REQUESTED: "requested_at",
    RescueStatus.DISPATCHED: "dispatched_at",
    RescueStatus.ON_THE_WAY: "on_the_way_at",
    RescueStatus.ARRIVED: "arrived_at",
    RescueStatus.DONE: "done_at",
    RescueStatus.CANCELLED: "cancelled_at",
}
