"""Owner events: capacity, the waiting list moving up on a cancellation, check-in with attendance points, the
member API, staff scoping, invitations through the campaign engine."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Campaign
from crm.owner_events import services
from crm.owner_events.exceptions import (
    CheckInNotPossible,
    EmptyInvitationSegment,
    EventClosed,
    EventNotFound,
    NotRegistered,
)
from crm.owner_events.models import EventRegistration, OwnerEvent
from notifications.models import Notification
from points.models import PointsEntry
from points.selectors import get_balance
from tests.helpers import row_counts
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db


def make_event(store, *, capacity=2, days_ahead=7, **fields) -> OwnerEvent:
    starts_at = timezone.now() + datetime.timedelta(days=days_ahead)
    return OwnerEvent.objects.create(
        title=fields.pop("title", "车友会·秋季自驾"), kind=fields.pop("kind", "car_club"), store=store,
        place="南山店", starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=3), capacity=capacity,
        **fields,
    )  # fmt: skip


def test_places_first_then_the_waiting_list_in_order(store):
    event = make_event(store, capacity=2)
    members = [MemberFactory() for _ in range(4)]
    statuses = [services.register_for_event(member_id=m.pk, event_id=event.pk).status for m in members]
    assert statuses == ["registered", "registered", "waitlisted", "waitlisted"]


def test_registering_again_answers_the_same_registration(store, member):
    event = make_event(store)
    first = services.register_for_event(member_id=member.pk, event_id=event.pk)
    assert services.register_for_event(member_id=member.pk, event_id=event.pk) == first
    assert EventRegistration.objects.count() == 1


def test_a_cancellation_moves_the_first_on_the_waiting_list_up_and_tells_them(store):
    event = make_event(store, capacity=1)
    holder, first_waiting, second_waiting = MemberFactory(), MemberFactory(), MemberFactory()
    for member in (holder, first_waiting, second_waiting):
        services.register_for_event(member_id=member.pk, event_id=event.pk)

    services.cancel_registration(member_id=holder.pk, event_id=event.pk)

    status = dict(EventRegistration.objects.values_list("member_id", "status"))
    assert status == {holder.pk: "cancelled", first_waiting.pk: "registered", second_waiting.pk: "waitlisted"}
    promoted = EventRegistration.objects.get(member=first_waiting)
    assert promoted.promoted_at is not None
    [message] = Notification.objects.filter(event="owner_event.place_freed")
    assert message.recipient_id == first_waiting.user_id


def test_cancelling_a_waiting_place_moves_nobody(store):
    event = make_event(store, capacity=1)
    holder, waiting = MemberFactory(), MemberFactory()
    services.register_for_event(member_id=holder.pk, event_id=event.pk)
    services.register_for_event(member_id=waiting.pk, event_id=event.pk)
    services.cancel_registration(member_id=waiting.pk, event_id=event.pk)
    assert EventRegistration.objects.get(member=holder).status == "registered"
    assert not Notification.objects.filter(event="owner_event.place_freed").exists()


def test_cancelling_without_registration_or_after_the_start_is_refused(store, member):
    event = make_event(store)
    with pytest.raises(NotRegistered):
        services.cancel_registration(member_id=member.pk, event_id=event.pk)
    past = make_event(store, days_ahead=-1)
    with pytest.raises(EventClosed):
        services.register_for_event(member_id=member.pk, event_id=past.pk)
    assert EventRegistration.objects.count() == 0


def test_check_in_earns_the_attendance_points_once(store, staff_user, member):
    event = make_event(store)
    registration = services.register_for_event(member_id=member.pk, event_id=event.pk)
    services.check_in(registration_id=registration.pk, staff=staff_user)
    services.check_in(registration_id=registration.pk, staff=staff_user)
    registration.refresh_from_db()
    assert (registration.status, registration.checked_in_by) == ("attended", staff_user)
    assert get_balance(member_id=member.pk) == 100
    assert PointsEntry.objects.filter(idempotency_key=f"event-attendance:{registration.pk}").count() == 1


def test_a_waiting_registration_cannot_be_checked_in(store, staff_user):
    event = make_event(store, capacity=1)
    services.register_for_event(member_id=MemberFactory().pk, event_id=event.pk)
    waiting = services.register_for_event(member_id=MemberFactory().pk, event_id=event.pk)
    with pytest.raises(CheckInNotPossible):
        services.check_in(registration_id=waiting.pk, staff=staff_user)


def test_staff_of_another_store_can_neither_check_in_nor_see_the_event(store, client, member):
    event = make_event(store)
    registration = services.register_for_event(member_id=member.pk, event_id=event.pk)
    stranger = StaffFactory(role="store_staff", store=StoreFactory(code="FAR"))
    with pytest.raises(EventNotFound):
        services.check_in(registration_id=registration.pk, staff=stranger)
    client.force_login(stranger)
    assert client.get(reverse("owner-events:event", args=[event.pk])).status_code == 404
    assert list(client.get(reverse("owner-events:list")).context["events"]) == []
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_back_office_check_in_from_the_event_page(store, staff_user, member, client):
    event = make_event(store)
    registration = services.register_for_event(member_id=member.pk, event_id=event.pk)
    client.force_login(staff_user)
    page = client.get(reverse("owner-events:event", args=[event.pk]))
    assert page.status_code == 200
    client.post(reverse("owner-events:check-in", args=[event.pk, registration.pk]))
    registration.refresh_from_db()
    assert registration.status == "attended"


# API --------------------------------------------------------------------------------------------------------------


def test_member_lists_events_registers_and_lands_on_the_waiting_list_when_full(store, member, member_client):
    event = make_event(store, capacity=1)
    services.register_for_event(member_id=MemberFactory().pk, event_id=event.pk)
    make_event(store, days_ahead=-2, title="已结束")

    listed = member_client.get("/api/v1/events/").json()
    assert [(row["id"], row["places_left"], row["my_status"]) for row in listed["results"]] == [(event.pk, 0, None)]

    answer = member_client.post(f"/api/v1/events/{event.pk}/registrations/")
    assert answer.status_code == 201
    assert (answer.json()["status"], answer.json()["waiting_position"]) == ("waitlisted", 1)
    assert member_client.post(f"/api/v1/events/{event.pk}/registrations/").status_code == 200
    assert member_client.get("/api/v1/events/").json()["results"][0]["my_status"] == "waitlisted"

    assert member_client.delete(f"/api/v1/events/{event.pk}/registrations/").status_code == 204
    again = member_client.delete(f"/api/v1/events/{event.pk}/registrations/")
    assert (again.status_code, again.json()["code"]) == (409, "not_registered")


def test_an_unknown_or_unpublished_event_is_404(store, member_client):
    hidden = make_event(store, is_published=False)
    assert member_client.post(f"/api/v1/events/{hidden.pk}/registrations/").status_code == 404
    assert member_client.post("/api/v1/events/999999/registrations/").status_code == 404


# Invitations ------------------------------------------------------------------------------------------------------


def test_store_staff_invite_their_own_stores_members_only(store, staff_user):
    event = make_event(store)
    own = MemberFactory(preferred_store=store, city="深圳")
    MemberFactory(preferred_store=StoreFactory(code="OTHER"), city="深圳")

    campaign = services.invite_to_event(event_id=event.pk, staff=staff_user, city="深圳")

    assert (campaign.store_id, campaign.city, campaign.state) == (store.pk, "深圳", "scheduled")
    recipients = set(Notification.objects.filter(event=campaign.event).values_list("recipient_id", flat=True))
    assert recipients == {own.user_id}
    assert event.title in Notification.objects.filter(event=campaign.event).first().body


def test_an_invitation_reaches_a_segment_by_tier_and_by_tag(store, staff_user, client):
    from crm.segments.models import Tag
    from crm.segments.services import add_staff_tag

    event = make_event(store)
    gold = MemberFactory(preferred_store=store, tier="gold")
    MemberFactory(preferred_store=store, tier="normal")
    tagged = MemberFactory(preferred_store=store, tier="normal")
    add_staff_tag(actor=staff_user, member_id=tagged.pk, tag_code="prefers_ev")

    by_tier = services.invite_to_event(event_id=event.pk, staff=staff_user, tier="gold")
    assert set(Notification.objects.filter(event=by_tier.event).values_list("recipient_id", flat=True)) == {
        gold.user_id
    }

    client.force_login(staff_user)
    tag_id = Tag.objects.get(code="prefers_ev").pk
    response = client.post(reverse("owner-events:invite", args=[event.pk]), {"tag": tag_id})
    assert response.status_code == 302
    by_tag = Campaign.objects.get(tag_id=tag_id)
    assert set(Notification.objects.filter(event=by_tag.event).values_list("recipient_id", flat=True)) == {
        tagged.user_id
    }


def test_an_invitation_nobody_matches_is_refused(store, staff_user):
    event = make_event(store)
    before = row_counts(Notification)
    with pytest.raises(EmptyInvitationSegment):
        services.invite_to_event(event_id=event.pk, staff=staff_user, city="拉萨")
    assert row_counts(Notification) == before
    assert not Campaign.objects.filter(city="拉萨").exists()


def test_registration_changes_lock_the_event_and_the_registrations_before_writing(store):
    from tests.helpers import assert_locks_rows_before_write

    event = make_event(store, capacity=1)
    holder, waiting = MemberFactory(), MemberFactory()
    services.register_for_event(member_id=holder.pk, event_id=event.pk)
    services.register_for_event(member_id=waiting.pk, event_id=event.pk)
    with assert_locks_rows_before_write("owner_events_eventregistration") as captured:
        services.cancel_registration(member_id=holder.pk, event_id=event.pk)
    first_read = next(query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT"))
    assert "FOR UPDATE" in first_read
    assert '"owner_events_ownerevent"' in first_read.split("FROM", 1)[1].split("WHERE", 1)[0]


def test_member_page_registers_and_cancels(store, member, client):
    event = make_event(store, capacity=1)
    client.force_login(member.user)
    page = client.get(reverse("owner-events-member:list"))
    assert event.title in page.content.decode()
    client.post(reverse("owner-events-member:register", args=[event.pk]))
    assert EventRegistration.objects.get(member=member).status == "registered"
    client.post(reverse("owner-events-member:cancel", args=[event.pk]))
    assert EventRegistration.objects.get(member=member).status == "cancelled"
