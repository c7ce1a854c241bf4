"""The churn-risk reasons: each is a query for the members it applies to, and a weight (head office may change the
weight in the segment rules). A member's score is the sum of the weights of their reasons, at most 100.

Extension point: ``CHURN_RISK_REASONS`` is the list the nightly computation reads. An app below segments in crm
(complaints, surveys) adds its reasons by appending a ``ChurnRiskReason`` whose ``members_sql`` returns a SELECT of
``member_id`` — for example "an open or poorly rated complaint" or "a detractor answer in the last 90 days":

    CHURN_RISK_REASONS.append(ChurnRiskReason(
        code="open_complaint", label=_("Open or poorly rated complaint"), default_weight=25,
        members_sql=lambda context: ("SELECT c.member_id FROM care_complaint c WHERE c.state <> 'closed'", []),
    ))

Each query runs once per computation (joined set-based, never per member); it may return a member more than once.
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclasses.dataclass(frozen=True)
class ReasonContext:
    """What a reason query may compare with: the as-of date and the head office's thresholds."""

    as_of: datetime.date
    no_service_before: datetime.date
    no_sign_in_before: datetime.datetime


@dataclasses.dataclass(frozen=True)
class ChurnRiskReason:
    code: str
    label: str | Promise
    default_weight: int
    members_sql: Callable[[ReasonContext], tuple[str, list]]


def _datetime_param(value: datetime.datetime):
    # A timestamp compared in raw SQL: SQLite stores UTC text, PostgreSQL an aware timestamp.
    return connection.ops.adapt_datetimefield_value(value)


def _no_service_visit(context: ReasonContext) -> tuple[str, list]:
    # Owners whose latest visit (or, with none yet, the handover) is older than the threshold.
    return (
        """
        SELECT v.member_id FROM vehicles_ownedvehicle v
        LEFT JOIN vehicles_servicerecord sr ON sr.vehicle_id = v.id AND sr.serviced_on <= %s
        WHERE v.delivered_on <= %s
        GROUP BY v.member_id
        HAVING MAX(sr.serviced_on) IS NULL OR MAX(sr.serviced_on) < %s
        """,
        [context.as_of, context.no_service_before, context.no_service_before],
    )


def _overdue_installments(context: ReasonContext) -> tuple[str, list]:
    return (
        """
        SELECT o.member_id FROM orders_installment i
        JOIN orders_loan l ON l.id = i.loan_id JOIN orders_order o ON o.id = l.order_id
        WHERE i.status <> 'paid' AND i.due_on < %s
        """,
        [context.as_of],
    )


def _opted_out(context: ReasonContext) -> tuple[str, list]:
    return (
        """
        SELECT m.id AS member_id FROM members_member m
        JOIN notifications_preference p ON p.user_id = m.user_id
        WHERE p.category = 'marketing' AND NOT p.is_enabled
        """,
        [],
    )


def _no_sign_in(context: ReasonContext) -> tuple[str, list]:
    return (
        """
        SELECT m.id AS member_id FROM members_member m JOIN members_user u ON u.id = m.user_id
        WHERE u.last_login IS NULL OR u.last_login < %s
        """,
        [_datetime_param(context.no_sign_in_before)],
    )


CHURN_RISK_REASONS: list[ChurnRiskReason] = [
    ChurnRiskReason("no_service_visit", _("No service visit for months"), 30, _no_service_visit),
    ChurnRiskReason("overdue_installments", _("Overdue installments"), 30, _overdue_installments),
    ChurnRiskReason("opted_out", _("Opted out of marketing messages"), 15, _opted_out),
    ChurnRiskReason("no_sign_in", _("Has not signed in for a long time"), 15, _no_sign_in),
]


def reason_labels() -> dict[str, str]:
    return {reason.code: str(reason.label) for reason in CHURN_RISK_REASONS}
