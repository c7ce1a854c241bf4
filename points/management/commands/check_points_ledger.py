import json

from django.core.management.base import BaseCommand, CommandError

from points.selectors import find_ledger_violations


class Command(BaseCommand):
    help = (
        "Prove the points ledger's invariants over the whole table; exit non-zero naming the members that break them."
    )

    def handle(self, *args, **options):
        violations = find_ledger_violations()
        if violations:
            for violation in violations:
                self.stderr.write(json.dumps(violation))
            members = sorted({violation["member_id"] for violation in violations})
            raise CommandError(f"The points ledger is inconsistent for {len(members)} member(s): {members}")
        self.stdout.write(self.style.SUCCESS("The points ledger is consistent."))
