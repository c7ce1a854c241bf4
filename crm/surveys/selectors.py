"""Reads of surveys: the questionnaire in use, the satisfaction figures (CSAT, NPS) and each member's scores.

CSAT = the share of satisfaction answers that are 4 or 5; NPS = the share of recommendation answers 9–10 minus the
share 0–6; both in percent over all the answers of their kind, with the number of answers, and marked *thin* under
``SURVEY_THIN_BELOW`` answers (30): too few to read much into. Staff see their own store's figures, head-office
roles every store's (members.selectors.store_ids_visible_to)."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Avg, Count, Max, Min, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth

from crm.surveys.enums import SurveyTrigger
from crm.surveys.models import Choice, Question, Questionnaire, SurveyAnswer, SurveyInvitation, SurveyResponse
from members.selectors import store_ids_visible_to
from staff_tasks.selectors import local_day_bounds

PERCENT = Decimal("0.1")


def active_questionnaire(*, trigger: str) -> Questionnaire | None:
    return Questionnaire.objects.filter(trigger=trigger, is_active=True).first()


def questions_of(*, questionnaire: Questionnaire) -> list[Question]:
    """The questions in order, each with its choices (two queries)."""
    return list(
        questionnaire.questions.order_by("position", "pk").prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "pk"))
        )
    )


def is_answered(*, questionnaire_id: int) -> bool:
    return SurveyResponse.objects.filter(questionnaire_id=questionnaire_id).exists()


def _store_scoped(queryset: QuerySet, *, user) -> QuerySet:
    if not (user.is_authenticated and user.is_staff):
        return queryset.none()
    store_ids = store_ids_visible_to(user=user)
    if store_ids is None:
        return queryset
    return queryset.filter(store_id__in=store_ids)


def invitations_visible_to(*, user) -> QuerySet[SurveyInvitation]:
    return _store_scoped(SurveyInvitation.objects.all(), user=user)


def responses_visible_to(*, user) -> QuerySet[SurveyResponse]:
    return _store_scoped(SurveyResponse.objects.all(), user=user)


def answers_visible_to(*, user) -> QuerySet[SurveyAnswer]:
    return SurveyAnswer.objects.filter(response__in=responses_visible_to(user=user))


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass
class Satisfaction:
    """The figures of one slice (a store, a trigger, a month, or all)."""

    responses: int = 0
    csat_answers: int = 0
    satisfied: int = 0
    nps_answers: int = 0
    promoters: int = 0
    detractors: int = 0

    def add(self, other: "Satisfaction") -> None:
        for name in ("responses", "csat_answers", "satisfied", "nps_answers", "promoters", "detractors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def csat(self) -> Decimal | None:
        return _percent(self.satisfied, self.csat_answers)

    @property
    def nps(self) -> Decimal | None:
        return _percent(self.promoters - self.detractors, self.nps_answers)

    @property
    def is_thin(self) -> bool:
        return self.responses < settings.SURVEY_THIN_BELOW


@dataclass
class StoreSatisfaction(Satisfaction):
    store_id: int | None = None
    store_code: str | None = None
    store_name: str | None = None


@dataclass
class TriggerSatisfaction(Satisfaction):
    trigger: str = ""

    @property
    def trigger_label(self) -> str:
        return str(SurveyTrigger(self.trigger).label)


@dataclass
class MonthSatisfaction(Satisfaction):
    month: datetime.date | None = None


@dataclass
class SatisfactionReport:
    date_from: datetime.date
    date_to: datetime.date
    total: Satisfaction
    stores: list[StoreSatisfaction] = field(default_factory=list)
    triggers: list[TriggerSatisfaction] = field(default_factory=list)
    months: list[MonthSatisfaction] = field(default_factory=list)


def satisfaction_report(
    *, user, date_from: datetime.date, date_to: datetime.date, store_id: int | None = None, trigger: str = ""
) -> SatisfactionReport:
    """CSAT and NPS over the responses answered between two local dates (both included), overall and per store,
    per trigger and per month. One GROUP BY query (store × trigger × month), summed here; both engines run it."""
    start, end = local_day_bounds(date_from)[0], local_day_bounds(date_to)[1]
    responses = responses_visible_to(user=user).filter(answered_at__gte=start, answered_at__lt=end)
    if store_id is not None:
        responses = responses.filter(store_id=store_id)
    if trigger:
        responses = responses.filter(trigger=trigger)
    grouped = (
        responses.annotate(month=TruncMonth("answered_at"))
        .values("store_id", "store__code", "store__name", "trigger", "month")
        .annotate(
            n_responses=Count("id"),
            n_csat=Count("id", filter=Q(csat__isnull=False)),
            n_satisfied=Count("id", filter=Q(csat__gte=4)),
            n_nps=Count("id", filter=Q(nps__isnull=False)),
            n_promoters=Count("id", filter=Q(nps__gte=9)),
            n_detractors=Count("id", filter=Q(nps__lte=settings.SURVEY_DETRACTOR_MAX)),
        )
        .order_by()
    )
    total = Satisfaction()
    stores: dict[int | None, StoreSatisfaction] = {}
    triggers: dict[str, TriggerSatisfaction] = {}
    months: dict[datetime.date, MonthSatisfaction] = {}
    for row in grouped:
        figures = Satisfaction(
            responses=row["n_responses"], csat_answers=row["n_csat"], satisfied=row["n_satisfied"],
            nps_answers=row["n_nps"], promoters=row["n_promoters"], detractors=row["n_detractors"],
        )  # fmt: skip
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        total.add(figures)
        stores.setdefault(
            row["store_id"],
            StoreSatisfaction(store_id=row["store_id"], store_code=row["store__code"], store_name=row["store__name"]),
        ).add(figures)
        triggers.setdefault(row["trigger"], TriggerSatisfaction(trigger=row["trigger"])).add(figures)
        months.setdefault(month, MonthSatisfaction(month=month)).add(figures)
    return SatisfactionReport(
        date_from=date_from, date_to=date_to, total=total,
        stores=sorted(stores.values(), key=lambda s: (s.store_code is None, s.store_code or "")),
        triggers=sorted(triggers.values(), key=lambda t: t.trigger),
        months=sorted(months.values(), key=lambda m: m.month),
    )  # fmt: skip


@dataclass(frozen=True)
class MemberSurveyScores:
    """What a member's survey answers say, for their value and segments."""

    member_id: int
    responses: int
    average_csat: Decimal | None
    lowest_csat: int | None
    average_nps: Decimal | None
    lowest_nps: int | None
    last_answered_at: datetime.datetime

    @property
    def is_detractor(self) -> bool:
        return self.lowest_nps is not None and self.lowest_nps <= settings.SURVEY_DETRACTOR_MAX


def member_survey_scores(*, member_ids=None, since: datetime.datetime | None = None) -> dict[int, MemberSurveyScores]:
    """Each member's survey scores (all members that answered, or those in ``member_ids`` — a list or a
    queryset of ids — answered since ``since``): one GROUP BY query, for the segments job and the member's value.
    Not scoped to a person: a system read."""
    responses = SurveyResponse.objects.all()
    if member_ids is not None:
        responses = responses.filter(member_id__in=member_ids)
    if since is not None:
        responses = responses.filter(answered_at__gte=since)
    rows = (
        responses.values("member_id")
        .annotate(
            n=Count("id"),
            avg_csat=Avg("csat"),
            min_csat=Min("csat"),
            avg_nps=Avg("nps"),
            min_nps=Min("nps"),
            last=Max("answered_at"),
        )  # fmt: skip
        .order_by()
    )

    def _decimal(value) -> Decimal | None:
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    return {
        row["member_id"]: MemberSurveyScores(
            member_id=row["member_id"],
            responses=row["n"],
            average_csat=_decimal(row["avg_csat"]),
            lowest_csat=row["min_csat"],
            average_nps=_decimal(row["avg_nps"]),
            lowest_nps=row["min_nps"],
            last_answered_at=row["last"],
        )  # fmt: skip
        for row in rows
    }
