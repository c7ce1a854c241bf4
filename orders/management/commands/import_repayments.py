from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from orders.enums import RepaymentImportStatus
from orders.models import RepaymentImport
from orders.repayment_import import apply_repayment_file


class Command(BaseCommand):
    help = (
        "Apply the loan system's repayment file (CSV or .xlsx; columns reference, contract, installment, amount, "
        "paid_on). All rows or none; the same file again records nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        with path.open("rb") as stream:
            repayment_import = RepaymentImport.objects.create(
                file=File(stream, name=path.name), original_name=path.name
            )
        repayment_import = apply_repayment_file(repayment_import_id=repayment_import.pk)
        if repayment_import.status == RepaymentImportStatus.REJECTED:
            for error in repayment_import.errors:
                self.stderr.write(f"row {error['row']}: {error['reason']}")
            raise CommandError(f"{path.name}: nothing applied, {len(repayment_import.errors)} rows have errors.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {repayment_import.applied_count} payments recorded, "
                f"{repayment_import.already_recorded_count} already recorded."
            )
        )
