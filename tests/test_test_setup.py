"""The test suite's own machinery (config/settings/test.py, tests/postgresql_backend): parallel workers keep apart,
and the flush between transactional tests empties the database without truncating it."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from config.settings.test import redis_url_for_worker
from members.models import Member, Store, User
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory


@pytest.mark.parametrize(
    ("worker", "expected"),
    [
        ("", "redis://127.0.0.1:6379/12"),
        ("gw0", "redis://127.0.0.1:6379/12"),
        ("gw1", "redis://127.0.0.1:6379/11"),
        ("gw3", "redis://127.0.0.1:6379/9"),
    ],
)
def test_each_parallel_worker_takes_its_own_redis_database(worker, expected):
    assert redis_url_for_worker("redis://127.0.0.1:6379/12", worker) == expected


def test_a_worker_without_a_redis_database_of_its_own_is_refused():
    with pytest.raises(ImproperlyConfigured, match="at least 3 for gw3"):
        redis_url_for_worker("redis://127.0.0.1:6379/2", "gw3")
    with pytest.raises(ImproperlyConfigured, match="at least 1 for gw1"):
        redis_url_for_worker("redis://127.0.0.1:6379", "gw1")


def table_file(model) -> int:
    """The table's file on disk: TRUNCATE gives it a new one, DELETE keeps it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s)", [model._meta.db_table])
        return cursor.fetchone()[0]


def rows_left() -> dict[str, int]:
    counts = {model._meta.label: model._base_manager.count() for model in apps.get_models() if model._meta.managed}
    return {label: count for label, count in counts.items() if count}


def flush() -> None:
    """What pytest-django does after every transactional test, without putting back the content types and
    permissions (post_migrate) so that an empty database can be seen."""
    call_command(
        "flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False, inhibit_post_migrate=True
    )


@pytest.mark.django_db(transaction=True)
def test_the_flush_deletes_every_row_without_truncating():
    store = StoreFactory()
    StaffFactory(role="store_staff", store=store)
    MemberFactory.create_batch(2)
    files = {model: table_file(model) for model in (User, Member, Store)}

    flush()

    assert rows_left() == {}
    assert {model: table_file(model) for model in files} == files


@pytest.mark.django_db(transaction=True)
def test_the_flush_truncates_when_a_delete_is_refused():
    MemberFactory()
    member_file = table_file(Member)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_delete() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'append only'; END $$ "
            "LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_delete BEFORE DELETE ON members_member FOR EACH ROW EXECUTE FUNCTION refuse_delete()"
        )
    try:
        flush()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_delete ON members_member")
            cursor.execute("DROP FUNCTION refuse_delete()")

    assert rows_left() == {}
    assert table_file(Member) != member_file
