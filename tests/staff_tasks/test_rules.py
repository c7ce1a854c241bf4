"""The SOP rules: run from run_reminders, set-based, once per rule, subject and due date — however often they run."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from crm.services import run_reminders
from notifications.models import Notification, Preference
from orders.task_rules import run_task_rules
from staff_tasks.models import Task, TaskRule
from tests.members.factories import unverified
from vehicles.models import OwnedVehicle

HANDOVER_RULES = {"three_day_call": 3, "return_visit_7": 7, "return_visit_15": 15, "return_visit_30": 30}


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


def _handover_tasks():
    return sorted(
        (task.rule.code, task.kind, _local(task.due_at).date(), _local(task.due_at).hour, task.store_id,
         task.member_id, task.subject_type, task.subject_id)
        for task in Task.objects.select_related("rule").filter(rule__trigger="handover")
    )  # fmt: skip


@pytest.mark.django_db
def test_handover_opens_the_3_day_call_and_the_return_visits_once_with_local_due_dates(cast):
    cast.advance(cast.new_order(), "delivered")
    car = cast.member.vehicles.get()
    handed_over = car.delivered_on
    assert handed_over == timezone.localdate()
    for _run in range(2):
        for offset in range(31):
            run_task_rules(day=handed_over + datetime.timedelta(days=offset))
    kinds = {"three_day_call": "three_day_call"}
    assert _handover_tasks() == sorted(
        (code, kinds.get(code, "return_visit"), handed_over + datetime.timedelta(days=days), 18, cast.store.pk,
         cast.member.pk, "vehicle", car.pk)
        for code, days in HANDOVER_RULES.items()
    )  # fmt: skip
    three_day = Task.objects.get(kind="three_day_call")
    # The member is verified: staff see the verified real name, not the phone.
    assert three_day.title == "交车 3 日回访（3DC）：张伟（粤B·16888）"
    assert "粤B·16888" in three_day.script
    assert (three_day.status, three_day.assignee, three_day.created_by) == ("open", None, None)
    # No message went out for it: a call is work for staff.
    assert not Notification.objects.filter(channel="call").exists()


@pytest.mark.django_db
def test_run_reminders_opens_the_3_day_call_on_its_day(cast):
    cast.advance(cast.new_order(), "delivered")
    day = timezone.localdate() + datetime.timedelta(days=3)
    created = run_reminders(day=day)
    assert created["tasks.three_day_call"] == 1
    assert run_reminders(day=day)["tasks.three_day_call"] == 0
    assert Task.objects.filter(kind="three_day_call").count() == 1


@pytest.mark.django_db(transaction=True)
def test_rules_run_twice_at_once_open_each_task_once(cast):
    cast.advance(cast.new_order(), "delivered")
    day = timezone.localdate() + datetime.timedelta(days=3)
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def run():
        try:
            barrier.wait()
            counts.append(run_task_rules(day=day)["three_day_call"])
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(counts) == [0, 1]
    assert Task.objects.filter(kind="three_day_call").count() == 1


@pytest.mark.django_db
def test_a_member_who_switched_calls_off_gets_no_care_call_but_still_the_collection_call(cast):
    order = cast.advance(cast.new_order(), "delivered")
    Preference.objects.create(user=cast.member_user, category="service", channel="call", is_enabled=False)
    handed_over = timezone.localdate()
    for offset in (3, 7, 15, 30, 90):
        run_task_rules(day=handed_over + datetime.timedelta(days=offset))
    assert not Task.objects.filter(rule__trigger__in=["handover", "owner_quarterly"]).exists()
    first = order.loan.installments.get(number=1)
    run_task_rules(day=first.due_on + datetime.timedelta(days=7))
    assert list(Task.objects.values_list("kind", "subject_id")) == [("collection_call", first.pk)]


@pytest.mark.django_db
def test_a_handover_rule_made_a_collection_call_reaches_a_member_who_switched_calls_off_and_the_others_do_not(cast):
    """Rules that leave out opted-out members and one that does not share the statement: each keeps its own way."""
    cast.advance(cast.new_order(), "delivered")
    Preference.objects.create(user=cast.member_user, category="service", channel="call", is_enabled=False)
    TaskRule.objects.filter(code="return_visit_7").update(kind="collection_call")
    handed_over = timezone.localdate()
    for offset in (3, 7, 15):
        run_task_rules(day=handed_over + datetime.timedelta(days=offset))
    assert list(Task.objects.values_list("rule__code", "kind")) == [("return_visit_7", "collection_call")]


def _own_car(cast, *, vin_serial: int, delivered_on: datetime.date) -> OwnedVehicle:
    """Another member's car, handed over on ``delivered_on`` (no application: the task has no store)."""
    return OwnedVehicle.objects.create(
        member=cast.applicant(), trim=cast.trim, vin=f"LSVAA4182E21{vin_serial:05d}", plate=f"粤B·{vin_serial:05d}",
        delivered_on=delivered_on,
    )  # fmt: skip


@pytest.mark.django_db
def test_the_rules_due_on_one_day_open_together_each_with_its_own_wording_and_count(cast):
    """Cars handed over on different days are due different rules today: one statement opens them all, each task
    in its rule's wording, and each rule reports its own new tasks. An edited offset moves the rule's day."""
    cast.advance(cast.new_order(), "delivered")
    day = timezone.localdate() + datetime.timedelta(days=3)  # the cast's car: the 3-day call
    TaskRule.objects.filter(code="return_visit_15").update(offset_days=10)
    cars = {
        "three_day_call": cast.member.vehicles.get(),
        "return_visit_7": _own_car(cast, vin_serial=7, delivered_on=day - datetime.timedelta(days=7)),
        "return_visit_15": _own_car(cast, vin_serial=10, delivered_on=day - datetime.timedelta(days=10)),
        "owner_quarterly_visit": _own_car(cast, vin_serial=180, delivered_on=day - datetime.timedelta(days=180)),
    }
    _own_car(cast, vin_serial=15, delivered_on=day - datetime.timedelta(days=15))  # the old offset: nothing
    created = run_task_rules(day=day)
    assert created == {"three_day_call": 1, "return_visit_7": 1, "return_visit_15": 1, "return_visit_30": 0,
                       "owner_quarterly_visit": 1, "collection_call_7": 0}  # fmt: skip
    assert run_task_rules(day=day) == dict.fromkeys(created, 0)
    rules = {rule.code: rule for rule in TaskRule.objects.all()}
    tasks = Task.objects.select_related("rule").order_by("rule__code")
    assert [(task.rule.code, task.subject_id) for task in tasks] == sorted((code, car.pk) for code, car in cars.items())
    for task in tasks:
        car, rule = cars[task.rule.code], rules[task.rule.code]
        # The rule's own wording ("交车 7 日回访：…"), kind and due hour, local time.
        assert (task.title.split("：")[0], task.kind, _local(task.due_at).date(), _local(task.due_at).hour) == (
            rule.title.split("：")[0],
            rule.kind,
            day,
            18,
        )
        assert car.plate in task.script
        assert task.dedupe_key == f"rule:{task.rule.code}:vehicle:{car.pk}:{day.isoformat()}"


@pytest.mark.django_db
def test_owners_get_a_quarterly_visit_every_90_days(cast):
    cast.advance(cast.new_order(), "delivered")
    car = cast.member.vehicles.get()
    for offset in (89, 90, 91, 180, 180):
        run_task_rules(day=car.delivered_on + datetime.timedelta(days=offset))
    visits = Task.objects.filter(rule__code="owner_quarterly_visit").order_by("due_at")
    assert [_local(task.due_at).date() for task in visits] == [
        car.delivered_on + datetime.timedelta(days=90),
        car.delivered_on + datetime.timedelta(days=180),
    ]
    assert {task.store_id for task in visits} == {cast.store.pk}


@pytest.mark.django_db
def test_a_switched_off_rule_opens_nothing_and_head_office_wording_is_used(cast):
    cast.advance(cast.new_order(), "delivered")
    TaskRule.objects.filter(code="return_visit_7").update(is_active=False)
    TaskRule.objects.filter(code="three_day_call").update(title="三日回访 {plate}", script="问候{name}", due_hour=10)
    handed_over = timezone.localdate()
    run_task_rules(day=handed_over + datetime.timedelta(days=7))
    run_task_rules(day=handed_over + datetime.timedelta(days=3))
    [task] = Task.objects.all()
    # {name} is the verified member's real name.
    assert (task.title, task.script, _local(task.due_at).hour) == ("三日回访 粤B·16888", "问候张伟", 10)


@pytest.mark.django_db
def test_a_rule_text_with_an_unknown_placeholder_is_refused():
    from django.core.exceptions import ValidationError

    rule = TaskRule.objects.get(code="collection_call_7")
    rule.script = "请致电{name}，车牌 {plate}"
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "plate" in str(error.value.message_dict["script"])


@pytest.mark.django_db
def test_a_member_with_no_name_is_named_by_phone_in_the_task_title(cast):
    cast.advance(cast.new_order(), "delivered")
    # Neither a verified real name nor a chosen name: staff see the phone to call.
    member = unverified(cast.member)
    assert member.name == ""
    run_task_rules(day=timezone.localdate() + datetime.timedelta(days=3))
    [task] = Task.objects.filter(kind="three_day_call")
    assert task.title == f"交车 3 日回访（3DC）：{member.user.phone}（粤B·16888）"


def test_the_handover_rules_find_the_day_s_cars_through_an_index(db):
    """Each handover rule reads the cars handed over on one day: an index lookup, not a scan of every car (with
    300,000 cars, four scans a day were most of the rules' time)."""
    from orders.task_rules import CARS_WITH_STORE

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table would be scanned whatever the indexes
        cursor.execute(f"EXPLAIN {CARS_WITH_STORE} WHERE v.delivered_on = %s", [datetime.date(2026, 9, 1)])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "owned_vehicle_delivered_on" in plan


@pytest.mark.django_db
def test_the_one_statement_of_the_handover_rules_reads_the_cars_through_the_index(cast):
    """All handover-anchored rules (four handover days and the quarterly ones) share one statement; it reads the
    picked days' cars through the index on the handover day, not every car."""
    cast.advance(cast.new_order(), "delivered")
    statements = []

    def capture(execute, sql, params, many, context):
        if "INSERT INTO staff_tasks_task" in sql:
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        run_task_rules(day=timezone.localdate() + datetime.timedelta(days=365))
    [(sql, params)] = [(sql, params) for sql, params in statements if "vehicles_ownedvehicle" in sql]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "owned_vehicle_delivered_on" in plan
