"""The loan system's repayment file: applied whole or not at all, idempotent by payment reference, per-row errors."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from orders.models import Installment, Payment, RepaymentImport
from orders.repayment_import import apply_repayment_file, get_progress
from tests.members.factories import StoreFactory
from tests.orders.factories import LoanFactory

pytestmark = pytest.mark.django_db

HEADER = "reference,contract,installment,amount,paid_on\n"


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path):
    """Reasons are stored in the language the import runs in (zh-hans by default); these tests read English."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def loans(db):
    store = StoreFactory(code="SZ08")
    return LoanFactory(order__store=store), LoanFactory(order__store=store)


def write(tmp_path, text: str, name="repayments.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def statuses(loan):
    return list(loan.installments.order_by("number").values_list("status", "paid_amount"))


def test_file_pays_full_and_part_and_reports_counts(tmp_path, loans, capsys):
    first, second = loans
    path = write(
        tmp_path,
        HEADER
        + f"R1,{first.order.number},1,2764.14,2026-11-01\n"
        + f"R2,{second.order.number},1,1000.00,2026-11-02\n"
        + f"R3,{second.order.number},1,500.00,2026-11-03\n",
    )
    call_command("import_repayments", str(path))
    assert "3 payments recorded, 0 already recorded" in capsys.readouterr().out
    assert statuses(first) == [("paid", Decimal("2764.14")), ("due", Decimal("0.00"))]
    assert statuses(second) == [("partly_paid", Decimal("1500.00")), ("due", Decimal("0.00"))]
    payment = Payment.objects.get(reference="R2")
    assert (payment.source, payment.paid_on) == ("imported", datetime.date(2026, 11, 2))


def test_same_file_twice_changes_nothing(tmp_path, loans, capsys):
    first, _second = loans
    path = write(tmp_path, HEADER + f"R1,{first.order.number},1,1000.00,2026-11-01\n")
    call_command("import_repayments", str(path))
    call_command("import_repayments", str(path))
    assert "0 payments recorded, 1 already recorded" in capsys.readouterr().out
    assert Payment.objects.count() == 1
    assert statuses(first)[0] == ("partly_paid", Decimal("1000.00"))


def test_bad_row_rejects_the_whole_file_naming_row_and_reason(tmp_path, loans):
    first, second = loans
    path = write(
        tmp_path,
        HEADER
        + f"R1,{first.order.number},1,2764.14,2026-11-01\n"
        + f"R2,{second.order.number},9,100.00,2026-11-01\n"
        + f"R3,{second.order.number},1,abc,2026-11-01\n"
        + f"R4,{second.order.number},2,2764.15,2026-11-01\n"
        + f"R1,{second.order.number},1,1.00,2026-11-01\n",
    )
    with pytest.raises(CommandError, match="nothing applied, 4 rows have errors"):
        call_command("import_repayments", str(path))
    repayment_import = RepaymentImport.objects.get()
    assert repayment_import.status == "rejected"
    assert repayment_import.errors == [
        {"row": 3, "reason": f"contract {second.order.number} has no installment 9"},
        {"row": 4, "reason": "the amount 'abc' is not a positive amount in yuan and fen"},
        {"row": 5, "reason": "more than is still due on the installment (¥2764.14)"},
        {"row": 6, "reason": "payment reference R1 is already on row 2"},
    ]
    assert not Payment.objects.exists()
    assert statuses(first)[0] == ("due", Decimal("0.00"))


def test_overpayment_over_two_rows_is_rejected(tmp_path, loans):
    first, _second = loans
    path = write(
        tmp_path,
        HEADER + f"R1,{first.order.number},1,2000.00,2026-11-01\nR2,{first.order.number},1,764.15,2026-11-02\n",
    )
    with pytest.raises(CommandError):
        call_command("import_repayments", str(path))
    assert RepaymentImport.objects.get().errors == [
        {"row": 3, "reason": "more than is still due on the installment (¥2764.14)"}
    ]
    assert not Payment.objects.exists()


def test_reference_recorded_for_other_money_is_rejected(tmp_path, loans):
    first, _second = loans
    call_command("import_repayments", str(write(tmp_path, HEADER + f"R1,{first.order.number},1,10.00,2026-11-01\n")))
    path = write(tmp_path, HEADER + f"R1,{first.order.number},2,10.00,2026-11-01\n", name="second.csv")
    with pytest.raises(CommandError):
        call_command("import_repayments", str(path))
    assert RepaymentImport.objects.get(original_name="second.csv").errors == [
        {"row": 2, "reason": "payment reference R1 is already recorded for other money"}
    ]


def test_missing_column_is_reported(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_repayments", str(write(tmp_path, "reference,amount\nR1,1\n")))
    assert RepaymentImport.objects.get().errors == [
        {"row": 1, "reason": "Columns missing: contract, installment, paid_on."}
    ]


def test_excel_file_with_chinese_headers(tmp_path, loans):
    first, _second = loans
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["流水号", "合同号", "期数", "金额", "还款日期"])
    sheet.append(["X1", first.order.number, 1, 2764.14, datetime.date(2026, 11, 5)])
    sheet.append(["X2", first.order.number, 2, "100.00", "2026-11-06"])
    path = tmp_path / "repayments.xlsx"
    workbook.save(path)
    call_command("import_repayments", str(path))
    assert statuses(first) == [("paid", Decimal("2764.14")), ("partly_paid", Decimal("100.00"))]


def test_progress_is_complete_when_done(tmp_path, loans, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from orders.repayment_import import start_repayment_import
    from tests.members.factories import StaffFactory

    settings.REPAYMENT_IMPORT_PROGRESS_EVERY = 1
    first, _second = loans
    finance = StaffFactory(role="finance")
    content = (HEADER + f"R1,{first.order.number},1,10.00,2026-11-01\n").encode()
    upload = SimpleUploadedFile("r.csv", content, content_type="text/csv")
    repayment_import = start_repayment_import(uploaded_file=upload, actor=finance)
    assert get_progress(repayment_import=repayment_import)["percent"] == 0
    apply_repayment_file(repayment_import_id=repayment_import.pk)
    repayment_import.refresh_from_db()
    assert get_progress(repayment_import=repayment_import) == {"status": "done", "done": 1, "total": 1, "percent": 100}
    # A second run (a redelivered job) leaves it as it is.
    apply_repayment_file(repayment_import_id=repayment_import.pk)
    assert Installment.objects.get(loan=first, number=1).paid_amount == Decimal("10.00")


def test_cells_that_are_not_values_are_named(tmp_path, loans):
    first, _second = loans
    number = first.order.number
    path = write(
        tmp_path,
        HEADER
        + f",{number},1,1.00,2026-11-01\n"
        + f"R2,{number},x,1.00,2026-11-01\n"
        + f"R3,{number},1,0.00,2026-11-01\n"
        + f"R4,{number},1,1.001,2026-11-01\n"
        + f"R5,{number},1,1.00,2026-02-30\n"
        + f'R6,{number},1,"1,000.00",2026/11/01\n',
    )
    with pytest.raises(CommandError):
        call_command("import_repayments", str(path))
    assert RepaymentImport.objects.get().errors == [
        {"row": 2, "reason": "the payment reference is missing or longer than 64 characters"},
        {"row": 3, "reason": "the installment number 'x' is not a whole number"},
        {"row": 4, "reason": "the amount '0.00' is not a positive amount in yuan and fen"},
        {"row": 5, "reason": "the amount '1.001' is not a positive amount in yuan and fen"},
        {"row": 6, "reason": "the payment date '2026-02-30' is not a date (YYYY-MM-DD)"},
    ]
    assert not Payment.objects.exists()


def test_a_row_with_other_columns_is_named_and_windows_line_ends_and_blank_tail_are_fine(tmp_path, loans):
    first, _second = loans
    number = first.order.number
    broken = write(tmp_path, HEADER + f"R1,{number},1,1.00,2026-11-01\nR2,{number},1,1.00\n", name="broken.csv")
    with pytest.raises(CommandError):
        call_command("import_repayments", str(broken))
    assert RepaymentImport.objects.get(original_name="broken.csv").errors == [
        {"row": 3, "reason": "the row does not have the 5 columns of the header, or is not UTF-8 text"}
    ]
    fine = tmp_path / "fine.csv"
    fine.write_bytes(f'{HEADER.strip()}\r\nR1,{number},1,"1,000.00",2026/11/01\r\n\r\n\r\n'.encode())
    call_command("import_repayments", str(fine))
    assert statuses(first)[0] == ("partly_paid", Decimal("1000.00"))


def test_a_file_whose_only_fault_is_found_while_recording_is_rejected_whole(tmp_path, loans):
    """With every row good on its own, a reference twice among the new rows and more than is left on an installment
    are found while the payments are recorded: the file is still rejected whole, naming the rows."""
    first, second = loans
    twice = write(
        tmp_path,
        HEADER
        + f"T1,{first.order.number},1,10.00,2026-11-01\n"
        + f"T2,{first.order.number},2,10.00,2026-11-01\n"
        + f"T1,{second.order.number},1,10.00,2026-11-01\n",
        name="twice.csv",
    )
    over = write(
        tmp_path,
        HEADER + f"O1,{first.order.number},1,10.00,2026-11-01\nO2,{second.order.number},2,2764.15,2026-11-01\n",
        name="over.csv",
    )
    for path in (twice, over):
        with pytest.raises(CommandError):
            call_command("import_repayments", str(path))
    assert RepaymentImport.objects.get(original_name="twice.csv").errors == [
        {"row": 4, "reason": "payment reference T1 is already on row 2"}
    ]
    assert RepaymentImport.objects.get(original_name="over.csv").errors == [
        {"row": 3, "reason": "more than is still due on the installment (¥2764.14)"}
    ]
    assert not Payment.objects.exists()
    assert statuses(first) == statuses(second) == [("due", Decimal("0.00")), ("due", Decimal("0.00"))]


def test_a_recorded_reference_twice_in_a_file_is_rejected(tmp_path, loans):
    first, _second = loans
    row = f"R1,{first.order.number},1,10.00,2026-11-01\n"
    call_command("import_repayments", str(write(tmp_path, HEADER + row)))
    with pytest.raises(CommandError):
        call_command("import_repayments", str(write(tmp_path, HEADER + row + row, name="again.csv")))
    assert RepaymentImport.objects.get(original_name="again.csv").errors == [
        {"row": 3, "reason": "payment reference R1 is already on row 2"}
    ]
    assert statuses(first)[0] == ("partly_paid", Decimal("10.00"))
