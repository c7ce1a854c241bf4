import pytest

from members.services import ensure_role_groups
from points.enums import EarnEvent
from points.models import EarnRule
from points.services import adjust_points
from tests.members.factories import MemberFactory, StaffFactory


@pytest.fixture
def points_admin(db):
    groups = ensure_role_groups()
    staff = StaffFactory(username="hq-points", role="head_office")
    staff.groups.set([groups["head_office"]])
    return staff


@pytest.fixture
def give_points(points_admin):
    """Put points on a member the way staff would, through the adjustment service."""

    def give(member, points, reason="测试积分"):
        return adjust_points(member_id=member.pk, points=points, reason=reason, actor=points_admin)

    return give


@pytest.fixture
def rich_member(db, give_points):
    member = MemberFactory()
    give_points(member, 5000)
    return member


@pytest.fixture
def registration_rule(db):
    return EarnRule.objects.get(event=EarnEvent.REGISTRATION)


@pytest.fixture(params=["database functions", "orm"])
def ledger_code(request, settings):
    """Run a test against both implementations of earning and redeeming: the PostgreSQL functions of
    points/sql/ledger_functions.sql (used on PostgreSQL) and the ORM code (used on SQLite, and the reference)."""
    settings.POINTS_LEDGER_FUNCTIONS = request.param == "database functions"
    return request.param
