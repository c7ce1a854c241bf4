"""Catalog and stock demo data, loaded idempotently."""

from decimal import Decimal

from django.db import transaction

from members.models import Store
from vehicles.models import Brand, CarModel, FinancePlan, Trim, VehicleUnit
from vehicles.pictures import ensure_drawn_picture

CATALOG = [
    ("比亚迪", "秦 PLUS DM-i", "sedan", "hybrid", "家用省心，百公里油耗低至 3.8L。",
     [("55km 领先型", "99800.00"), ("120km 卓越型", "125800.00")]),
    ("比亚迪", "宋 PLUS EV", "suv", "electric", "空间宽敞的纯电 SUV，续航 605km。", [("605km 旗舰型", "189800.00")]),
    ("吉利", "星越 L", "suv", "petrol", "2.0T 动力，智能座舱。",
     [("2.0T 两驱豪华型", "159700.00"), ("2.0T 四驱旗舰型", "185700.00")]),
    ("五菱", "缤果", "hatchback", "electric", "城市代步小车，停车无忧。", [("333km 灵犀版", "69800.00")]),
]  # fmt: skip

# (name, standard down payment ratio, standard term, rate, fees, lowest and highest down payment ratio, other terms)
PLANS = [
    ("3 年期 · 首付 30%", Decimal("0.300"), 36, Decimal("0.0399"), Decimal("1500.00"),
     Decimal("0.200"), Decimal("0.600"), "12,24,48"),
    ("2 年期 · 首付 20%", Decimal("0.200"), 24, Decimal("0.0499"), Decimal("1200.00"),
     Decimal("0.150"), Decimal("0.500"), "12,36"),
    ("5 年期 · 首付 15%", Decimal("0.150"), 60, Decimal("0.0599"), Decimal("2000.00"),
     Decimal("0.150"), Decimal("0.400"), "36,48"),
]  # fmt: skip


@transaction.atomic
def seed_catalog_demo(*, stores: dict[str, Store]) -> list[Trim]:
    trims = []
    for sort_order, (brand_name, model_name, body_type, energy, description, trim_rows) in enumerate(CATALOG):
        brand, _created = Brand.objects.get_or_create(name=brand_name, defaults={"sort_order": sort_order})
        car_model, _created = CarModel.objects.get_or_create(
            brand=brand,
            name=model_name,
            defaults={"body_type": body_type, "energy": energy, "description": description},
        )
        ensure_drawn_picture(car_model)
        for trim_name, price in trim_rows:
            trim, _created = Trim.objects.get_or_create(
                car_model=car_model, name=trim_name, defaults={"guide_price": Decimal(price)}
            )
            trims.append(trim)
            for plan_name, ratio, term, rate, fees, lowest, highest, other_terms in PLANS:
                FinancePlan.objects.get_or_create(
                    trim=trim, name=plan_name,
                    defaults={"down_payment_ratio": ratio, "term_months": term, "annual_rate": rate, "fees": fees,
                              "min_down_payment_ratio": lowest, "max_down_payment_ratio": highest,
                              "allowed_terms": other_terms},
                )  # fmt: skip
    for store_index, store in enumerate(stores.values()):
        for trim_index, trim in enumerate(trims):
            for unit_index in range(3):
                # Ends in the unit's number (1–3): never 0, the local violation provider's "no violations" mark,
                # whatever ids the database hands out.
                vin = f"LDEMO{store_index}{trim_index:02d}{trim.pk:04d}{store.pk:04d}{unit_index + 1}"[-17:]
                VehicleUnit.objects.get_or_create(
                    vin=vin, defaults={"trim": trim, "store": store, "color": ("白色", "黑色", "灰色")[unit_index]}
                )
    return trims
