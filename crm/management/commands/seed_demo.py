"""Demo data for the whole product, idempotent: stores, staff of every role, members at several stages, the catalog
with finance plans and stock, and applications in every state. Prints the logins."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand

from members.demo import DEMO_STAFF_PASSWORD, STAFF, seed_members_demo
from orders.demo import APPLICANTS, seed_orders_demo
from orders.enums import OrderState
from points.demo import seed_points_demo
from vehicles.demo import seed_catalog_demo


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        # Dozens of demo steps would each log a line; the logins printed at the end are what matter here.
        logging.getLogger("member_center").setLevel(logging.WARNING)
        seed_points_demo()  # rules first: the members below earn their registration points
        stores = seed_members_demo()
        trims = seed_catalog_demo(stores=stores)
        seed_orders_demo(stores=stores, trims=trims)
        self._print_logins()

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write("")
        self.stdout.write("Members sign in with phone + SMS code at /sign-in/:")
        self.stdout.write("  13800000001  just signed up                13800000002  profile completed (张伟)")
        self.stdout.write("  13800000003  verified, ready to apply (王芳)  13800000004, 05  invited by 13800000003")
        for phone, name, state in APPLICANTS:
            self.stdout.write(f"  {phone}  {name}  application: {OrderState(state).label}")
        self.stdout.write("  (13800000024 has a delivered car and a loan: the owner's dashboard)")
        if settings.SMS_BACKEND == "file":
            self.stdout.write(f"  The demo sends no real SMS: read the code in {settings.SMS_FILE_PATH} (last line).")
        self.stdout.write(
            f"Staff sign in at /admin/ (call center) and /backoffice/ (stores) with password {DEMO_STAFF_PASSWORD}:"
        )
        for username, role, store_code in STAFF:
            where = f" ({store_code})" if store_code else ""
            self.stdout.write(f"  {username:<12} {role.label}{where}")
