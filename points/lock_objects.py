from points.models import Coupon, PointsAccount, PointsLot, Reward


def points_account_qs_select_for_update():
    return PointsAccount.objects.order_by("pk").select_for_update(of=("self",))


def points_lot_qs_select_for_update():
    return PointsLot.objects.order_by("expires_on", "pk").select_for_update(of=("self",))


def reward_qs_select_for_update():
    return Reward.objects.order_by("pk").select_for_update(of=("self",))


def coupon_qs_select_for_update():
    return Coupon.objects.order_by("pk").select_for_update(of=("self",))
