from django.db import migrations


def create_rule(apps, schema_editor):
    # Each completed part of getting ready earns points: profile, verification, and work and income.
    EarnRule = apps.get_model("points", "EarnRule")
    EarnRule.objects.get_or_create(
        event="qualification_completed", defaults={"name": "完善工作与收入信息", "points": 50, "rates": {}, "params": {}}
    )


class Migration(migrations.Migration):
    dependencies = [("points", "0009_qualification_earn_event")]

    operations = [migrations.RunPython(create_rule, migrations.RunPython.noop)]
