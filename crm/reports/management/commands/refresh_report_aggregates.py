"""Rebuild the reports' pre-aggregated figures (beat runs it nightly): the funnel's daily rows."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.reports.services import refresh_funnel_days


class Command(BaseCommand):
    help = "Rebuild the reports' aggregates (the acquisition funnel per day) for the days before --date (today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="YYYY-MM-DD, local; default today")

    def handle(self, *args, date, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from error
        rows = refresh_funnel_days(today=day)
        self.stdout.write(self.style.SUCCESS(f"Funnel: {rows} day rows, covering the days before {day.isoformat()}."))
