import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.services import run_reminders


class Command(BaseCommand):
    help = "Run every reminder rule for one local date (default today). Running it again creates nothing new."

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="YYYY-MM-DD, local date")

    def handle(self, *args, date, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from error
        created = run_reminders(day=day)
        for key, count in sorted(created.items()):
            if count:
                self.stdout.write(f"{key}: {count}")
        self.stdout.write(self.style.SUCCESS(f"{sum(created.values())} reminders created for {day.isoformat()}."))
