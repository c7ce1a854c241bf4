from django.core.management.base import BaseCommand

from members.services import reencrypt_personal_data


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data with the first key of FIELD_ENCRYPTION_KEYS. Put the new key first, keep the old one "
        "after it, run this, then drop the old key."
    )

    def handle(self, *args, **options):
        counts = reencrypt_personal_data()
        for model_name, count in counts.items():
            self.stdout.write(f"{model_name}: {count} rows re-encrypted")
