"""The tag groups and staff tags head office starts with, the segment rules row, and the call after a member churns."""

from django.db import migrations


def seed(apps, schema_editor):
    from crm.segments.defaults import ensure_default_tags
    from staff_tasks.defaults import ensure_default_task_rules

    ensure_default_tags(group_model=apps.get_model("segments", "TagGroup"), tag_model=apps.get_model("segments", "Tag"))
    apps.get_model("segments", "SegmentRules").objects.get_or_create(pk=1)
    ensure_default_task_rules(rule_model=apps.get_model("staff_tasks", "TaskRule"))


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0001_segments_and_tags"),
        ("staff_tasks", "0004_admin_labels"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
