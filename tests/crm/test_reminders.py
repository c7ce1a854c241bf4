"""run_reminders: every rule for a date, set-based, idempotent — twice, or twice at once, creates each reminder once."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from crm.holidays import holidays_on
from crm.services import run_reminders
from notifications.models import Notification, Preference
from staff_tasks.models import Task

pytestmark = pytest.mark.django_db


def events(**filters):
    return sorted(Notification.objects.filter(**filters).values_list("event", "channel"))


def test_repayment_reminders_before_on_and_after_the_due_date(cast):
    order = cast.advance(cast.new_order(), "funded")
    first = order.loan.installments.get(number=1)
    amount = f"{first.amount:.2f}"
    run_reminders(day=first.due_on - datetime.timedelta(days=3))
    run_reminders(day=first.due_on)
    run_reminders(day=first.due_on + datetime.timedelta(days=1))
    run_reminders(day=first.due_on + datetime.timedelta(days=3))
    run_reminders(day=first.due_on + datetime.timedelta(days=7))
    repayment = Notification.objects.filter(event__startswith="repayment.")
    assert sorted(repayment.values_list("event", "channel")) == [
        ("repayment.due_in_3", "inbox"), ("repayment.due_in_3", "sms"),
        ("repayment.due_today", "inbox"), ("repayment.due_today", "sms"),
        ("repayment.overdue_1", "inbox"), ("repayment.overdue_1", "sms"),
        ("repayment.overdue_3", "inbox"), ("repayment.overdue_3", "sms"),
    ]  # fmt: skip
    body = repayment.get(event="repayment.due_in_3", channel="sms").body
    assert amount in body
    assert order.number in body
    assert f"{first.due_on.month}月{first.due_on.day}日" in body
    # Day 7: no message, a collection call for the store that holds the application.
    call = Task.objects.get(kind="collection_call")
    assert (call.member, call.store, call.subject_type, call.subject_id) == (
        cast.member,
        cast.store,
        "installment",
        first.pk,
    )
    assert amount in call.script
    assert order.number in call.title


def test_paid_installments_stop_the_collection(cast):
    order = cast.advance(cast.new_order(), "funded")
    first = order.loan.installments.get(number=1)
    first.status = "paid"
    first.save()
    run_reminders(day=first.due_on + datetime.timedelta(days=1))
    assert not Notification.objects.filter(event__startswith="repayment.").exists()


def test_vehicle_reminders_seven_and_one_day_before(cast):
    cast.advance(cast.new_order(), "delivered")
    car = cast.member.vehicles.get()
    run_reminders(day=car.next_service_on - datetime.timedelta(days=7))
    run_reminders(day=car.next_service_on - datetime.timedelta(days=1))
    run_reminders(day=car.next_service_on - datetime.timedelta(days=2))
    maintenance = Notification.objects.filter(event="vehicle.maintenance_due", channel="sms")
    assert maintenance.count() == 2
    assert "粤B·16888" in maintenance.first().body
    assert maintenance.first().send_after.astimezone(timezone.get_current_timezone()).hour == 9


def test_three_day_call_after_handover(cast):
    cast.advance(cast.new_order(), "delivered")
    run_reminders(day=timezone.localdate() + datetime.timedelta(days=3))
    task = Task.objects.get(kind="three_day_call")
    assert "粤B·16888" in task.script
    assert task.store == cast.store


def test_welcome_and_follow_ups_stop_once_the_member_applies(cast, member):
    today = timezone.localdate()
    run_reminders(day=today + datetime.timedelta(days=1))
    assert ("member.welcome", "sms") in events(recipient=member.user)
    run_reminders(day=today + datetime.timedelta(days=3))
    assert ("member.follow_up_3", "sms") in events(recipient=member.user)
    cast.advance(cast.new_order(), "submitted")
    run_reminders(day=today + datetime.timedelta(days=7))
    assert ("member.follow_up_7", "sms") in events(recipient=member.user)
    assert ("member.follow_up_7", "sms") not in events(recipient=cast.member_user)


def test_birthday_and_anniversary(member):
    member.birthday = datetime.date(1990, 12, 5)
    member.save()
    run_reminders(day=datetime.date(2026, 12, 5))
    assert ("member.birthday", "sms") in events(recipient=member.user)
    type(member).objects.filter(pk=member.pk).update(created_at=timezone.now() - datetime.timedelta(days=366))
    member.refresh_from_db()
    run_reminders(day=timezone.localtime(member.created_at).date().replace(year=member.created_at.year + 1))
    assert ("member.anniversary", "inbox") in events(recipient=member.user)


def test_lunar_holidays_come_from_the_calendar_library():
    assert holidays_on(datetime.date(2027, 2, 6))[0][0] == "spring_festival"
    assert holidays_on(datetime.date(2026, 9, 25))[0][0] == "mid_autumn"
    assert holidays_on(datetime.date(2026, 10, 1))[0][0] == "national_day"
    assert holidays_on(datetime.date(2026, 10, 2)) == []


def test_holiday_greeting_respects_marketing_sms_opt_out(member):
    from tests.members.factories import MemberFactory

    other = MemberFactory()
    Preference.objects.create(user=other.user, category="marketing", channel="sms", is_enabled=False)
    run_reminders(day=datetime.date(2026, 10, 1))
    assert ("member.holiday.national_day", "sms") in events(recipient=member.user)
    assert events(recipient=other.user) == [("member.holiday.national_day", "inbox")]


def test_running_twice_creates_nothing_new(cast, capsys):
    order = cast.advance(cast.new_order(), "funded")
    day = order.loan.installments.get(number=1).due_on
    call_command("run_reminders", date=day.isoformat())
    count = Notification.objects.count()
    call_command("run_reminders", date=day.isoformat())
    assert Notification.objects.count() == count
    assert "0 reminders created" in capsys.readouterr().out


def test_bad_date_is_a_clear_error():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_reminders", date="next tuesday")
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_each_reminder_once():
    from tests.members.factories import MemberFactory

    for _index in range(30):
        MemberFactory()
    day = datetime.date(2026, 10, 1)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            run_reminders(day=day)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _unused in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Notification.objects.filter(event="member.holiday.national_day").count() == 60


def test_operators_set_the_days_before_and_the_hour(cast):
    from notifications.models import ReminderPolicy

    policy = ReminderPolicy.current()
    policy.days_before, policy.send_hour = "14", 10
    policy.save()
    cast.advance(cast.new_order(), "delivered")
    car = cast.member.vehicles.get()
    run_reminders(day=car.next_service_on - datetime.timedelta(days=7))
    assert not Notification.objects.filter(event="vehicle.maintenance_due").exists()
    run_reminders(day=car.next_service_on - datetime.timedelta(days=14))
    sms = Notification.objects.get(event="vehicle.maintenance_due", channel="sms")
    assert timezone.localtime(sms.send_after).hour == 10


def test_reminder_settings_refuse_nonsense():
    from django.core.exceptions import ValidationError

    from notifications.models import ReminderPolicy

    with pytest.raises(ValidationError):
        ReminderPolicy(days_before="a week", send_hour=9).full_clean()


@pytest.mark.parametrize("local_hour", [0, 7, 8, 23])
def test_the_anniversary_is_the_local_day_of_joining(member, local_hour):
    """Joined at 07:30 in China is the day before in UTC: the greeting goes out on the local day, once."""
    joined = timezone.make_aware(datetime.datetime(2025, 12, 1, local_hour, 30))  # noqa: DTZ001  (local on purpose)
    type(member).objects.filter(pk=member.pk).update(created_at=joined)
    run_reminders(day=datetime.date(2026, 11, 30))
    assert ("member.anniversary", "inbox") not in events(recipient=member.user)
    run_reminders(day=datetime.date(2026, 12, 1))
    run_reminders(day=datetime.date(2026, 12, 2))
    assert events(recipient=member.user).count(("member.anniversary", "inbox")) == 1
