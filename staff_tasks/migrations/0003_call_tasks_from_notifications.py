"""The call tasks of the outbox's former "call" channel become tasks: same member, text, state and closing."""

from django.db import migrations

# event of the outbox row → (task kind, subject type of the id in its dedupe key "<event>:<id>:call")
KNOWN_EVENTS = {
    "vehicle.three_day_call": ("three_day_call", "vehicle"),
    "repayment.overdue_7": ("collection_call", "installment"),
}


def _subject_id(dedupe_key: str) -> int | None:
    parts = dedupe_key.split(":")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None  # noqa: PLR2004


def copy_call_tasks(apps, schema_editor):
    call_task_model = apps.get_model("notifications", "StaffCallTask")
    task_model = apps.get_model("staff_tasks", "Task")
    member_model = apps.get_model("members", "Member")
    installment_model = apps.get_model("orders", "Installment")
    members = dict(member_model.objects.values_list("user_id", "id"))
    stores = dict(member_model.objects.values_list("id", "preferred_store_id"))
    tasks = []
    for old in call_task_model.objects.select_related("notification").order_by("pk").iterator():
        notification = old.notification
        kind, subject_type = KNOWN_EVENTS.get(notification.event, ("custom", ""))
        subject_id = _subject_id(notification.dedupe_key) if subject_type else None
        member_id = members.get(old.member_user_id)
        store_id = stores.get(member_id)
        if subject_type == "installment" and subject_id is not None:
            store_id = (
                installment_model.objects.filter(pk=subject_id).values_list("loan__order__store_id", flat=True).first()
                or store_id
            )
        done = old.state == "done"
        tasks.append(
            task_model(
                kind=kind, title=old.subject, status="done" if done else "open", store_id=store_id,
                member_id=member_id, subject_type=subject_type if subject_id is not None else "",
                subject_id=subject_id, due_at=notification.send_after, script=old.script,
                # The old outcome was free text: it is the agent's note; no outcome code can be inferred from it.
                note=old.outcome, completed_by_id=old.closed_by_id if done else None,
                completed_at=old.closed_at if done else None, created_at=old.created_at,
                dedupe_key=f"call:{notification.dedupe_key}",
            )
        )  # fmt: skip
    task_model.objects.bulk_create(tasks, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("staff_tasks", "0002_default_task_rules"),
        ("notifications", "0011_inbox_sql_functions_current"),
        ("members", "0002_access_token_bound_to_password"),
        ("orders", "0002_installment_coupon"),
    ]

    operations = [migrations.RunPython(copy_call_tasks, migrations.RunPython.noop)]
