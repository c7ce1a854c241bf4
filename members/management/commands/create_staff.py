from django.core.management.base import BaseCommand, CommandError

from common.exceptions import DomainError
from members.enums import StaffRole
from members.services import save_staff_account


class Command(BaseCommand):
    help = "Create or update a staff account with its role (and store, for store staff and store managers)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=StaffRole.values)
        parser.add_argument("--store", dest="store_code", default=None, help="store code")
        parser.add_argument("--name", dest="full_name", default=None, help="the person's name, as history shows it")

    def handle(self, *args, username, password, role, store_code, full_name, **options):
        try:
            user = save_staff_account(
                username=username, password=password, role=role, store_code=store_code, full_name=full_name
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        store = f" at {user.store.code}" if user.store else ""
        self.stdout.write(self.style.SUCCESS(f"Staff account {user.username} ({user.role}{store}) saved."))
