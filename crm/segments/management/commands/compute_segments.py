import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.segments.services import compute_segments


class Command(BaseCommand):
    help = "Compute tiers, loyalty, lifecycle, churn risk and system tags as of a date (default: today, local)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as error:
            raise CommandError("--date must be YYYY-MM-DD") from error
        run = compute_segments(as_of=day)
        self.stdout.write(
            f"{run.as_of}: {run.members} members ({run.segments_written} segment rows written), "
            f"{run.tier_changes} tier changes, "
            f"{run.lifecycle_changes} lifecycle changes, {run.messages} messages, {run.tasks} tasks, "
            f"tags +{run.tags_added} -{run.tags_removed}"
        )
        if options["verbosity"] >= 2:
            self.stdout.write("seconds: " + json.dumps(run.seconds))
