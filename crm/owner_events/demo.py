"""Demo data for car life: membership cards for the demo members, and owner events with registrations (one full,
with a waiting list), made through the same services people use. Idempotent."""

import datetime

from django.db import transaction
from django.utils import timezone

from crm.owner_events.models import OwnerEvent
from crm.owner_events.services import register_for_event
from members.cards import issue_card
from members.models import Member

# Members who hold a card in the demo: the verified one, the profile-complete one, and the car owner.
CARD_HOLDERS = ["+8613800000002", "+8613800000003", "+8613800000024"]
EVENTS = [
    # title, kind, store, days ahead, hours, places, place, description
    ("秋季车友会·大鹏湾自驾", "car_club", "SZ01", 10, 6, 3, "深圳南山旗舰店集合",
     "自驾大鹏湾，午餐与合影，欢迎带家人。"),
    ("新能源车主课堂：冬季续航与充电", "owner_class", "SZ01", 14, 2, 20, "深圳南山旗舰店二楼",
     "工程师讲解冬季续航、电池保养与充电安全。"),
    ("周末试驾日", "test_drive", "GZ01", 7, 4, 10, "广州天河店", "新款车型到店试驾，试驾即有小礼品。"),
]  # fmt: skip
# Registrations for the full car-club event: three places, four members — the last one waits.
CAR_CLUB_REGISTRANTS = ["+8613800000024", "+8613800000002", "+8613800000003", "+8613800000004"]


@transaction.atomic
def seed_car_life_demo(*, stores) -> None:
    members = {str(member.user.phone): member for member in Member.objects.select_related("user")}
    for phone in CARD_HOLDERS:
        if phone in members:
            issue_card(member_id=members[phone].pk, if_missing=True, note="demo")
    if OwnerEvent.objects.exists():
        return
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    for title, kind, store_code, days, hours, places, place, description in EVENTS:
        starts_at = now.replace(hour=10) + datetime.timedelta(days=days)
        event = OwnerEvent.objects.create(
            title=title, kind=kind, store=stores[store_code], starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=hours), capacity=places, place=place, description=description,
        )  # fmt: skip
        if kind == "car_club":
            for phone in CAR_CLUB_REGISTRANTS:
                if phone in members:
                    register_for_event(member_id=members[phone].pk, event_id=event.pk)
