"""Card changes at the same moment, on PostgreSQL with real connections: one card in use per member, always."""

import pytest

from members import cards
from members.models import MembershipCard
from tests.members.factories import MemberFactory
from tests.points.test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_racing_joins_issue_one_card():
    member = MemberFactory()
    outcomes = run_at_once([lambda: cards.issue_card(member_id=member.pk)] * 10)
    assert sorted(kind for kind, _value in outcomes) == ["ok"] + ["refused"] * 9
    assert {value for kind, value in outcomes if kind == "refused"} == {"card_already_held"}
    assert MembershipCard.objects.filter(member=member).count() == 1


def test_racing_replacements_leave_one_card_in_use_and_every_old_number_dead():
    member = MemberFactory()
    first = cards.issue_card(member_id=member.pk)
    outcomes = run_at_once([lambda: cards.replace_card(member_id=member.pk)] * 8)
    assert [kind for kind, _value in outcomes] == ["ok"] * 8
    assert MembershipCard.objects.filter(member=member, status="active").count() == 1
    assert MembershipCard.objects.filter(member=member, status="replaced").count() == 8
    assert MembershipCard.objects.get(pk=first.pk).status == "replaced"
