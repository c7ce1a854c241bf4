"""The membership card: join, renew, upgrade by tier, replace (the old number dies), withdraw (the points rule is
stated, then applied exactly as stated), every change logged; the member's card page and API; staff lookup."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from members import cards
from members.exceptions import CardAlreadyHeld, CardNotRenewable, NoActiveCard, NoHigherCardLevel
from members.models import CardChange, MembershipCard
from points import selectors as points_selectors
from points import services as points_services
from points.exceptions import WithdrawalStatementOutdated
from points.models import PointsEntry
from tests.helpers import assert_locks_rows_before_write, row_counts
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db


def _give_points(member, points, head_office):
    points_services.adjust_points(member_id=member.pk, points=points, reason="测试", actor=head_office)


@pytest.fixture
def head_office(db):
    return StaffFactory(role="head_office", is_superuser=True)


def test_joining_issues_a_card_at_the_tier_level_valid_for_a_year_and_logs_it():
    member = MemberFactory(tier="gold")
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC)):
        card = cards.issue_card(member_id=member.pk, note="member")
    assert (card.level, card.status, card.valid_until) == ("gold", "active", datetime.date(2027, 3, 10))
    assert len(card.number) == 12
    assert card.number.isdigit()
    assert list(CardChange.objects.values_list("card_id", "kind", "level_after")) == [(card.pk, "join", "gold")]


def test_joining_twice_is_refused_and_delivery_keeps_the_card_held():
    member = MemberFactory()
    card = cards.issue_card(member_id=member.pk)
    before = row_counts(MembershipCard, CardChange)
    with pytest.raises(CardAlreadyHeld):
        cards.issue_card(member_id=member.pk)
    assert cards.issue_card(member_id=member.pk, if_missing=True) == card
    assert row_counts(MembershipCard, CardChange) == before


def test_replacing_a_lost_card_kills_the_old_number_and_keeps_level_and_validity(staff_user):
    member = MemberFactory(tier="silver", preferred_store=staff_user.store)
    old = cards.issue_card(member_id=member.pk)
    new = cards.replace_card(member_id=member.pk, note="lost")
    old.refresh_from_db()
    assert (old.status, old.replaced_by_id) == ("replaced", new.pk)
    assert old.ended_at is not None
    assert new.number != old.number
    assert (new.status, new.level, new.valid_until) == ("active", "silver", old.valid_until)
    # The dead number finds nobody; the new one finds the member.
    from members.selectors import find_member_by_card_number

    assert find_member_by_card_number(user=staff_user, number=old.number) is None
    assert find_member_by_card_number(user=staff_user, number=new.number) == member
    assert set(CardChange.objects.values_list("card_id", "kind")) == {
        (old.pk, "join"), (old.pk, "replace"), (new.pk, "join"),
    }  # fmt: skip


def test_card_changes_lock_the_card_before_writing():
    member = MemberFactory()
    cards.issue_card(member_id=member.pk)
    with assert_locks_rows_before_write("members_membershipcard"):
        cards.replace_card(member_id=member.pk)


def test_renewal_only_in_the_last_month_and_adds_a_year_to_the_end_date():
    member = MemberFactory()
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)):
        card = cards.issue_card(member_id=member.pk)
        with pytest.raises(CardNotRenewable):
            cards.renew_card(member_id=member.pk)
    with time_machine.travel(datetime.datetime(2026, 12, 20, 9, tzinfo=datetime.UTC)):
        renewed = cards.renew_card(member_id=member.pk)
    assert renewed.pk == card.pk
    assert renewed.valid_until == datetime.date(2028, 1, 5)


def test_a_card_past_its_date_reads_as_expired_and_renews_from_today():
    member = MemberFactory()
    with time_machine.travel(datetime.datetime(2024, 1, 5, 9, tzinfo=datetime.UTC)):
        card = cards.issue_card(member_id=member.pk)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)):
        assert card.shown_status() == "expired"
        renewed = cards.renew_card(member_id=member.pk)
        assert renewed.shown_status() == "active"
    assert renewed.valid_until == datetime.date(2027, 6, 1)


def test_upgrade_follows_the_tier_and_never_goes_down():
    member = MemberFactory(tier="silver")
    cards.issue_card(member_id=member.pk)
    with pytest.raises(NoHigherCardLevel):
        cards.upgrade_card(member_id=member.pk)
    member.tier = "platinum"
    member.save(update_fields=["tier"])
    assert cards.upgrade_card(member_id=member.pk).level == "platinum"
    member.tier = "gold"
    member.save(update_fields=["tier"])
    with pytest.raises(NoHigherCardLevel):
        cards.upgrade_card(member_id=member.pk)
    assert MembershipCard.objects.get(member=member).level == "platinum"


def test_set_based_upgrade_raises_every_card_below_its_tier_once():
    silver, diamond, normal = MemberFactory(tier="silver"), MemberFactory(tier="diamond"), MemberFactory()
    for member in (silver, diamond, normal):
        cards.issue_card(member_id=member.pk)
    MembershipCard.objects.update(level="normal")
    assert cards.upgrade_cards_to_tiers() == 2
    assert cards.upgrade_cards_to_tiers() == 0
    levels = dict(MembershipCard.objects.values_list("member_id", "level"))
    assert levels == {silver.pk: "silver", diamond.pk: "diamond", normal.pk: "normal"}
    assert CardChange.objects.filter(kind="upgrade").count() == 2


def test_withdrawal_states_the_points_forfeited_then_applies_exactly_that(head_office):
    member = MemberFactory()
    card = cards.issue_card(member_id=member.pk)
    _give_points(member, 1200, head_office)
    stated = points_selectors.state_card_withdrawal(member_id=member.pk)
    assert stated == 1200

    withdrawn = points_services.withdraw_membership(member_id=member.pk, points_stated=stated, actor=member.user)

    assert (withdrawn.pk, withdrawn.status) == (card.pk, "withdrawn")
    assert points_selectors.get_balance(member_id=member.pk) == 0
    entry = PointsEntry.objects.get(idempotency_key=f"card-withdrawal:{card.pk}")
    assert (entry.kind, entry.points, entry.balance_after) == ("expire", -1200, 0)
    change = CardChange.objects.get(card=card, kind="withdraw")
    assert "1200" in change.note
    # Joining again later is a new card with a new number.
    assert cards.issue_card(member_id=member.pk).number != card.number


def test_withdrawal_with_an_outdated_statement_changes_nothing(head_office):
    member = MemberFactory()
    cards.issue_card(member_id=member.pk)
    _give_points(member, 500, head_office)
    stated = points_selectors.state_card_withdrawal(member_id=member.pk)
    _give_points(member, 100, head_office)
    before = row_counts(PointsEntry, CardChange)
    with pytest.raises(WithdrawalStatementOutdated):
        points_services.withdraw_membership(member_id=member.pk, points_stated=stated)
    assert row_counts(PointsEntry, CardChange) == before
    assert MembershipCard.objects.get(member=member).status == "active"
    assert points_selectors.get_balance(member_id=member.pk) == 600


def test_withdrawing_without_a_card_is_refused():
    member = MemberFactory()
    with pytest.raises(NoActiveCard):
        points_services.withdraw_membership(member_id=member.pk, points_stated=0)


# API and pages ---------------------------------------------------------------------------------------------------


def test_me_card_answers_the_card_and_me_carries_it(member, member_client):
    assert member_client.get("/api/v1/me/card/").status_code == 404
    assert member_client.get("/api/v1/me/").json()["card"] is None
    card = cards.issue_card(member_id=member.pk)
    answer = member_client.get("/api/v1/me/card/")
    assert answer.status_code == 200
    expected = {"number": card.number, "level": "normal", "status": "active", "valid_until": str(card.valid_until)}
    assert answer.json() == expected
    assert member_client.get("/api/v1/me/").json()["card"] == expected


def test_card_page_shows_number_and_a_server_drawn_qr_code(client, member):
    card = cards.issue_card(member_id=member.pk)
    client.force_login(member.user)
    page = client.get(reverse("points:card"))
    assert page.status_code == 200
    html = page.content.decode()
    assert card.number in html
    assert "<svg" in html


def test_member_replaces_a_lost_card_from_the_page(client, member):
    card = cards.issue_card(member_id=member.pk)
    client.force_login(member.user)
    response = client.post(reverse("points:card-action", args=["replace"]))
    assert response.status_code == 302
    current = MembershipCard.objects.get(member=member, status="active")
    assert current.number != card.number


def test_withdraw_page_states_the_points_before_confirming(client, member, head_office):
    cards.issue_card(member_id=member.pk)
    _give_points(member, 300, head_office)
    client.force_login(member.user)
    page = client.get(reverse("points:card-withdraw"))
    assert "300" in page.content.decode()
    assert MembershipCard.objects.get(member=member).status == "active"
    client.post(reverse("points:card-withdraw"), {"points_stated": "300", "confirm": "on"})
    assert MembershipCard.objects.get(member=member).status == "withdrawn"
    assert points_selectors.get_balance(member_id=member.pk) == 0


# Staff lookup -------------------------------------------------------------------------------------------------------


def test_staff_find_a_member_by_card_number_and_by_scanned_code(client, staff_user):
    member = MemberFactory(preferred_store=staff_user.store, name="王先生")
    card = cards.issue_card(member_id=member.pk)
    client.force_login(staff_user)
    scanned = client.get(reverse("customer360:card-lookup"), {"code": cards.card_qr_text(card)})
    assert scanned.status_code == 302
    assert scanned.url == reverse("customer360:member", args=[member.pk])
    typed = client.get(reverse("customer360:card-lookup"), {"code": card.number})
    assert typed.url == reverse("customer360:member", args=[member.pk])


def test_staff_member_search_api_finds_by_card_number(staff_user):
    from rest_framework.test import APIClient

    from members.services import issue_access_token

    member = MemberFactory(preferred_store=staff_user.store)
    card = cards.issue_card(member_id=member.pk)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=staff_user)}")
    results = api.get("/api/v1/backoffice/members/", {"q": card.number}).json()["results"]
    assert [row["id"] for row in results] == [member.pk]


def test_a_card_of_another_store_or_a_dead_number_finds_nobody(client, staff_user):
    other = MemberFactory(preferred_store=StoreFactory(code="OTHER"))
    other_card = cards.issue_card(member_id=other.pk)
    own = MemberFactory(preferred_store=staff_user.store)
    lost = cards.issue_card(member_id=own.pk)
    cards.replace_card(member_id=own.pk)
    client.force_login(staff_user)
    for code in (other_card.number, lost.number):
        page = client.get(reverse("customer360:card-lookup"), {"code": code})
        assert page.status_code == 200
        assert page.context["not_found"] is True


def test_the_first_delivery_issues_a_card(django_capture_on_commit_callbacks, cast):
    from orders.enums import OrderState

    with django_capture_on_commit_callbacks(execute=True):
        cast.advance(cast.new_order(), OrderState.DELIVERED)
    card = MembershipCard.objects.get(member=cast.member)
    assert card.status == "active"
    assert CardChange.objects.get(card=card).kind == "join"
