"""The orders panels of the member dashboard, and the member's stage that decides which panels show."""

from members.dashboard import Panel, Stage
from orders import selectors
from vehicles.selectors import list_member_vehicle_summaries


def member_stage(*, member) -> Stage:
    """Applying while an application is open; an owner once a car bought here is theirs; else getting started."""
    has_open_application, owns_a_car = selectors.member_road_facts(member_id=member.pk)
    if has_open_application:
        return Stage.APPLYING
    return Stage.OWNER if owns_a_car else Stage.GETTING_STARTED


def application_panel(*, request, member) -> Panel:
    latest = selectors.list_member_orders(user=request.user).first()
    # Submitting needs a verified identity: say so where the member starts, before they run into the refusal.
    needs_verification = not member.is_verified and (latest is None or latest.state == "draft" or latest.is_terminal)
    context = {"order": latest, "needs_verification": needs_verification}
    if latest is not None:
        context["state_label"] = selectors.member_state_label(order=latest)
        context["next_step"] = selectors.member_next_step(order=latest)
        context["progress"] = selectors.member_progress(order=latest)
    return Panel(template="orders/_dashboard_application.html", context=context)


def car_life_panel(*, request, member) -> Panel | None:
    """For owners: the car with its next service, and the next bill."""
    cars = list(list_member_vehicle_summaries(member_id=member.pk)[:3])
    if not cars:
        return None
    context = {"cars": cars, "next_installment": selectors.next_installment_of(member_id=member.pk)}
    return Panel(template="orders/_dashboard_cars.html", context=context)
