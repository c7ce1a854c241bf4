"""Campaigns: pick a segment, see the count, preview, then schedule or send. Rows are written set-based into the
outbox with the campaign's time; the dispatcher sends them at the provider's shared rate, quiet hours hold SMS until
morning, and a pause holds what is not yet sent."""

import datetime

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.exceptions import DomainError
from crm.models import Campaign
from notifications import services as notification_services
from notifications.bulk import bulk_queue_notifications, reminder_time
from notifications.catalog import EventSpec, placeholders_in, register_event, render
from notifications.models import Category, Channel, Notification, Status


class CampaignError(DomainError):
    code = "campaign_invalid"
    default_message = gettext_lazy("This campaign cannot be sent as it is.")


def _computed_segment_conditions(campaign: Campaign) -> tuple[list[str], list]:
    """The conditions on what crm.segments computed the night before: lifecycle, loyalty, last service, tag."""
    where, params = [], []
    segment = "EXISTS (SELECT 1 FROM segments_membersegment s WHERE s.member_id = m.id AND {condition})"
    if campaign.lifecycle:
        where.append(segment.format(condition="s.lifecycle = %s"))
        params.append(campaign.lifecycle)
    if campaign.loyalty:
        where.append(segment.format(condition="s.loyalty = %s"))
        params.append(campaign.loyalty)
    if campaign.no_service_for_days:
        where.append(segment.format(condition="s.first_purchase_on IS NOT NULL AND "
                                              "(s.last_service_on IS NULL OR s.last_service_on < %s)"))  # fmt: skip
        params.append(timezone.localdate() - datetime.timedelta(days=campaign.no_service_for_days))
    if campaign.tag_id:
        where.append("EXISTS (SELECT 1 FROM segments_membertag mt WHERE mt.member_id = m.id AND mt.tag_id = %s)")
        params.append(campaign.tag_id)
    return where, params


def segment_sql(campaign: Campaign) -> tuple[str, list]:
    """The members a campaign reaches: a SELECT yielding recipient_id, member_id and name, and its parameters."""
    where, params = ["u.is_active"], []
    if campaign.city:
        where.append("m.city = %s")
        params.append(campaign.city)
    if campaign.store_id:
        where.append("m.preferred_store_id = %s")
        params.append(campaign.store_id)
    if campaign.tier:
        where.append("m.tier = %s")
        params.append(campaign.tier)
    segment_where, segment_params = _computed_segment_conditions(campaign)
    where += segment_where
    params += segment_params
    if campaign.channel:
        where.append("m.channel = %s")
        params.append(campaign.channel)
    if campaign.verification_status:
        where.append("m.verification_status = %s")
        params.append(campaign.verification_status)
    if campaign.min_points is not None or campaign.max_points is not None:
        balance = "COALESCE((SELECT a.balance FROM points_pointsaccount a WHERE a.member_id = m.id), 0)"
        if campaign.min_points is not None:
            where.append(f"{balance} >= %s")
            params.append(campaign.min_points)
        if campaign.max_points is not None:
            where.append(f"{balance} <= %s")
            params.append(campaign.max_points)
    owns = "EXISTS (SELECT 1 FROM vehicles_ownedvehicle v WHERE v.member_id = m.id{model})"
    if campaign.car_model_id:
        where.append(
            owns.format(model=" AND v.trim_id IN (SELECT t.id FROM vehicles_trim t WHERE t.car_model_id = %s)")
        )
        params.append(campaign.car_model_id)
    if campaign.owns_car is True:
        where.append(owns.format(model=""))
    elif campaign.owns_car is False:
        where.append("NOT " + owns.format(model=""))
    sql = f"""
        SELECT m.user_id AS recipient_id, m.id AS member_id, COALESCE(NULLIF(m.name, ''), %s) AS name
        FROM members_member m JOIN members_user u ON u.id = m.user_id
        WHERE {" AND ".join(where)}
    """  # noqa: S608  (fixed SQL; every value is a parameter)
    return sql, [_("Dear member"), *params]


def count_segment(campaign: Campaign) -> int:
    sql, params = segment_sql(campaign)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS segment", params)  # noqa: S608
        return cursor.fetchone()[0]


def preview(campaign: Campaign) -> tuple[str, str]:
    sample = {"name": "王经理"}
    return render(campaign.subject, sample), render(campaign.body, sample)


def _register(campaign: Campaign) -> None:
    register_event(
        EventSpec(
            code=campaign.event, category=Category.MARKETING, placeholders=("name",), sample={"name": "王经理"},
            subject=lambda: campaign.subject, body=lambda: campaign.body,
        )
    )  # fmt: skip


@transaction.atomic
def schedule_campaign(*, campaign_id: int, actor, send_at: datetime.datetime | None = None) -> Campaign:
    """Write the campaign's messages into the outbox for ``send_at`` (now when empty). Refuses an empty segment,
    a campaign without a channel, or one already scheduled."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.state != Campaign.State.DRAFT:
        raise CampaignError(_("This campaign is already scheduled."))
    channels = [Channel.INBOX] + [Channel.SMS] * campaign.send_sms + [Channel.EMAIL] * campaign.send_email
    if len(channels) == 1:
        raise CampaignError(_("Choose SMS, e-mail or both."))
    if (placeholders_in(campaign.subject) | placeholders_in(campaign.body)) - {"name"}:
        raise CampaignError(_("Campaign texts may only use the placeholder {name}."))
    if count_segment(campaign) == 0:
        raise CampaignError(_("No member matches this segment. Widen the filters."))
    campaign.total = _queue_campaign(campaign, send_at=send_at or timezone.now())
    campaign.scheduled_at = send_at or timezone.now()
    campaign.state = Campaign.State.SCHEDULED
    campaign.created_by = campaign.created_by or actor
    campaign.save(update_fields=["total", "scheduled_at", "state", "created_by"])
    return campaign


def _channels(campaign: Campaign) -> tuple[str, ...]:
    return (Channel.INBOX, *[Channel.SMS] * campaign.send_sms, *[Channel.EMAIL] * campaign.send_email)


def _queue_campaign(campaign: Campaign, *, send_at: datetime.datetime) -> int:
    """One send of the campaign to its segment as it is now; a monthly campaign's key carries the month, so each
    month's send reaches each member once."""
    _register(campaign)
    source, params = segment_sql(campaign)
    key = f"'{campaign.event}:' || CAST(source.member_id AS TEXT)"
    if campaign.repeats_monthly:
        key += f" || ':{timezone.localtime(send_at):%Y-%m}'"
    return bulk_queue_notifications(
        source_sql=source, source_params=params, event=campaign.event, dedupe_key_sql=key,
        channels=_channels(campaign), send_after=send_at, link="/me/",
    )  # fmt: skip


def _is_monthly_day(campaign: Campaign, day: datetime.date) -> bool:
    """The day of the month of the first send; in a shorter month, its last day."""
    first = timezone.localdate(campaign.scheduled_at)
    if day <= first:
        return False
    last_of_month = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return day.day == min(first.day, last_of_month.day)


def send_monthly_campaigns(*, day: datetime.date) -> int:
    """Seed 001's monthly content: each monthly campaign that is sending goes again on its day of the month, to
    its segment as it is that day (tiers, lifecycles and tags of the night before). Run from run_reminders;
    running a day twice sends nothing more."""
    sent = 0
    candidates = Campaign.objects.filter(repeats_monthly=True, state=Campaign.State.SCHEDULED).order_by("pk")
    for campaign in candidates:
        if campaign.scheduled_at and _is_monthly_day(campaign, day):
            with transaction.atomic():
                locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
                added = _queue_campaign(locked, send_at=reminder_time(day))
                locked.total += added
                locked.save(update_fields=["total"])
                sent += added
    return sent


@transaction.atomic
def pause_campaign(*, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.state == Campaign.State.SCHEDULED:
        notification_services.hold_pending(event=campaign.event)
        campaign.state = Campaign.State.PAUSED
        campaign.save(update_fields=["state"])
    return campaign


@transaction.atomic
def resume_campaign(*, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.state == Campaign.State.PAUSED:
        notification_services.release_held(event=campaign.event)
        campaign.state = Campaign.State.SCHEDULED
        campaign.save(update_fields=["state"])
    return campaign


def campaign_progress(campaigns) -> dict[int, dict[str, int]]:
    """How far each campaign's sending is: its outbox rows by status, in one query for all of them."""
    by_event = {campaign.event: campaign.pk for campaign in campaigns}
    progress = {pk: dict.fromkeys([*Status.values, "total"], 0) for pk in by_event.values()}
    rows = Notification.objects.filter(event__in=by_event).values("event", "status").annotate(n=Count("pk")).order_by()
    for row in rows:
        counts = progress[by_event[row["event"]]]
        counts[row["status"]] = row["n"]
        counts["total"] += row["n"]
    return progress
