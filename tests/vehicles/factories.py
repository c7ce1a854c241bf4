import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tests.members.factories import StoreFactory
from vehicles.models import Brand, CarModel, FinancePlan, OwnedVehicle, Trim, VehicleUnit


class BrandFactory(DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = "比亚迪"


class CarModelFactory(DjangoModelFactory):
    class Meta:
        model = CarModel

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"秦 PLUS {n}")
    body_type = "sedan"
    energy = "hybrid"


class TrimFactory(DjangoModelFactory):
    class Meta:
        model = Trim

    car_model = factory.SubFactory(CarModelFactory)
    name = factory.Sequence(lambda n: f"豪华型 {n}")
    guide_price = Decimal("129800.00")


class FinancePlanFactory(DjangoModelFactory):
    class Meta:
        model = FinancePlan

    trim = factory.SubFactory(TrimFactory)
    name = "3年期 首付30%"
    down_payment_ratio = Decimal("0.300")
    term_months = 36
    annual_rate = Decimal("0.0600")
    fees = Decimal("1500.00")


class VehicleUnitFactory(DjangoModelFactory):
    class Meta:
        model = VehicleUnit

    vin = factory.Sequence(lambda n: f"LGXCE4CB0P{n:07d}")
    trim = factory.SubFactory(TrimFactory)
    store = factory.SubFactory(StoreFactory)
    color = "白色"


class OwnedVehicleFactory(DjangoModelFactory):
    class Meta:
        model = OwnedVehicle

    member = factory.SubFactory("tests.members.factories.MemberFactory")
    trim = factory.SubFactory(TrimFactory)
    vin = factory.Sequence(lambda n: f"LGXCE4CB0Q{n:07d}")
    plate = factory.Sequence(lambda n: f"粤B{n:05d}")
    delivered_on = factory.LazyFunction(datetime.date.today)
