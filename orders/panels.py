"""The orders panels of the member dashboard."""

from members.dashboard import Panel
from orders import selectors
from vehicles.selectors import list_member_vehicle_summaries


def application_panel(*, request, member) -> Panel:
    latest = selectors.list_member_orders(user=request.user).first()
    # Submitting needs a verified identity: say so where the member starts, before they run into the refusal.
    context = {"order": latest, "needs_verification": not member.is_verified}
    if latest is not None:
        context["state_label"] = selectors.member_state_label(order=latest)
        context["next_step"] = selectors.member_next_step(order=latest)
    return Panel(template="orders/_dashboard_application.html", context=context)


def cars_panel(*, request, member) -> Panel | None:
    cars = list(list_member_vehicle_summaries(member_id=member.pk)[:3])
    return Panel(template="orders/_dashboard_cars.html", context={"cars": cars}) if cars else None
