"""Weather care (seed 003, 天气关怀): in heavy rain, snow, heat or a cold snap, staff send the members of a city a
safety notice. It is a campaign (crm/campaigns.py) built from one of the notice templates below, which staff may
reword before sending; the campaign engine does the rest (outbox, quiet hours for SMS, marketing opt-outs)."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.campaigns import CampaignError, count_segment, schedule_campaign
from crm.models import Campaign
from members.selectors import store_ids_visible_to

# kind → (label, subject, body); the body may use {name}.
WEATHER_NOTICES = {
    "heavy_rain": (
        gettext_lazy("Heavy rain"),
        gettext_lazy("Heavy rain ahead: please drive safely"),
        gettext_lazy(
            "{name}, heavy rain is forecast. Please slow down, keep your distance, turn on your lights and "
            "avoid flooded roads and underpasses. If you need help on the road, call us at any time."
        ),
    ),
    "snow": (
        gettext_lazy("Snow and ice"),
        gettext_lazy("Snow and ice ahead: please drive with care"),
        gettext_lazy(
            "{name}, snow and icy roads are forecast. Please brake gently, keep a long distance and check "
            "your tyres. If you need help on the road, call us at any time."
        ),
    ),
    "heat": (
        gettext_lazy("Heat"),
        gettext_lazy("Hot days ahead: a few tips for you and your car"),
        gettext_lazy(
            "{name}, very hot days are forecast. Please do not leave children, pets or lighters in the car, "
            "check the coolant and tyre pressure, and park in the shade where you can."
        ),
    ),
    "cold_snap": (
        gettext_lazy("Cold snap"),
        gettext_lazy("A cold snap is coming: keep warm and drive safely"),
        gettext_lazy(
            "{name}, a cold snap is forecast. Please check your battery and antifreeze, let the windows "
            "clear before driving, and keep warm. Our stores are glad to check your car for free."
        ),
    ),
}


def weather_notice_choices() -> list[tuple[str, str]]:
    return [(kind, label) for kind, (label, _subject, _body) in WEATHER_NOTICES.items()]


def weather_notice_text(kind: str) -> tuple[str, str]:
    """The template's subject and body in the current language."""
    _label, subject, body = WEATHER_NOTICES[kind]
    return str(subject), str(body)


@transaction.atomic
def send_weather_care(*, city: str, kind: str, staff, subject: str = "", body: str = "") -> Campaign:
    """Send the members of ``city`` the weather notice ``kind`` (reworded when ``subject``/``body`` are given).
    Store staff reach their own store's members of that city only; head office every member of the city."""
    if kind not in WEATHER_NOTICES:
        raise CampaignError(_("Choose one of the weather notices."))
    city = (city or "").strip()
    if not city:
        raise CampaignError(_("Choose the city the weather is about."))
    default_subject, default_body = weather_notice_text(kind)
    store_ids = store_ids_visible_to(user=staff)
    if store_ids is not None and len(store_ids) != 1:
        raise CampaignError(_("Only staff of one store or head office send weather care."))
    campaign = Campaign.objects.create(
        name=_("Weather care: %(kind)s, %(city)s") % {"kind": WEATHER_NOTICES[kind][0], "city": city},
        subject=(subject or default_subject)[:200], body=body or default_body, city=city, send_sms=True,
        store_id=store_ids[0] if store_ids else None, created_by=staff,
    )  # fmt: skip
    if count_segment(campaign) == 0:
        raise CampaignError(_("No member lives in this city. Check the city's name."))
    return schedule_campaign(campaign_id=campaign.pk, actor=staff)
