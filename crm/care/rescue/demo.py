"""Demo rescues, idempotent: one finished rescue with every step timed, and one open one at the top of the store's
task queue."""

import datetime

from django.utils import timezone

from crm.care.rescue import services
from crm.care.rescue.models import RescueRequest
from members.models import User
from vehicles.models import OwnedVehicle


def seed_rescue_demo() -> None:
    if RescueRequest.objects.exists():
        return
    car = OwnedVehicle.objects.select_related("member__user").order_by("pk").first()
    staff = User.objects.filter(username="store.sz").first()
    if car is None or staff is None:
        return
    member = car.member
    done = services.request_rescue(member=member, vehicle_id=car.pk, kind="jump_start", actor=member.user,
                                   location="深圳湾公园南门停车场", note="电瓶没电，打不着火")  # fmt: skip
    for name in ("dispatch", "depart", "arrive", "complete"):
        services.apply_rescue_transition(rescue_id=done.pk, name=name, actor=staff)
    # Spread the finished one's steps over the 40 minutes a real rescue takes, a week ago.
    start = timezone.now() - datetime.timedelta(days=7)
    RescueRequest.objects.filter(pk=done.pk).update(
        requested_at=start, dispatched_at=start + datetime.timedelta(minutes=5),
        on_the_way_at=start + datetime.timedelta(minutes=12), arrived_at=start + datetime.timedelta(minutes=38),
        done_at=start + datetime.timedelta(minutes=55),
    )  # fmt: skip
    for event in done.events.all():
        minutes = {"requested": 0, "dispatched": 5, "on_the_way": 12, "arrived": 38, "done": 55}[event.status]
        event.created_at = start + datetime.timedelta(minutes=minutes)
        event.save(update_fields=["created_at"])
    services.request_rescue(member=member, vehicle_id=car.pk, kind="flat_tyre", actor=member.user,
                            location="广深沿江高速 K12 往深圳方向应急车道", latitude="22.61", longitude="113.85",
                            note="右后轮爆胎")  # fmt: skip
