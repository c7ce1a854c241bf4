"""The task rules that read cars, applications and installments (run by ``run_reminders``): after handover the 3-day
call and the return visits, a quarterly visit for owners, and the day-7 collection call on an unpaid installment.
Every rule counted from the handover shares one set-based statement (each rule picks the handover days it wants),
the collection call has one of its own. Each task belongs to the store that handed the car over (or holds the
application); running a day twice, or twice at once, opens nothing new."""

import datetime

from notifications.bulk import sql_money, sql_month_day
from staff_tasks.bulk import bulk_open_picked_rule_tasks, bulk_open_rule_tasks
from staff_tasks.enums import RuleTrigger, SubjectType
from staff_tasks.selectors import active_rules_by_trigger
from vehicles.selectors import earliest_handover_day

# Whom staff are to call: the name the member gave, else their verified name, else their phone.
STAFF_NAME = "COALESCE(NULLIF(m.name, ''), NULLIF(m.real_name, ''), CAST(u.phone AS TEXT))"
# A member's car and the application that handed it over (the car row carries the unit's VIN).
CARS_WITH_STORE = f"""
    SELECT v.member_id AS member_id, o.store_id AS store_id, v.id AS subject_id, {STAFF_NAME} AS name,
           v.plate AS plate, v.delivered_on AS delivered_on
    FROM vehicles_ownedvehicle v
    JOIN members_member m ON m.id = v.member_id
    JOIN members_user u ON u.id = m.user_id AND u.is_active
    LEFT JOIN vehicles_vehicleunit vu ON vu.vin = v.vin
    LEFT JOIN orders_order o ON o.vehicle_unit_id = vu.id AND o.state = 'delivered'
"""  # noqa: S608  (our own SQL)


def periodic_handover_days(*, day: datetime.date, every_days: int) -> list[datetime.date]:
    """The handover days of the cars whose owners are due a periodic visit on ``day``: every whole multiple of
    ``every_days`` before it, back to the earliest handover. Listing the days (rather than testing "days owned is a
    multiple" on every car) lets the rule read just those cars through the index on the handover day."""
    earliest = earliest_handover_day()
    if not every_days or earliest is None:
        return []
    return [
        day - datetime.timedelta(days=every_days * periods)
        for periods in range(1, (day - earliest).days // every_days + 1)
    ]


def run_task_rules(*, day: datetime.date) -> dict[str, int]:
    """Open the day's tasks of every active rule; returns how many were new per rule code."""
    rules = active_rules_by_trigger(triggers=[RuleTrigger.HANDOVER, RuleTrigger.OWNER_QUARTERLY,
                                              RuleTrigger.INSTALLMENT_OVERDUE])  # fmt: skip
    # Each handover-anchored rule picks the handover days whose cars it opens a task for today.
    picks = [(rule, day - datetime.timedelta(days=rule.offset_days)) for rule in rules[RuleTrigger.HANDOVER]]
    for rule in rules[RuleTrigger.OWNER_QUARTERLY]:
        picks += [(rule, handover_day) for handover_day in periodic_handover_days(day=day, every_days=rule.offset_days)]
    created = dict.fromkeys((rule.code for rule in rules[RuleTrigger.OWNER_QUARTERLY]), 0)
    if picks:
        created |= bulk_open_picked_rule_tasks(
            picks=picks, source_sql=CARS_WITH_STORE, source_params=[], pick_column="delivered_on",
            subject_type=SubjectType.VEHICLE, due_on=day,
        )  # fmt: skip
    for rule in rules[RuleTrigger.INSTALLMENT_OVERDUE]:
        created[rule.code] = bulk_open_rule_tasks(
            rule=rule, subject_type=SubjectType.INSTALLMENT, due_on=day,
            source_sql=f"""
                SELECT o.member_id AS member_id, o.store_id AS store_id, i.id AS subject_id,
                       {STAFF_NAME} AS name, {sql_money("i.amount - i.deduction")} AS amount,
                       {sql_month_day("i.due_on")} AS due, o.number AS number
                FROM orders_installment i
                JOIN orders_loan l ON l.id = i.loan_id
                JOIN orders_order o ON o.id = l.order_id
                JOIN members_member m ON m.id = o.member_id
                JOIN members_user u ON u.id = m.user_id
                WHERE i.due_on = %s AND i.status <> 'paid'
            """,  # noqa: S608  (our own SQL)
            source_params=[day - datetime.timedelta(days=rule.offset_days)],
        )  # fmt: skip
    return created
