"""The repayment file's cell checks, SQL on both engines, against what the format allows written in Python: an
installment number of 1 to 3 digits (zeros in front allowed), an amount of 1 to 10 digits of yuan and up to 2 of fen
that is not zero, a date YYYY-MM-DD of a day that exists from 1900 to 2999. Tricky cells and random ones."""

import datetime
import random
import re

import pytest
from django.db import connection

from tests.helpers import run_on_sqlite

CHECKED = ("installment", "amount", "paid_on")

TRICKY = [
    "", "0", "00", "000", "0001", "1", "01", "999", "1000", "0999", "x", "1x", " 1", "1\n", "-1", "+1", "1e3", "１",
    "٣", "1.", ".5", "1.5", "1.55", "1.555", "0.01", "0.00", "00.00", "0.", "0.0.", "1..5", "1.5.", "12345678901",
    "1234567890", "1234567890.99", "01234567890.99", "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29",
    "2100-02-29", "2026-04-31", "2026-04-30", "2026-02-28", "2026-12-31", "2026-01-31", "2026-06-31", "1899-12-31",
    "1900-01-01", "2999-12-31", "3000-01-01", "2026-13-01", "2026-00-01", "2026-01-00", "2026-01-32", "2026-1-01",
    "2026-01-1", "20260101", "2026-01-01x", "２０２６-01-01", "2026/01/01", "2026-01-01 ", "x026-01-01",
]  # fmt: skip


def random_cells(count: int) -> list[str]:
    """Near misses: random strings of digits, points and dashes, and dates with random years, months and days."""
    rng = random.Random(13)
    cells = []
    for _ in range(count):
        if rng.random() < 0.5:
            cells.append("".join(rng.choice("0123456789.-x") for _ in range(rng.randint(0, 13))))
        else:
            year, month, day = rng.randint(1890, 3010), rng.randint(0, 13), rng.randint(0, 32)
            cells.append(f"{year:04d}-{month:02d}-{day:02d}")
    return cells


def is_date(cell: str) -> bool:
    if not re.fullmatch(r"(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])", cell):
        return False
    try:
        datetime.date.fromisoformat(cell)
    except ValueError:
        return False
    return True


def expected_problems(cell: str) -> list[bool]:
    """Whether the cell is bad as an installment number, an amount and a payment date."""
    return [
        not re.fullmatch(r"0*[1-9][0-9]{0,2}", cell),
        not re.fullmatch(r"[0-9]{1,10}(\.[0-9]{1,2})?", cell) or not cell.strip("0."),
        not is_date(cell),
    ]


def checked_problems(cells: list[str]) -> list[list[bool]]:
    """The module's SQL checks of each cell as each of the three columns, on the current database."""
    from orders.repayment_import import _cell_checks

    checks = dict(_cell_checks())
    conditions = ", ".join(f"CASE WHEN {checks[column]} THEN 1 ELSE 0 END" for column in CHECKED).replace("%", "%%")
    rows = ", ".join(["(%s, %s)"] * len(cells))
    params = [value for index, cell in enumerate(cells) for value in (index, cell)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH cells (position, cell) AS (VALUES {rows})
                SELECT {conditions} FROM (SELECT position, cell AS installment, cell AS amount, cell AS paid_on
                                          FROM cells) AS c
                ORDER BY position""",  # noqa: S608  (placeholders and our conditions)
            params,
        )
        return [[bool(flag) for flag in row] for row in cursor.fetchall()]


CELLS = TRICKY + random_cells(1500)


@pytest.mark.django_db
def test_the_cell_checks_refuse_exactly_what_the_format_does_not_allow():
    assert dict(zip(CELLS, checked_problems(CELLS), strict=True)) == {cell: expected_problems(cell) for cell in CELLS}


SQLITE_SCRIPT = r"""
import json
import django
django.setup()
from django.db import connection
assert connection.vendor == "sqlite"
from tests.orders.test_repayment_cells import CELLS, checked_problems
print(json.dumps(checked_problems(CELLS)))
"""


def test_on_the_demo_sqlite_database_the_cell_checks_are_the_same(demo_sqlite, tmp_path):
    problems = run_on_sqlite(SQLITE_SCRIPT, tmp_path=tmp_path)
    assert dict(zip(CELLS, problems, strict=True)) == {cell: expected_problems(cell) for cell in CELLS}
