from django.db import migrations


def seed_targets(apps, schema_editor):
    from crm.care.complaints.defaults import default_targets

    SlaTarget = apps.get_model("complaints", "SlaTarget")
    for target in default_targets():
        SlaTarget.objects.get_or_create(
            category=target["category"], severity=target["severity"],
            defaults={"first_response_hours": target["first_response_hours"],
                      "resolution_hours": target["resolution_hours"]},
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(seed_targets, migrations.RunPython.noop)]
