"""Demo data for the whole product, idempotent: stores, staff of every role, members at several stages, the catalog
with finance plans and stock, and applications in every state. Prints the logins."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand

from appointments.demo import seed_car_care_demo
from crm.care.complaints.demo import seed_complaints_demo
from crm.care.rescue.demo import seed_rescue_demo
from crm.owner_events.demo import seed_car_life_demo
from crm.reports.demo import seed_reports_demo
from crm.segments.demo import seed_segments_demo
from crm.surveys.demo import seed_surveys_demo
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
        seed_car_care_demo()
        seed_rescue_demo()
        survey_link = seed_surveys_demo()
        seed_car_life_demo(stores=stores)
        seed_complaints_demo()  # the applicants above: one complaint at each stage worth showing
        seed_reports_demo(stores=stores)
        seed_segments_demo()  # last: tiers, lifecycles and tags from everything above
        self._print_logins()
        if survey_link:
            self.stdout.write(f"A satisfaction survey to answer on a phone, no sign-in: {survey_link}")

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write("")
        self.stdout.write("Members sign in with phone + SMS code at /sign-in/:")
        self.stdout.write("  13800000001 … 13800000005  members at several stages (13800000003 is verified)")
        self.stdout.write("  13800000010 … 13800000026  one application in each state of the machine")
        self.stdout.write(
            "  13800000002, 13800000003, 13800000024 hold membership cards (My account → My membership card);"
        )
        self.stdout.write("  13800000024 owns a car: traffic violations and car services under My cars.")
        self.stdout.write("  13800000011 … 13800000014  a complaint each: received, paused, closed and rated, overdue")
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
