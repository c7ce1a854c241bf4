import factory
from factory.django import DjangoModelFactory

from points.models import Reward


class RewardFactory(DjangoModelFactory):
    class Meta:
        model = Reward

    name = factory.Sequence(lambda n: f"月供抵扣券 {n}")
    kind = "repayment_coupon"
    cost_points = 1000
    face_value = "100.00"
    valid_days = 90
