from dateutil.relativedelta import relativedelta
from django.db import migrations

# The mainland rules for non-operating small and mini passenger cars since October 2022 (vans excepted): exempt for
# the first six years, an inspection at six and at ten years, then one every year.
DEFAULT_RULES = [
    (0, 72, "6 年内免检"),
    (6, 48, "第 6 年、第 10 年上线检验"),
    (10, 12, "超过 10 年每年检验"),
]


def add_rules_and_tyre_dates(apps, schema_editor):
    InspectionRule = apps.get_model("vehicles", "InspectionRule")
    for from_age_years, interval_months, note in DEFAULT_RULES:
        InspectionRule.objects.get_or_create(
            from_age_years=from_age_years, defaults={"interval_months": interval_months, "note": note}
        )
    OwnedVehicle = apps.get_model("vehicles", "OwnedVehicle")
    cars = OwnedVehicle.objects.filter(tyres_due_on__isnull=True).select_related("trim__car_model")
    for car in cars.iterator():
        car_model = car.trim.car_model
        car.tyres_due_on = car.delivered_on + relativedelta(months=car_model.tyre_interval_months)
        car.tyres_due_km = car_model.tyre_interval_km
        car.save(update_fields=["tyres_due_on", "tyres_due_km"])


class Migration(migrations.Migration):
    dependencies = [("vehicles", "0006_care_records")]

    operations = [migrations.RunPython(add_rules_and_tyre_dates, migrations.RunPython.noop)]
