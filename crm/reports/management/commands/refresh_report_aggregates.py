"""Rebuild the reports' pre-aggregated figures (beat runs it nightly): the funnel's, the members' spend's and the
tasks' daily rows, and the campaigns' results."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.reports.services import refresh_report_aggregates


class Command(BaseCommand):
    help = (
        "Rebuild the reports' aggregates: the funnel, the members' spend and the tasks per day before --date "
        "(default today), and the campaigns."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="YYYY-MM-DD, local; default today")

    def handle(self, *args, date, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from error
        written = refresh_report_aggregates(today=day)
        self.stdout.write(
            self.style.SUCCESS(
                f"Funnel: {written['funnel_days']} day rows, covering the days before {day.isoformat()}; "
                f"members' spend: {written['member_value_days']} day rows; tasks: {written['task_days']} day rows; "
                f"tier and lifecycle history: {written['segment_days']} day rows; "
                f"campaigns: {written['campaign_results']}."
            )
        )
