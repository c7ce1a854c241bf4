"""The churn-risk reasons: each is a query for the members it applies to, and a weight (head office may change the
weight in the segment rules). A member's score is the sum of the weights of their reasons, at most 100.

Extension point: ``CHURN_RISK_REASONS`` is the list the nightly computation reads. An app below segments in crm
(complaints, surveys) adds its reasons by appending a ``ChurnRiskReason`` whose ``members_sql`` returns a SELECT of
``member_id`` — for example "an open or poorly rated complaint" or "a detractor answer in the last 90 days":

    CHURN_RISK_REASONS.append(ChurnRiskReason(
        code="open_complaint", label=_("Open or poorly rated complaint"), default_weight=25,
        members_sql=lambda context: ("SELECT c.member_id FROM care_complaint c WHERE c.state <> 'closed'", []),
    ))

The complaint and survey reasons below read those apps' tables (they sit below segments in crm).

Each query runs once per computation (joined set-based, never per member); it may return a member more than once.

A reason that follows from the facts the computation already gathers for every member gives ``facts_sql`` instead: a
condition over those columns (``first_delivery_on``, ``last_delivery_on``, ``last_service_on``, ``last_paid_at``,
``last_payment_on``, ``last_login``, ``overdue_installments``, ``spend``), evaluated in the same pass, with no set of
its own to build and join.
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
    # Complaints and survey answers count from here (the start of the local day N months back) to the end of as_of.
    feedback_since: datetime.datetime
    day_end: datetime.datetime


@dataclasses.dataclass(frozen=True)
class ChurnRiskReason:
    code: str
    label: str | Promise
    default_weight: int
    # Exactly one of the two: a SELECT of the members it applies to, or a condition over the member's facts.
    members_sql: Callable[[ReasonContext], tuple[str, list]] | None = None
    facts_sql: Callable[[ReasonContext], tuple[str, list]] | None = None

    def __post_init__(self) -> None:
        if (self.members_sql is None) == (self.facts_sql is None):
            raise ValueError(f"churn reason {self.code}: give members_sql or facts_sql, not both or neither")


def _datetime_param(value: datetime.datetime):
    # A timestamp compared in raw SQL: SQLite stores UTC text, PostgreSQL an aware timestamp.
    return connection.ops.adapt_datetimefield_value(value)


def _no_service_visit(context: ReasonContext) -> tuple[str, list]:
    # An owner (a car handed over before the threshold) whose latest visit, on any of their cars, is older than it.
    return (
        "first_delivery_on <= %s AND (last_service_on IS NULL OR last_service_on < %s)",
        [context.no_service_before, context.no_service_before],
    )


def _overdue_installments(context: ReasonContext) -> tuple[str, list]:
    # The facts count the installments due before the as-of day and not paid.
    return "overdue_installments > 0", []


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
    return "last_login IS NULL OR last_login < %s", [_datetime_param(context.no_sign_in_before)]


def _open_complaint(context: ReasonContext) -> tuple[str, list]:
    return (
        "SELECT c.member_id FROM complaints_complaint c WHERE c.status <> 'closed' AND c.received_at < %s",
        [_datetime_param(context.day_end)],
    )


def _poorly_rated_complaint(context: ReasonContext) -> tuple[str, list]:
    # The member's own verdict on how a complaint was handled: 1 or 2 of 5, rated within the feedback window.
    return (
        """
        SELECT c.member_id FROM complaints_complaintrating r JOIN complaints_complaint c ON c.id = r.complaint_id
        WHERE r.score <= 2 AND r.created_at >= %s AND r.created_at < %s
        """,
        [_datetime_param(context.feedback_since), _datetime_param(context.day_end)],
    )


def _detractor_answer(context: ReasonContext) -> tuple[str, list]:
    # NPS detractors (0–6) and the two lowest satisfaction marks (1–2 of 5).
    return (
        """
        SELECT sr.member_id FROM surveys_surveyresponse sr
        WHERE (sr.nps <= 6 OR sr.csat <= 2) AND sr.answered_at >= %s AND sr.answered_at < %s
        """,
        [_datetime_param(context.feedback_since), _datetime_param(context.day_end)],
    )


CHURN_RISK_REASONS: list[ChurnRiskReason] = [
    ChurnRiskReason("no_service_visit", _("No service visit for months"), 30, facts_sql=_no_service_visit),
    ChurnRiskReason("overdue_installments", _("Overdue installments"), 30, facts_sql=_overdue_installments),
    ChurnRiskReason("opted_out", _("Opted out of marketing messages"), 15, _opted_out),
    ChurnRiskReason("no_sign_in", _("Has not signed in for a long time"), 15, facts_sql=_no_sign_in),
    ChurnRiskReason("open_complaint", _("Has an open complaint"), 20, _open_complaint),
    ChurnRiskReason("poorly_rated_complaint", _("Rated a complaint's handling poorly"), 20, _poorly_rated_complaint),
    ChurnRiskReason("detractor_answer", _("Gave a low score in a survey"), 15, _detractor_answer),
]


def reason_labels() -> dict[str, str]:
    return {reason.code: str(reason.label) for reason in CHURN_RISK_REASONS}
