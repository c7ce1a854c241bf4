"""Service records from a dealer-system export (CSV or Excel), via django-import-export.

Columns: dealer_reference, vin, serviced_on (YYYY-MM-DD), mileage_km, description, is_maintenance (1/0),
customer_amount, insurance_amount, manufacturer_amount, internal_amount. Every row is checked; one bad row rolls
the whole file back and every bad row is reported with its line and reason. Rows are written through
``record_service_visit``, so the next-service date moves and the spend earns points exactly as for any visit.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from vehicles.models import OwnedVehicle, ServiceRecord
from vehicles.services import record_service_visit

AMOUNT_FIELDS = ("customer_amount", "insurance_amount", "manufacturer_amount", "internal_amount")


class ServiceRecordResource(resources.ModelResource):
    vin = fields.Field(
        attribute="vehicle", column_name="vin", widget=widgets.ForeignKeyWidget(OwnedVehicle, field="vin")
    )

    class Meta:
        model = ServiceRecord
        import_id_fields = ["dealer_reference"]
        fields = ["dealer_reference", "vin", "serviced_on", "mileage_km", "description", "is_maintenance",
                  *AMOUNT_FIELDS]  # fmt: skip
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        errors = {}
        if (
            not str(row.get("vin") or "").strip()
            or not OwnedVehicle.objects.filter(vin=str(row["vin"]).strip()).exists()
        ):
            errors["vin"] = "No car with this VIN is registered."
        for name in AMOUNT_FIELDS:
            try:
                if Decimal(str(row.get(name) or "0")) < 0:
                    errors[name] = "Amounts cannot be negative."
            except InvalidOperation:
                errors[name] = "Not an amount."
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run") or not is_create:
            return super().save_instance(instance, is_create, row, **kwargs)
        saved = record_service_visit(
            vehicle_id=instance.vehicle_id,
            dealer_reference=instance.dealer_reference,
            serviced_on=instance.serviced_on,
            mileage_km=instance.mileage_km,
            description=instance.description,
            is_maintenance=instance.is_maintenance,
            amounts={name: getattr(instance, name) for name in AMOUNT_FIELDS},
        )
        instance.pk = saved.pk
        return None
