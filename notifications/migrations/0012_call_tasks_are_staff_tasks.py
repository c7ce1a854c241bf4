from django.db import migrations


class Migration(migrations.Migration):
    # The rows were copied into staff_tasks.Task first.
    dependencies = [
        ("notifications", "0011_inbox_sql_functions_current"),
        ("staff_tasks", "0003_call_tasks_from_notifications"),
    ]

    operations = [migrations.DeleteModel(name="StaffCallTask")]
