from django.db import migrations


def seed_rules(apps, schema_editor):
    from staff_tasks.defaults import ensure_default_task_rules

    ensure_default_task_rules(rule_model=apps.get_model("staff_tasks", "TaskRule"))


class Migration(migrations.Migration):
    dependencies = [("staff_tasks", "0001_tasks_and_rules")]

    operations = [migrations.RunPython(seed_rules, migrations.RunPython.noop)]
