"""System tags: rules over the data, recomputed nightly after the segments. Each rule is a SELECT of ``member_id``,
``code`` and ``name``; a tag row is created the first time a code appears (``city:深圳``, ``model:12``), a member gets
the tag while the rule selects them and loses it the night it no longer does. Staff tags are never touched.

Extension point: ``SYSTEM_TAG_RULES`` is the list read each night; an app below segments in crm adds a rule (e.g.
"complained this quarter" from complaints) by appending a ``SystemTagRule``.
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.segments.enums import Lifecycle, Loyalty, TagKind, TagSource
from crm.segments.models import TagGroup
from members.enums import Tier
from notifications.bulk import local_day_bounds

WANTED_TABLE = "segments_wanted_tags"
WANTED_IDS_TABLE = "segments_wanted_tag_ids"
HAD_IDS_TABLE = "segments_had_tag_ids"
SOON_DAYS = 30


@dataclasses.dataclass(frozen=True)
class SystemTagRule:
    group_code: str
    members_sql: Callable[[datetime.date], tuple[str, list]]


def _labelled(column: str, choices) -> tuple[str, list]:
    whens = " ".join(f"WHEN '{value}' THEN %s" for value in choices.values)
    return f"CASE {column} {whens} END", [str(label) for label in choices.labels]


def _segment_rule(column: str, choices) -> Callable[[datetime.date], tuple[str, list]]:
    def members_sql(as_of: datetime.date) -> tuple[str, list]:
        name_sql, params = _labelled(f"s.{column}", choices)
        return (
            f"SELECT s.member_id, '{column}:' || s.{column} AS code, {name_sql} AS name "  # noqa: S608
            f"FROM segments_membersegment s WHERE s.as_of = %s",
            [*params, as_of],
        )

    return members_sql


def _car_model(as_of: datetime.date) -> tuple[str, list]:
    return (
        """
        SELECT DISTINCT v.member_id, 'model:' || CAST(cm.id AS TEXT) AS code, b.name || ' ' || cm.name AS name
        FROM vehicles_ownedvehicle v JOIN vehicles_trim t ON t.id = v.trim_id
        JOIN vehicles_carmodel cm ON cm.id = t.car_model_id JOIN vehicles_brand b ON b.id = cm.brand_id
        """,
        [],
    )


def _city(as_of: datetime.date) -> tuple[str, list]:
    return (
        "SELECT m.id AS member_id, 'city:' || m.city AS code, m.city AS name FROM members_member m WHERE m.city <> ''",
        [],
    )


def _first_service_due(as_of: datetime.date) -> tuple[str, list]:
    # A car that has never been serviced, its first service due within the month (or already overdue).
    return (
        """
        SELECT DISTINCT v.member_id, 'first_service_due' AS code, %s AS name FROM vehicles_ownedvehicle v
        WHERE v.next_service_on <= %s
          AND NOT EXISTS (SELECT 1 FROM vehicles_servicerecord sr WHERE sr.vehicle_id = v.id)
        """,
        [str(_("First service due")), as_of + datetime.timedelta(days=SOON_DAYS)],
    )


def _insurance_due(as_of: datetime.date) -> tuple[str, list]:
    return (
        """
        SELECT DISTINCT v.member_id, 'insurance_due_30' AS code, %s AS name FROM vehicles_ownedvehicle v
        WHERE v.insurance_due_on >= %s AND v.insurance_due_on <= %s
        """,
        [str(_("Insurance due in 30 days")), as_of, as_of + datetime.timedelta(days=SOON_DAYS)],
    )


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _complained_this_quarter(as_of: datetime.date) -> tuple[str, list]:
    # Any complaint received in the calendar quarter (local dates) up to the end of the as-of day.
    start = local_day_bounds(quarter_start(as_of))[0]
    end = local_day_bounds(as_of)[1]
    return (
        """
        SELECT DISTINCT c.member_id, 'complained_this_quarter' AS code, %s AS name FROM complaints_complaint c
        WHERE c.received_at >= %s AND c.received_at < %s
        """,
        [str(_("Complained this quarter")), *(connection.ops.adapt_datetimefield_value(t) for t in (start, end))],
    )


SYSTEM_TAG_RULES: list[SystemTagRule] = [
    SystemTagRule("model", _car_model),
    SystemTagRule("city", _city),
    SystemTagRule("tier", _segment_rule("tier", Tier)),
    SystemTagRule("lifecycle", _segment_rule("lifecycle", Lifecycle)),
    SystemTagRule("loyalty", _segment_rule("loyalty", Loyalty)),
    SystemTagRule("care", _first_service_due),
    SystemTagRule("care", _insurance_due),
    SystemTagRule("care", _complained_this_quarter),
]


def _group_ids() -> dict[str, int]:
    return dict(TagGroup.objects.values_list("code", "pk"))


def recompute_system_tags(*, as_of: datetime.date) -> tuple[int, int]:
    """Bring every member's system tags in line with the rules; returns (added, removed). Runs inside the segment
    computation's transaction."""
    groups = _group_ids()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {WANTED_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {WANTED_IDS_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {HAD_IDS_TABLE}")
        selects, params = [], []
        for rule in SYSTEM_TAG_RULES:
            if rule.group_code not in groups:
                continue  # the group was deleted by head office: its rules are off
            sql, rule_params = rule.members_sql(as_of)
            group_id = groups[rule.group_code]
            selects.append(f"SELECT member_id, code, name, {group_id} AS group_id FROM ({sql}) AS r")  # noqa: S608
            params += rule_params
        union = " UNION ALL ".join(selects) or (
            "SELECT CAST(NULL AS BIGINT) AS member_id, '' AS code, '' AS name, CAST(NULL AS BIGINT) AS group_id"
        )
        cursor.execute(f"CREATE TEMPORARY TABLE {WANTED_TABLE} AS {union}", params)
        # New codes become tags (a city or a model seen for the first time).
        cursor.execute(
            f"""
            INSERT INTO segments_tag (code, name, group_id, kind, is_active, created_at)
            SELECT code, MAX(name), MAX(group_id), %s, %s, %s FROM {WANTED_TABLE}
            WHERE member_id IS NOT NULL GROUP BY code
            ON CONFLICT (code) DO NOTHING
            """,  # noqa: S608
            [TagKind.SYSTEM.value, True, now],
        )
        # Each wanted tag by id, once: the insert and the delete below then compare (member, tag) pairs only.
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE {WANTED_IDS_TABLE} AS
            SELECT w.member_id, t.id AS tag_id FROM {WANTED_TABLE} w
            JOIN segments_tag t ON t.code = w.code AND t.kind = %s AND t.is_active
            WHERE w.member_id IS NOT NULL
            """,  # noqa: S608
            [TagKind.SYSTEM.value],
        )
        if connection.vendor == "postgresql":
            # Statistics (temporary tables get none by themselves), so the two comparisons below hash.
            cursor.execute(f"ANALYZE {WANTED_IDS_TABLE}")
        else:
            cursor.execute(f"CREATE INDEX {WANTED_IDS_TABLE}_pair ON {WANTED_IDS_TABLE} (member_id, tag_id)")
        # Only the pairs the member does not have yet are written: an ordinary night inserts little. The pairs they
        # have are copied first: compared with the table being inserted into, the planner (which may think it
        # empty, on the first night) scans it once per wanted pair.
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE {HAD_IDS_TABLE} AS
            SELECT member_id, tag_id FROM segments_membertag WHERE source = %s
            """,  # noqa: S608
            [TagSource.SYSTEM.value],
        )
        cursor.execute(
            f"""
            INSERT INTO segments_membertag (member_id, tag_id, source, added_by_id, added_at)
            SELECT new.member_id, new.tag_id, %s, NULL, %s FROM (
                SELECT member_id, tag_id FROM {WANTED_IDS_TABLE} EXCEPT SELECT member_id, tag_id FROM {HAD_IDS_TABLE}
            ) AS new WHERE 1 = 1
            ON CONFLICT (member_id, tag_id) DO NOTHING
            """,  # noqa: S608
            [TagSource.SYSTEM.value, now],
        )
        added = max(cursor.rowcount, 0)
        cursor.execute(
            f"""
            DELETE FROM segments_membertag
            WHERE source = %s AND NOT EXISTS (
                SELECT 1 FROM {WANTED_IDS_TABLE} w
                WHERE w.tag_id = segments_membertag.tag_id AND w.member_id = segments_membertag.member_id
            )
            """,  # noqa: S608
            [TagSource.SYSTEM.value],
        )
        removed = max(cursor.rowcount, 0)
        cursor.execute(f"DROP TABLE {HAD_IDS_TABLE}")
        cursor.execute(f"DROP TABLE {WANTED_IDS_TABLE}")
        cursor.execute(f"DROP TABLE {WANTED_TABLE}")
    return added, removed
