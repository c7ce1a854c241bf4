from django.core.management.base import BaseCommand, CommandError

from common.exceptions import DomainError
from members.models import Member, User
from members.phones import normalize_mobile_number
from points.services import adjust_points


class Command(BaseCommand):
    help = "Add (or, negative, remove) a member's points with a reason, through the same service as the admin action."

    def add_arguments(self, parser):
        parser.add_argument("--phone", required=True)
        parser.add_argument("--points", required=True, type=int)
        parser.add_argument("--reason", required=True)
        parser.add_argument("--as-user", default="", help="staff username recorded as the actor (default: a superuser)")

    def handle(self, *args, phone, points, reason, as_user, **options):
        try:
            member = Member.objects.get(user__phone=normalize_mobile_number(phone))
        except (DomainError, Member.DoesNotExist) as error:
            raise CommandError(f"No member with phone {phone}") from error
        actor = (
            User.objects.filter(username=as_user, is_staff=True).first()
            if as_user
            else User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        )
        if actor is None:
            raise CommandError("No staff account to record as the actor; create one with create_staff or --as-user.")
        try:
            entry = adjust_points(member_id=member.pk, points=points, reason=reason, actor=actor)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(self.style.SUCCESS(f"{entry.points:+d} points for {phone}; balance {entry.balance_after}."))
