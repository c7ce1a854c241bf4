from django.core.management.base import BaseCommand

from notifications.services import seed_message_templates


class Command(BaseCommand):
    help = "Write the built-in message texts (zh-hans and English, every event and channel) as editable templates."

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(f"{seed_message_templates()} templates written."))
