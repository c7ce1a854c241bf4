"""The loan system's repayment file (CSV or Excel), applied whole or not at all, set-based.

One row per payment: ``reference`` (the loan system's payment reference), ``contract`` (the application number),
``installment`` (its number on that loan), ``amount``, ``paid_on`` (the Chinese headers 流水号, 合同号, 期数, 金额,
还款日期 are read too). The file is streamed row by row into a temporary table (``COPY`` on PostgreSQL), so memory
stays flat whatever its size; then a handful of statements check every row at once, lock the installments it pays,
insert the new payments and add them to their installments. A reference already recorded (same installment, same
amount) is skipped, so the same file twice changes nothing. Any bad row rejects the file, naming the row and why.
"""

import csv
import datetime
import logging
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.enums import InstallmentStatus, PaymentSource, RepaymentImportStatus
from orders.exceptions import RepaymentFileInvalid
from orders.models import RepaymentImport
from orders.repayments import cancel_collection_calls

logger = logging.getLogger("member_center.orders")

COLUMNS = ("reference", "contract", "installment", "amount", "paid_on")
HEADER_ALIASES = {
    "流水号": "reference",
    "合同号": "contract",
    "期数": "installment",
    "金额": "amount",
    "还款日期": "paid_on",
}
MAX_ERRORS = 100
TABLE = "repayment_rows"
# Rounded to the fen: exact on PostgreSQL, and the SQLite demo's floating point cannot leave a 0.000001 unpaid.
FULLY_PAID = (
    "ROUND(orders_installment.amount - orders_installment.deduction - orders_installment.paid_amount - paid.total, 2)"
    " <= 0"
)


class FileErrors(RepaymentFileInvalid):
    def __init__(self, errors: list[dict]) -> None:
        super().__init__()
        self.errors = errors


def progress_key(repayment_import_id: int) -> str:
    return f"repayment-import:{repayment_import_id}:progress"


def get_progress(*, repayment_import: RepaymentImport) -> dict:
    """What the upload page's bar shows: ``{"status", "done", "total", "percent"}``."""
    if repayment_import.status in (RepaymentImportStatus.DONE, RepaymentImportStatus.REJECTED):
        total = repayment_import.total_rows
        return {"status": repayment_import.status, "done": total, "total": total, "percent": 100}
    progress = cache.get(progress_key(repayment_import.pk)) or {"done": 0, "total": 0}
    percent = int(100 * progress["done"] / progress["total"]) if progress["total"] else 0
    return {"status": repayment_import.status, **progress, "percent": min(percent, 99)}


def _report(repayment_import_id: int, *, done: int, total: int) -> None:
    cache.set(progress_key(repayment_import_id), {"done": done, "total": max(total, done)}, 24 * 3600)


# Reading ------------------------------------------------------------------------------------------------------


def _is_excel(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def count_rows(path: Path) -> int:
    """Data rows in the file (for the progress bar), read in chunks."""
    if _is_excel(path):
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        try:
            return max((workbook.active.max_row or 1) - 1, 0)
        finally:
            workbook.close()
    lines = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


def read_rows(path: Path) -> Iterator[list]:
    """The file's rows (header first) as lists of cells, streamed."""
    if _is_excel(path):
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            yield from (list(row) for row in workbook.active.iter_rows(values_only=True))
        finally:
            workbook.close()
        return
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            yield from csv.reader(stream)
    except UnicodeDecodeError:
        raise FileErrors([{"row": 0, "reason": _("The file is not CSV in UTF-8 or Excel (.xlsx).")}]) from None


def _column_positions(header: list) -> dict[str, int]:
    names = [HEADER_ALIASES.get(str(cell or "").strip(), str(cell or "").strip().lower()) for cell in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise FileErrors([{"row": 1, "reason": _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}}])
    return {column: names.index(column) for column in COLUMNS}


def _parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value).strip().replace("/", "-"))


def parse_row(cells: list, positions: dict[str, int]) -> tuple[tuple | None, str]:
    """(reference, contract, installment number, amount, paid_on) of one row, or None and the reason it is bad."""

    def cell(column: str) -> str:
        index = positions[column]
        value = cells[index] if index < len(cells) else None
        return "" if value is None else str(value).strip()

    reference, contract = cell("reference"), cell("contract")
    if not reference or len(reference) > 64:
        return None, _("the payment reference is missing or longer than 64 characters")
    if not contract or len(contract) > 24:
        return None, _("the contract number is missing")
    number = cell("installment")
    if not number.isdigit() or not 0 < int(number) < 1000:
        return None, _("the installment number %(value)r is not a whole number") % {"value": number}
    try:
        amount = Decimal(cell("amount").replace(",", ""))
    except InvalidOperation:
        return None, _("the amount %(value)r is not a number") % {"value": cell("amount")}
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")) or amount >= 10**10:
        return None, _("the amount %(value)s must be positive, in yuan and fen") % {"value": cell("amount")}
    raw_date = cells[positions["paid_on"]] if positions["paid_on"] < len(cells) else None
    try:
        paid_on = _parse_date(raw_date)
    except (TypeError, ValueError):
        return None, _("the payment date %(value)r is not a date (YYYY-MM-DD)") % {"value": cell("paid_on")}
    return (reference, contract, int(number), amount, paid_on), ""


# Loading ------------------------------------------------------------------------------------------------------


def _create_table(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    on_commit = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    cursor.execute(
        f"""CREATE TEMPORARY TABLE {TABLE} (
            row_number INTEGER NOT NULL, reference VARCHAR(64) NOT NULL, contract VARCHAR(24) NOT NULL,
            number INTEGER NOT NULL, amount NUMERIC(12, 2) NOT NULL, paid_on DATE NOT NULL,
            installment_id BIGINT, is_new BOOLEAN NOT NULL DEFAULT TRUE
        ){on_commit}"""
    )


def _load(cursor, *, path: Path, repayment_import_id: int, total: int) -> tuple[int, list[dict]]:
    """Stream the file's good rows into the table; returns the row count and the bad rows."""
    rows = read_rows(path)
    header = next(rows, None)
    if header is None:
        raise FileErrors([{"row": 1, "reason": _("The file is empty.")}])
    positions = _column_positions(header)
    errors: list[dict] = []
    every = settings.REPAYMENT_IMPORT_PROGRESS_EVERY
    count = 0

    def parsed() -> Iterator[tuple]:
        nonlocal count
        for row_number, cells in enumerate(rows, start=2):
            if not any(cell not in (None, "") for cell in cells):
                continue  # blank lines (e.g. a trailing one) are not rows
            count += 1
            values, reason = parse_row(cells, positions)
            if values is None:
                if len(errors) < MAX_ERRORS:
                    errors.append({"row": row_number, "reason": reason})
            else:
                yield (row_number, *values)
            if count % every == 0:
                _report(repayment_import_id, done=count, total=total)

    columns = "row_number, reference, contract, number, amount, paid_on"
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {TABLE} ({columns}) FROM STDIN") as copy:
            for values in parsed():
                copy.write_row(values)
    else:
        insert = f"INSERT INTO {TABLE} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608  (our names)
        batch = []
        for values in parsed():
            batch.append((*values[:4], str(values[4]), values[5].isoformat()))
            if len(batch) >= every:
                cursor.executemany(insert, batch)
                batch.clear()
        if batch:
            cursor.executemany(insert, batch)
    return count, errors


# Checking and applying ----------------------------------------------------------------------------------------


def _errors(cursor, sql: str, params: list, reason) -> list[dict]:
    cursor.execute(f"{sql} ORDER BY 1 LIMIT {MAX_ERRORS}", params)
    return [{"row": row[0], "reason": reason(*row[1:])} for row in cursor.fetchall()]


def _check_rows(cursor) -> list[dict]:
    """Every row names an installment, no reference twice, no reference recorded for other money."""
    cursor.execute(f"CREATE INDEX {TABLE}_reference ON {TABLE} (reference)")
    cursor.execute(
        f"""UPDATE {TABLE} SET installment_id = (
                SELECT i.id FROM orders_installment i
                JOIN orders_loan l ON l.id = i.loan_id JOIN orders_order o ON o.id = l.order_id
                WHERE o.number = {TABLE}.contract AND i.number = {TABLE}.number),
            is_new = NOT EXISTS (SELECT 1 FROM orders_payment p WHERE p.reference = {TABLE}.reference)"""  # noqa: S608
    )
    errors = _errors(
        cursor, f"SELECT row_number, contract, number FROM {TABLE} WHERE installment_id IS NULL", [],  # noqa: S608
        lambda contract, number: _("contract %(contract)s has no installment %(number)s")
        % {"contract": contract, "number": number},
    )  # fmt: skip
    errors += _errors(
        cursor,
        f"""SELECT row_number, reference, first_row FROM (
                SELECT row_number, reference,
                       MIN(row_number) OVER (PARTITION BY reference) AS first_row
                FROM {TABLE}) AS numbered
            WHERE row_number > first_row""",  # noqa: S608
        [],
        lambda reference, first_row: (
            _("payment reference %(reference)s is already on row %(row)s") % {"reference": reference, "row": first_row}
        ),
    )
    errors += _errors(
        cursor,
        f"""SELECT r.row_number, r.reference FROM {TABLE} r JOIN orders_payment p ON p.reference = r.reference
            WHERE p.installment_id <> r.installment_id OR p.amount <> r.amount""",  # noqa: S608
        [],
        lambda reference: (
            _("payment reference %(reference)s is already recorded for other money") % {"reference": reference}
        ),
    )
    return errors


def _lock_installments(cursor) -> None:
    """Take the paid installments' row locks (in id order, as every payment service does) before checking what is
    left on them: a payment recorded at the same moment waits, or is seen."""
    if connection.vendor == "postgresql":
        cursor.execute(
            f"""SELECT id FROM orders_installment WHERE id IN (SELECT installment_id FROM {TABLE} WHERE is_new)
                ORDER BY id FOR UPDATE"""  # noqa: S608
        )


def _check_overpayment(cursor) -> list[dict]:
    return _errors(
        cursor,
        f"""SELECT row_number, left_before FROM (
                SELECT r.row_number, i.amount - i.deduction - i.paid_amount AS left_before,
                       SUM(r.amount) OVER (PARTITION BY r.installment_id ORDER BY r.row_number) AS running
                FROM {TABLE} r JOIN orders_installment i ON i.id = r.installment_id WHERE r.is_new) AS paid
            WHERE ROUND(running - left_before, 2) > 0""",  # noqa: S608
        [],
        lambda left: (
            _("more than is still due on the installment (¥%(left)s)")
            % {"left": Decimal(str(left)).quantize(Decimal("0.01"))}
        ),
    )


def _apply(cursor, *, repayment_import: RepaymentImport) -> int:
    now, today = timezone.now(), timezone.localdate()
    cursor.execute(
        f"""INSERT INTO orders_payment
                (installment_id, amount, paid_on, reference, source, recorded_by_id, repayment_import_id, created_at)
            SELECT installment_id, amount, paid_on, reference, %s, %s, %s, %s FROM {TABLE} WHERE is_new""",  # noqa: S608
        [PaymentSource.IMPORTED, repayment_import.created_by_id, repayment_import.pk, now],
    )
    applied = max(cursor.rowcount, 0)
    # Column references on the right of SET read the row as it was, on both engines.
    cursor.execute(
        f"""UPDATE orders_installment SET
                paid_amount = orders_installment.paid_amount + paid.total,
                status = CASE
                    WHEN {FULLY_PAID} THEN %s
                    WHEN orders_installment.due_on < %s THEN %s ELSE %s END,
                paid_at = CASE WHEN {FULLY_PAID} THEN %s ELSE orders_installment.paid_at END
            FROM (SELECT installment_id, SUM(amount) AS total FROM {TABLE} WHERE is_new GROUP BY installment_id) paid
            WHERE orders_installment.id = paid.installment_id""",  # noqa: S608
        [InstallmentStatus.PAID, today, InstallmentStatus.OVERDUE, InstallmentStatus.PARTLY_PAID, now],
    )
    cancel_collection_calls(
        installment_ids_sql=f"""SELECT i.id FROM orders_installment i
            WHERE i.status = %s AND i.id IN (SELECT installment_id FROM {TABLE} WHERE is_new)""",  # noqa: S608
        params=[InstallmentStatus.PAID],
    )
    return applied


@transaction.atomic
def _load_check_and_apply(*, repayment_import: RepaymentImport, path: Path, total: int) -> tuple[int, int]:
    """Rows read and payments recorded; FileErrors (after rolling back to before the file) when any row is bad."""
    with connection.cursor() as cursor:
        _create_table(cursor)
        count, errors = _load(cursor, path=path, repayment_import_id=repayment_import.pk, total=total)
        repayment_import.total_rows = count
        errors += _check_rows(cursor)
        _lock_installments(cursor)
        errors += _check_overpayment(cursor)
        if errors:
            raise FileErrors(errors)
        applied = _apply(cursor, repayment_import=repayment_import)
        if connection.vendor != "postgresql":
            cursor.execute(f"DROP TABLE {TABLE}")
    return count, applied


def apply_repayment_file(*, repayment_import_id: int) -> RepaymentImport:
    """Apply one uploaded repayment file: all its payments in one transaction, or none and the reasons. Safe to run
    twice (a finished file is left as it is)."""
    errors: list[dict] = []
    with transaction.atomic():
        repayment_import = RepaymentImport.objects.select_for_update().get(pk=repayment_import_id)
        if repayment_import.status in (RepaymentImportStatus.DONE, RepaymentImportStatus.REJECTED):
            return repayment_import
        path = Path(repayment_import.file.path)
        total = count_rows(path)
        _report(repayment_import.pk, done=0, total=total)
        try:
            count, applied = _load_check_and_apply(repayment_import=repayment_import, path=path, total=total)
        except FileErrors as error:
            errors = sorted(error.errors, key=lambda item: item["row"])[:MAX_ERRORS]
            repayment_import.status = RepaymentImportStatus.REJECTED
            repayment_import.errors = errors
        else:
            repayment_import.status = RepaymentImportStatus.DONE
            repayment_import.applied_count = applied
            repayment_import.already_recorded_count = count - applied
        repayment_import.finished_at = timezone.now()
        repayment_import.save()
    logger.info(
        "repayment file applied",
        extra={"repayment_import_id": repayment_import.pk, "status": repayment_import.status, "errors": len(errors)},
    )
    return repayment_import


@transaction.atomic
def start_repayment_import(*, uploaded_file, actor) -> RepaymentImport:
    """Keep the uploaded file and queue its import after commit (the demo without a broker runs it at once)."""
    from common.tasks import enqueue
    from orders.tasks import apply_repayment_file_task

    name = (uploaded_file.name or "repayments.csv")[-200:]
    repayment_import = RepaymentImport.objects.create(file=uploaded_file, original_name=name, created_by=actor)
    transaction.on_commit(lambda: enqueue(apply_repayment_file_task, repayment_import_id=repayment_import.pk))
    return repayment_import
