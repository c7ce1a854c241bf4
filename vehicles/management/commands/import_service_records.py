from pathlib import Path

import tablib
from django.core.management.base import BaseCommand, CommandError

from vehicles.imports import ServiceRecordResource


class Command(BaseCommand):
    help = "Import service records from a dealer-system export (.csv or .xlsx). One bad row rolls back the whole file."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        file = Path(path)
        if file.suffix.lower() not in {".csv", ".xlsx"} or not file.exists():
            raise CommandError("Give an existing .csv or .xlsx file.")
        try:
            if file.suffix.lower() == ".csv":
                dataset = tablib.Dataset().load(file.read_text(encoding="utf-8-sig"), format="csv")
            else:
                dataset = tablib.Dataset().load(file.read_bytes(), format="xlsx")
        except Exception as error:  # noqa: BLE001  (any unreadable file is the operator's to fix)
            raise CommandError(f"The file could not be read: {error}") from error
        result = ServiceRecordResource().import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True, raise_errors=False
        )
        problems = [_describe_invalid_row(row) for row in result.invalid_rows]
        problems += [f"line {line}: {errors[0].error}" for line, errors in result.row_errors()]
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"Nothing was imported: {len(problems)} row(s) have errors.")
        totals = result.totals
        self.stdout.write(self.style.SUCCESS(f"Imported {totals['new']} new, {totals['skip']} already known."))


def _describe_invalid_row(row) -> str:
    reasons = [
        f"{field}: {', '.join(str(message) for message in messages)}"
        for field, messages in row.field_specific_errors.items()
    ]
    reasons += [str(message) for message in row.non_field_specific_errors]
    return f"line {row.number + 1}: {'; '.join(reasons)}"
