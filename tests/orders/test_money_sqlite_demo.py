"""The repayment file and the overdue marking on the embedded demo database (SQLite): the same SQL runs there. Run
in a subprocess with the demo's settings, on a new SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SQLITE_SCRIPT = """
import django
django.setup()
import datetime
from decimal import Decimal
from pathlib import Path
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from tests.orders.factories import LoanFactory
from tests.members.factories import StoreFactory
from orders.models import Installment, Payment, RepaymentImport
from orders.repayments import mark_overdue_installments
loan = LoanFactory(order__store=StoreFactory())
number = loan.order.number
path = Path(r"{tmp}") / "repayments.csv"
path.write_text(
    "reference,contract,installment,amount,paid_on\\n"
    f"R1,{{number}},1,1000.10,2026-11-01\\nR2,{{number}},1,1764.04,2026-11-02\\nR3,{{number}},2,0.30,2026-11-02\\n"
)
call_command("import_repayments", str(path))
call_command("import_repayments", str(path))
bad = Path(r"{tmp}") / "bad.csv"
bad.write_text("reference,contract,installment,amount,paid_on\\n" f"R9,{{number}},2,2764.00,2026-11-01\\n")
try:
    call_command("import_repayments", str(bad))
except Exception as error:
    print("rejected", RepaymentImport.objects.get(original_name="bad.csv").errors[0]["row"])
twice = Path(r"{tmp}") / "twice.csv"
twice.write_text("reference,contract,installment,amount,paid_on\\n" + f"R8,{{number}},2,0.01,2026-11-01\\n" * 2)
try:
    call_command("import_repayments", str(twice))
except Exception as error:
    print("twice", *RepaymentImport.objects.get(original_name="twice.csv").errors[0].values())
Installment.objects.filter(loan=loan, number=2).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
print("overdue", mark_overdue_installments(day=timezone.localdate()))
rows = loan.installments.order_by("number")
print(" ".join(f"{{i.status}}:{{i.paid_amount}}" for i in rows), Payment.objects.count())
"""


def test_on_the_demo_sqlite_database_the_repayment_file_applies_once(demo_sqlite, tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT.format(tmp=tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-4:] == [
        "rejected 2",
        "twice 3 还款流水号 R8 已出现在第 2 行",
        "overdue 1",
        "paid:2764.14 overdue:0.30 3",
    ]
