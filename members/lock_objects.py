"""Row locks for the members app, taken only by its services, always in primary-key order."""

from members.models import Member, MembershipCard, SignInCode


def active_sign_in_code_qs_select_for_update(*, phone: str):
    return SignInCode.objects.filter(phone=phone, status="active").order_by("pk").select_for_update(of=("self",))


def member_qs_select_for_update():
    return Member.objects.order_by("pk").select_for_update(of=("self",))


def active_card_qs_select_for_update():
    return MembershipCard.objects.filter(status="active").order_by("pk").select_for_update(of=("self",))
