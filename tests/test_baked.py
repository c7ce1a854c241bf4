"""Baked statements (common.baked): the rows equal the queryset's for every caller and value, a statement is never run
for a caller it was not baked for, and anything that cannot be baked safely runs as a plain queryset."""

import datetime

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from common import baked
from members.models import Member
from members.selectors import member_visible_to
from staff_tasks.models import Task
from staff_tasks.selectors import tasks_visible_to
from staff_tasks.services import open_task
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db

DUE = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    baked.forget_baked()
    yield
    baked.forget_baked()


def task_rows(*, user, member):
    return tasks_visible_to(user=user).filter(member=member).order_by("due_at", "pk").values("id", "title", "store_id")


def baked_key_count(name: str, kind) -> int:
    return sum(1 for key, value in baked._cache.items() if key[0] == name and isinstance(value, kind))


@pytest.fixture
def two_stores():
    store_a, store_b = StoreFactory(code="BKA"), StoreFactory(code="BKB")
    members = [MemberFactory(preferred_store=store_a) for _ in range(3)]
    for index, member in enumerate(members):
        for store in (store_a, store_b):
            open_task(kind="return_visit", title=f"{store.code}-{index}", due_at=DUE, store=store, member=member)
    return store_a, store_b, members


def test_rows_equal_the_querysets_for_every_member_once_baked(two_stores):
    _, _, members = two_stores
    agent = StaffFactory(role="call_center")
    for member in members:
        rows = baked.baked_rows("test.tasks", task_rows, user=agent, member=member)
        assert rows == list(task_rows(user=agent, member=member))
        assert len(rows) == 2
    assert baked_key_count("test.tasks", baked._Baked) == 1


def test_a_reused_statement_is_one_query_with_the_new_values(two_stores):
    store_a, _, members = two_stores
    clerk = StaffFactory(role="store_staff", store=store_a)
    baked.baked_rows("test.tasks", task_rows, user=clerk, member=members[0])
    with CaptureQueriesContext(connection) as queries:
        rows = baked.baked_rows("test.tasks", task_rows, user=clerk, member=members[1])
    assert len(queries.captured_queries) == 1
    assert [row["title"] for row in rows] == ["BKA-1"]


def test_a_statement_is_baked_per_caller_and_never_shows_another_stores_rows(two_stores):
    store_a, store_b, members = two_stores
    clerk_a = StaffFactory(role="store_staff", store=store_a)
    clerk_b = StaffFactory(role="store_staff", store=store_b)
    for member in members:
        assert {row["store_id"] for row in baked.baked_rows("test.tasks", task_rows, user=clerk_a, member=member)} == {
            store_a.pk
        }
        assert {row["store_id"] for row in baked.baked_rows("test.tasks", task_rows, user=clerk_b, member=member)} == {
            store_b.pk
        }
    assert baked_key_count("test.tasks", baked._Baked) == 2


def test_a_caller_moved_to_another_store_gets_a_new_statement(two_stores):
    store_a, store_b, members = two_stores
    clerk = StaffFactory(role="store_staff", store=store_a)
    assert baked.baked_rows("test.tasks", task_rows, user=clerk, member=members[0])[0]["store_id"] == store_a.pk
    clerk.store = store_b
    clerk.save()
    assert baked.baked_rows("test.tasks", task_rows, user=clerk, member=members[0])[0]["store_id"] == store_b.pk
    clerk.role = "member"
    clerk.is_staff = False
    clerk.save()
    assert baked.baked_rows("test.tasks", task_rows, user=clerk, member=members[0]) == []


def test_a_caller_who_may_see_nothing_runs_no_query(two_stores):
    _, _, members = two_stores
    nobody = StaffFactory(role="", is_staff=False)
    baked.baked_rows("test.tasks", task_rows, user=nobody, member=members[0])
    with CaptureQueriesContext(connection) as queries:
        assert baked.baked_rows("test.tasks", task_rows, user=nobody, member=members[1]) == []
    assert queries.captured_queries == []


def test_the_member_rule_decided_once_is_baked_for_that_caller(two_stores):
    """A member from member_visible_to carries the decision: the stand-in keeps it, so the statement is baked
    without the rule's subqueries and still finds each member's own rows."""
    store_a, _, members = two_stores
    clerk = StaffFactory(role="store_staff", store=store_a)

    def titles(*, user, member):
        return Task.objects.filter(member=member).order_by("title").values("title")

    for member in members:
        visible = member_visible_to(user=clerk, member_id=member.pk)
        rows = baked.baked_rows("test.decided", titles, user=clerk, member=visible)
        assert rows == list(titles(user=clerk, member=visible))
    assert baked_key_count("test.decided", baked._Baked) == 1


def test_lists_of_ids_are_baked_per_length(two_stores):
    _, _, members = two_stores
    agent = StaffFactory(role="call_center")

    def of_members(*, user, member_ids):
        return tasks_visible_to(user=user).filter(member__in=member_ids).order_by("pk").values("member_id")

    for ids in ([members[0].pk], [members[1].pk], [members[0].pk, members[2].pk], []):
        rows = baked.baked_rows("test.lists", of_members, user=agent, member_ids=ids)
        assert [row["member_id"] for row in rows] == [
            row["member_id"] for row in of_members(user=agent, member_ids=ids)
        ]
    assert baked_key_count("test.lists", baked._Baked) == 2  # one id, two ids; none runs nothing
    assert baked_key_count("test.lists", baked._Empty) == 1


@pytest.mark.parametrize(
    "build",
    [
        # A parameter derived from a value, not the value itself.
        lambda *, user, member: Task.objects.filter(title=Concat(Value("x"), Value(str(member.pk)))).values("id"),
        # A day read when the statement is built.
        lambda *, user, member: Task.objects.filter(member=member, due_at__gte=timezone.now()).values("id"),
        # More of the member than its key.
        lambda *, user, member: Task.objects.filter(contact_phone=str(member.user.phone)).values("id"),
    ],
    ids=["derived", "time", "more-than-the-key"],
)
def test_what_cannot_be_baked_runs_as_a_queryset_every_time(two_stores, build):
    _, _, members = two_stores
    agent = StaffFactory(role="call_center")
    for listed in members:
        member = Member.objects.select_related("user").get(pk=listed.pk)
        assert baked.baked_rows("test.unsafe", build, user=agent, member=member) == list(
            build(user=agent, member=member)
        )
    assert baked_key_count("test.unsafe", baked._Baked) == 0


def test_model_rows_come_with_their_related_objects(two_stores):
    store_a, _, members = two_stores
    clerk = StaffFactory(role="store_staff", store=store_a)

    def tasks(*, user, member):
        return tasks_visible_to(user=user).filter(member=member).select_related("store").only("title", "store__code")

    for member in members:
        rows = baked.baked_rows("test.objects", tasks, user=clerk, member=member)
        assert [(task.pk, task.title, task.store.code) for task in rows] == [
            (task.pk, task.title, task.store.code) for task in tasks(user=clerk, member=member)
        ]
    assert baked_key_count("test.objects", baked._Baked) == 1
    with CaptureQueriesContext(connection) as queries:
        assert rows[0].store.code == "BKA"
    assert queries.captured_queries == []


@pytest.mark.parametrize(
    "build",
    [
        lambda *, user, member: Task.objects.filter(member=member).prefetch_related("store"),
        lambda *, user, member: Task.objects.filter(member=member).values_list("id", flat=True),
    ],
    ids=["prefetch", "values-list"],
)
def test_what_the_rows_cannot_hold_is_refused(two_stores, build):
    _, _, members = two_stores
    agent = StaffFactory(role="call_center")
    with pytest.raises(baked._NotBakeable):
        baked.baked_rows("test.refused", build, user=agent, member=members[0])


@override_settings(BAKED_STATEMENTS_VERIFY=True)
def test_verification_catches_a_statement_that_no_longer_matches_its_queryset(two_stores):
    _, _, members = two_stores
    agent = StaffFactory(role="call_center")
    baked._verify.cache_clear()
    try:
        baked.baked_rows("test.tasks", task_rows, user=agent, member=members[0])
        key = next(key for key in baked._cache if key[0] == "test.tasks")
        statement = baked._cache[key]
        baked._cache[key] = baked._Baked(
            compiler=statement.compiler, sql=statement.sql.replace("ORDER BY", "AND 1 = 1 ORDER BY"),
            params=statement.params, models=statement.models,
        )  # fmt: skip
        with pytest.raises(AssertionError, match="test.tasks"):
            baked.baked_rows("test.tasks", task_rows, user=agent, member=members[1])
    finally:
        baked._verify.cache_clear()


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**20, -(2**40)])
def test_an_id_out_of_range_finds_nothing_and_spoils_no_statement(two_stores, huge):
    """Django leaves a lookup out of its column's range unrun: such an id is never baked, and what was baked before
    or after it still finds every member's rows."""
    _, _, members = two_stores
    agent = StaffFactory(role="call_center")

    def titles(*, user, member_id):
        return tasks_visible_to(user=user).filter(member_id=member_id).order_by("title").values("title")

    assert baked.baked_rows("test.range", titles, user=agent, member_id=huge) == []
    assert baked._cache == {}
    for member in members:
        assert baked.baked_rows("test.range", titles, user=agent, member_id=member.pk) == list(
            titles(user=agent, member_id=member.pk)
        )
        assert baked.baked_rows("test.range", titles, user=agent, member_id=huge) == []
    assert baked_key_count("test.range", baked._Baked) == 1
