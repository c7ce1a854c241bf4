from django.conf import settings
from django.core.management.base import BaseCommand

from dealer_exchange.services import scan_export_folder


class Command(BaseCommand):
    help = "Apply the dealer-system exports in a folder (default DEALER_EXPORT_DIR) and print each run's counts."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default="", help="folder of *.json exports")

    def handle(self, *args, dir, **options):  # noqa: A002  (the option's name)
        for run in scan_export_folder(directory=dir or settings.DEALER_EXPORT_DIR):
            self.stdout.write(
                f"{run.reference}: {run.created} created, {run.updated} updated, {run.unchanged} unchanged, "
                f"{run.refused} refused"
            )
