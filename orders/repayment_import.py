"""The loan system's repayment file (CSV or Excel), applied whole or not at all, set-based.

One row per payment: ``reference`` (the loan system's payment reference), ``contract`` (the application number),
``installment`` (its number on that loan), ``amount``, ``paid_on`` (the Chinese headers 流水号, 合同号, 期数, 金额,
还款日期 are read too). The file is streamed row by row into a temporary table (``COPY`` on PostgreSQL), so memory
stays flat whatever its size; then the installments are locked, one statement checks, types and joins every row to
its installment and to any payment already recorded under its reference, one scan finds the rows that are bad on
their own, and two statements add the new payments to their installments and record them. A reference on two new
rows and more than is left on an installment are refused by the database's own constraints while they are recorded
(the payments' unique reference, the installments' ``installment_not_overpaid``): the recording is undone and only
then are the rows sorted to name them. A reference already recorded (same installment, same amount) is skipped, so
the same file twice changes nothing. Any bad row rejects the file, naming the row and why.
"""

import csv
import datetime
import logging
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
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
RAW = "repayment_raw"
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


def _excel_cell(value) -> str:
    """An Excel cell as the text a CSV file would hold (whole numbers without ".0", dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _excel_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for row in workbook.active.iter_rows(values_only=True):
            yield [_excel_cell(value) for value in row]
    finally:
        workbook.close()


def _csv_header(path: Path) -> tuple[list[str], int]:
    """The header's cells and the byte offset where the data rows start."""
    with path.open("rb") as stream:
        line = stream.readline()
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileErrors([{"row": 1, "reason": _("The file is not CSV in UTF-8 or Excel (.xlsx).")}]) from None
    return next(csv.reader([text]), []), len(line)


def _column_positions(header: list) -> dict[str, int]:
    names = [HEADER_ALIASES.get(str(cell or "").strip(), str(cell or "").strip().lower()) for cell in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise FileErrors([{"row": 1, "reason": _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}}])
    return {column: names.index(column) for column in COLUMNS}


# Loading: the file's cells as text, row by row as they come, into a temporary table --------------------------


def _create_raw_table(cursor, *, width: int) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {RAW}")
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cells = ", ".join(f"c{index} TEXT" for index in range(width))
    if connection.vendor == "postgresql":
        # COPY fills the rows in file order, so the identity is the file's row number (the header is row 1). Its
        # numbers are taken 10,000 at a time rather than one sequence access a row.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {RAW} (row_number BIGINT GENERATED BY DEFAULT AS IDENTITY "
            f"(START WITH 2 CACHE 10000), {cells}) ON COMMIT DROP"
        )
    else:
        cursor.execute(f"CREATE TEMPORARY TABLE {RAW} (row_number INTEGER NOT NULL, {cells})")


def _copy_csv(cursor, *, path: Path, offset: int, width: int, report) -> None:
    """PostgreSQL: the file's bytes after the header straight into COPY, in chunks (nothing per row in Python)."""
    import psycopg

    columns = ", ".join(f"c{index}" for index in range(width))
    size, sent = path.stat().st_size, offset
    try:
        with (
            cursor.cursor.copy(f"COPY {RAW} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy,
            path.open("rb") as stream,
        ):
            stream.seek(offset)
            pending = b""
            while chunk := stream.read(1 << 20):
                if pending:
                    copy.write(pending)
                    sent += len(pending)
                    report(sent / size)
                pending = chunk
            # Blank lines at the end of a file are not rows.
            pending = pending.rstrip(b"\r\n\t ")
            if pending:
                copy.write(pending + b"\n")
    except (psycopg.DataError, psycopg.errors.BadCopyFileFormat) as error:
        line = re.search(r"line (\d+)", (error.diag.context or "") + str(error))
        row = int(line.group(1)) + 1 if line else 0
        reason = _("the row does not have the %(count)s columns of the header, or is not UTF-8 text") % {"count": width}
        raise FileErrors([{"row": row, "reason": reason}]) from None


def _insert_rows(cursor, *, rows: Iterator[list[str]], width: int, report) -> None:
    """Excel files, and the SQLite demo: the cells as text, in batches."""
    every = settings.REPAYMENT_IMPORT_PROGRESS_EVERY
    placeholders = ", ".join(["%s"] * (width + 1))
    insert = f"INSERT INTO {RAW} VALUES ({placeholders})"  # noqa: S608  (our names)
    batch = []
    for row_number, cells in enumerate(rows, start=2):
        if not any(cells):
            continue  # a blank line is not a row
        batch.append((row_number, *(cells + [""] * width)[:width]))
        if len(batch) >= every:
            cursor.executemany(insert, batch)
            batch.clear()
            report(None, done=row_number - 1)
    if batch:
        cursor.executemany(insert, batch)


def _load(cursor, *, path: Path, repayment_import_id: int, total: int) -> dict[str, str]:
    """The file into the raw table; returns each column's raw cell expression."""
    if _is_excel(path):
        rows = _excel_rows(path)
        header = next(rows, None)
        if header is None:
            raise FileErrors([{"row": 1, "reason": _("The file is empty.")}])
    else:
        header, offset = _csv_header(path)
    positions = _column_positions(header)
    width = len(header)

    def report(fraction, done=None):
        _report(repayment_import_id, done=done if done is not None else int(total * fraction), total=total)

    _create_raw_table(cursor, width=width)
    if _is_excel(path):
        _insert_rows(cursor, rows=rows, width=width, report=report)
    elif connection.vendor == "postgresql":
        _copy_csv(cursor, path=path, offset=offset, width=width, report=report)
    else:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            next(reader, None)
            try:
                _insert_rows(cursor, rows=reader, width=width, report=report)
            except UnicodeDecodeError:
                raise FileErrors([{"row": 0, "reason": _("The file is not CSV in UTF-8 or Excel (.xlsx).")}]) from None
    return {column: f"TRIM(COALESCE(r.c{index}, ''))" for column, index in positions.items()}


# Checking and applying ----------------------------------------------------------------------------------------


# The patterns end with \Z, the end of the text on both engines (SQLite's REGEXP is Python's, whose $ also matches
# before a line break at the end).
_DATE_SHAPE = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\Z"
_INSTALLMENT_NUMBER = r"^0*[1-9][0-9]{0,2}\Z"


def _matches(expression: str, pattern: str) -> str:
    operator = "~" if connection.vendor == "postgresql" else "REGEXP"
    return f"({expression} {operator} '{pattern}')"


def _valid_date(column: str) -> str:
    """YYYY-MM-DD of a day that exists (no casts that could fail: a bad date must be a row's error, not the file's).
    Only a 29th, 30th or 31st needs its month's length."""
    shaped = _matches(column, _DATE_SHAPE)
    year, day = f"CAST(SUBSTR({column}, 1, 4) AS INTEGER)", f"CAST(SUBSTR({column}, 9, 2) AS INTEGER)"
    is_leap = f"({year} % 4 = 0 AND ({year} % 100 <> 0 OR {year} % 400 = 0))"
    last_day = (
        f"CASE SUBSTR({column}, 6, 2) WHEN '02' THEN CASE WHEN {is_leap} THEN 29 ELSE 28 END "
        "WHEN '04' THEN 30 WHEN '06' THEN 30 WHEN '09' THEN 30 WHEN '11' THEN 30 ELSE 31 END"
    )
    late = f"SUBSTR({column}, 9, 2) IN ('29', '30', '31')"
    return f"(CASE WHEN {shaped} THEN NOT {late} OR {day} <= {last_day} ELSE FALSE END)"


def _digits_as_hashes(expression: str) -> str:
    """The text with each ASCII digit written as ``#``: one TRANSLATE on PostgreSQL; on SQLite, which has none, a
    REPLACE a digit."""
    if connection.vendor == "postgresql":
        return f"TRANSLATE({expression}, '0123456789', '##########')"
    for digit in "0123456789":
        expression = f"REPLACE({expression}, '{digit}', '#')"
    return expression


# Every shape of an amount in yuan and fen, its digits written as #: 1 to 10 digits of yuan, then none, one or two of
# fen. One lookup in a (hashed) list is cheaper than a regular expression a cell.
_AMOUNT_SHAPES = ", ".join(f"'{'#' * yuan}{fen}'" for yuan in range(1, 11) for fen in ("", ".#", ".##"))


def _cell_checks() -> list[tuple[str, str]]:
    """(the column, a condition true when its trimmed cell is bad), in the order a row's reason is chosen."""
    return [
        ("reference", "(reference = '' OR LENGTH(reference) > 64)"),
        ("contract", "(contract = '' OR LENGTH(contract) > 24)"),
        ("installment", f"NOT {_matches('installment', _INSTALLMENT_NUMBER)}"),
        # Not zero: nothing left once the zeros and points in front are taken out.
        ("amount", f"({_digits_as_hashes('amount')} NOT IN ({_AMOUNT_SHAPES}) OR LTRIM(amount, '0.') = '')"),
        ("paid_on", f"NOT {_valid_date('paid_on')}"),
    ]


def _resolve(cursor, cells: dict[str, str]) -> int:
    """One pass over the file's rows into ``TABLE``: each row's cells trimmed, checked and typed, and each good row
    joined to the installment it pays (with what is left on it) and to the payment already recorded under its
    reference. Returns the rows read."""
    checks = _cell_checks()
    problem = "CASE " + " ".join(f"WHEN {condition} THEN '{column}'" for column, condition in checks) + " END"
    is_postgresql = connection.vendor == "postgresql"
    # SQLite keeps dates as ISO text (a CAST would make a number of the year).
    paid_on = "CAST(paid_on AS DATE)" if is_postgresql else "paid_on"
    on_commit = " ON COMMIT DROP" if is_postgresql else ""
    # Each cell is trimmed once and checked once, whatever reads the result: on PostgreSQL a subquery with OFFSET 0
    # is computed row by row as written, neither folded into the query that reads it (which would repeat each
    # expression wherever its result is used) nor stored on the side (as a MATERIALIZED CTE is). The cells' text is
    # kept for the bad rows only (their reasons quote it), the contract and the number for the rows that match no
    # installment (theirs too).
    fence = " OFFSET 0" if is_postgresql else ""
    cursor.execute(
        f"""CREATE TEMPORARY TABLE {TABLE}{on_commit} AS
            SELECT t.row_number, t.reference, t.problem, t.installment_text, t.amount_text, t.paid_on_text,
                   CASE WHEN i.id IS NULL THEN t.contract END AS contract,
                   CASE WHEN i.id IS NULL THEN t.number END AS number, t.amount, t.paid_on, i.id AS installment_id,
                   i.amount - i.deduction - i.paid_amount AS left_before, p.id IS NULL AS is_new,
                   (p.installment_id <> i.id OR p.amount <> t.amount) AS other_money
            FROM (
                SELECT row_number, reference, contract, problem,
                       CASE WHEN problem IS NOT NULL THEN installment END AS installment_text,
                       CASE WHEN problem IS NOT NULL THEN amount END AS amount_text,
                       CASE WHEN problem IS NOT NULL THEN paid_on END AS paid_on_text,
                       CASE WHEN problem IS NULL THEN CAST(installment AS INTEGER) END AS number,
                       CASE WHEN problem IS NULL THEN CAST(amount AS NUMERIC(12, 2)) END AS amount,
                       CASE WHEN problem IS NULL THEN {paid_on} END AS paid_on
                FROM (
                    SELECT trimmed.*, {problem} AS problem FROM (
                        SELECT r.row_number, {cells["reference"]} AS reference, {cells["contract"]} AS contract,
                               {cells["installment"]} AS installment, REPLACE({cells["amount"]}, ',', '') AS amount,
                               REPLACE({cells["paid_on"]}, '/', '-') AS paid_on
                        FROM {RAW} r{fence}) AS trimmed{fence}) AS checked) AS t
            LEFT JOIN orders_order o ON o.number = t.contract AND t.problem IS NULL
            LEFT JOIN orders_loan l ON l.order_id = o.id
            LEFT JOIN orders_installment i ON i.loan_id = l.id AND i.number = t.number
            LEFT JOIN orders_payment p ON p.reference = t.reference AND t.problem IS NULL"""  # noqa: S608
    )
    count = cursor.rowcount
    if count >= 0:
        return count
    cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")  # noqa: S608  (SQLite does not count a CREATE TABLE … AS)
    return cursor.fetchone()[0]


def _errors(cursor, sql: str, params: list, reason) -> list[dict]:
    cursor.execute(f"{sql} ORDER BY 1 LIMIT {MAX_ERRORS}", params)
    return [{"row": row[0], "reason": reason(*row[1:])} for row in cursor.fetchall()]


def _row_reason(row: tuple) -> str:
    _row, problem, installment, amount, paid_on, contract, number, reference, installment_id = row
    cell_reasons = {
        "reference": lambda: _("the payment reference is missing or longer than 64 characters"),
        "contract": lambda: _("the contract number is missing"),
        "installment": lambda: _("the installment number %(value)r is not a whole number") % {"value": installment},
        "amount": lambda: _("the amount %(value)r is not a positive amount in yuan and fen") % {"value": amount},
        "paid_on": lambda: _("the payment date %(value)r is not a date (YYYY-MM-DD)") % {"value": paid_on},
    }
    if problem is not None:
        return cell_reasons[problem]()
    if installment_id is None:
        return _("contract %(contract)s has no installment %(number)s") % {"contract": contract, "number": number}
    return _("payment reference %(reference)s is already recorded for other money") % {"reference": reference}


def _row_errors(cursor) -> list[dict]:
    """What is wrong with a row on its own, in one scan: a cell that is not a value, no such installment, or a
    reference recorded for other money."""
    cursor.execute(
        f"""SELECT row_number, problem, installment_text, amount_text, paid_on_text, contract, number, reference,
                   installment_id
            FROM {TABLE} WHERE problem IS NOT NULL OR installment_id IS NULL OR other_money
            ORDER BY row_number LIMIT {MAX_ERRORS}"""  # noqa: S608
    )
    return [{"row": row[0], "reason": _row_reason(row)} for row in cursor.fetchall()]


def _has(cursor, sql: str) -> bool:
    cursor.execute(f"SELECT EXISTS ({sql})")
    return bool(cursor.fetchone()[0])


def _repeated_references(cursor) -> list[dict]:
    """A reference on more than one good row: every row after its first. (A hash aggregate finds out whether there is
    any; only then does the window, which sorts every row, name them.)"""
    if not _has(cursor, f"SELECT 1 FROM {TABLE} WHERE problem IS NULL GROUP BY reference HAVING COUNT(*) > 1"):  # noqa: S608
        return []
    return _errors(
        cursor,
        f"""SELECT row_number, reference, first_row FROM (
                SELECT row_number, reference, MIN(row_number) OVER (PARTITION BY reference) AS first_row
                FROM {TABLE} WHERE problem IS NULL) AS numbered
            WHERE row_number > first_row""",  # noqa: S608
        [],
        lambda reference, first_row: (
            _("payment reference %(reference)s is already on row %(row)s") % {"reference": reference, "row": first_row}
        ),
    )


def _recorded_reference_twice(cursor) -> bool:
    """Whether a reference already recorded is on more than one row (rows the payments' unique reference never sees:
    they are not recorded again). Few rows on a new file."""
    return _has(cursor, f"SELECT 1 FROM {TABLE} WHERE NOT is_new GROUP BY reference HAVING COUNT(*) > 1")  # noqa: S608


def _overpayments(cursor) -> list[dict]:
    """The new rows that take an installment past what is left on it, the row where it happens and every one after
    (read after the installments are locked, so what is left holds until the payments are in)."""
    if not _has(
        cursor,
        f"""SELECT 1 FROM {TABLE} WHERE is_new AND installment_id IS NOT NULL GROUP BY installment_id
            HAVING ROUND(SUM(amount) - MIN(left_before), 2) > 0""",  # noqa: S608
    ):
        return []
    return _errors(
        cursor,
        f"""SELECT row_number, left_before FROM (
                SELECT row_number, left_before,
                       SUM(amount) OVER (PARTITION BY installment_id ORDER BY row_number) AS running
                FROM {TABLE} WHERE is_new AND installment_id IS NOT NULL) AS paid
            WHERE ROUND(running - left_before, 2) > 0""",  # noqa: S608
        [],
        lambda left: (
            _("more than is still due on the installment (¥%(left)s)")
            % {"left": Decimal(str(left)).quantize(Decimal("0.01"))}
        ),
    )


def _lock_installments(cursor) -> None:
    """Hold every installment still from before the rows are joined to them until the payments are in: what is left
    on each, and which references are already recorded, cannot change under the file. A file pays up to hundreds of
    thousands of installments: one table lock instead of that many row locks. EXCLUSIVE mode lets reads (pages,
    reminders) go on; a payment or coupon on any installment waits for the file (its ``SELECT … FOR UPDATE``
    conflicts), a file waits for payments already under way, and a second upload of the same file waits for the
    first and then finds its references recorded."""
    if connection.vendor == "postgresql":
        cursor.execute("LOCK TABLE orders_installment IN EXCLUSIVE MODE")


def _paid_per_installment(cursor) -> str:
    """What the new rows add to each installment they pay: a row each when no installment has two (a file's usual
    case, no grouping), else their sums."""
    if not _has(cursor, f"SELECT 1 FROM {TABLE} WHERE is_new GROUP BY installment_id HAVING COUNT(*) > 1"):  # noqa: S608
        return f"SELECT installment_id, amount AS total FROM {TABLE} WHERE is_new"  # noqa: S608
    if connection.vendor == "postgresql":
        # The column's statistics: without them the planner guesses 200 groups and updates 200,000 installments
        # through the index one by one instead of one hash join.
        cursor.execute(f"ANALYZE {TABLE} (installment_id)")
    return f"SELECT installment_id, SUM(amount) AS total FROM {TABLE} WHERE is_new GROUP BY installment_id"  # noqa: S608


def _apply(cursor, *, repayment_import: RepaymentImport) -> int:
    """Record the new rows as payments and add them to their installments. The payments' unique reference and the
    installments' check (``installment_not_overpaid``) refuse, with an IntegrityError, a reference on two new rows and
    more than is left on an installment. (The payments go in first: the check of their installments then reads the
    installments before their update, one version of each.)"""
    now, today = timezone.now(), timezone.localdate()
    # Who recorded an imported payment is the file's uploader, read through the file (``recorded_by`` stays empty):
    # a foreign key filled on every row is a check per row when the transaction commits.
    cursor.execute(
        f"""INSERT INTO orders_payment
                (installment_id, amount, paid_on, reference, source, recorded_by_id, repayment_import_id, created_at)
            SELECT installment_id, amount, paid_on, reference, %s, NULL, %s, %s FROM {TABLE} WHERE is_new""",  # noqa: S608
        [PaymentSource.IMPORTED, repayment_import.pk, now],
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
            FROM ({_paid_per_installment(cursor)}) paid
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
        if connection.vendor == "postgresql":
            # Room for the hash joins and aggregates over a big file to stay in memory (this transaction only).
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cells = _load(cursor, path=path, repayment_import_id=repayment_import.pk, total=total)
        _lock_installments(cursor)
        count = _resolve(cursor, cells)
        repayment_import.total_rows = count
        errors = _row_errors(cursor)
        if errors or _recorded_reference_twice(cursor):
            raise FileErrors(errors + _repeated_references(cursor) + _overpayments(cursor))
        try:
            with transaction.atomic():
                applied = _apply(cursor, repayment_import=repayment_import)
        except IntegrityError:
            # A new reference on two rows, or more than is left on an installment, refused while the payments were
            # recorded (and undone with them): only now are the rows sorted to name them.
            errors = _repeated_references(cursor) + _overpayments(cursor)
            if not errors:
                raise
            raise FileErrors(errors) from None
        if connection.vendor != "postgresql":
            cursor.execute(f"DROP TABLE {TABLE}")
            cursor.execute(f"DROP TABLE {RAW}")
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
