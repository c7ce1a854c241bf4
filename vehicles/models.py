from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_comma_separated_integer_list
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vehicles import finance
from vehicles.enums import (
    AftermarketBookingStatus,
    AftermarketKind,
    BodyType,
    Energy,
    InspectionResult,
    RecordSource,
    UnitStatus,
)
from vehicles.exceptions import InspectionInFuture, InvalidPolicyDates


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0, verbose_name=_("sort order"))

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class CarModel(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="car_models", verbose_name=_("brand"))
    name = models.CharField(_("name"), max_length=80)
    body_type = models.CharField(_("body type"), max_length=12, choices=BodyType.choices)
    energy = models.CharField(_("energy"), max_length=12, choices=Energy.choices)
    description = models.TextField(_("description"), blank=True)
    picture = models.FileField(_("picture"), upload_to="catalog/", blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    # Maintenance: the first service at N months or N km, then every M months or M km, whichever comes first.
    first_service_months = models.PositiveSmallIntegerField(_("first service after (months)"), default=6)
    first_service_km = models.PositiveIntegerField(_("first service after (km)"), default=5000)
    service_interval_months = models.PositiveSmallIntegerField(_("then every (months)"), default=12)
    service_interval_km = models.PositiveIntegerField(_("then every (km)"), default=10000)
    # Tyres: replaced every N months or N km after delivery or the last replacement, whichever comes first.
    tyre_interval_months = models.PositiveSmallIntegerField(_("tyres last (months)"), default=60, db_default=60)
    tyre_interval_km = models.PositiveIntegerField(_("tyres last (km)"), default=50000, db_default=50000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brand", "name"], name="car_model_unique_per_brand")]
        ordering = ["brand__sort_order", "name"]
        verbose_name = _("car model")
        verbose_name_plural = _("car models")

    def __str__(self) -> str:
        return f"{self.brand} {self.name}"


class Trim(models.Model):
    car_model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="trims", verbose_name=_("model"))
    name = models.CharField(_("name"), max_length=80)
    guide_price = models.DecimalField(_("guide price"), max_digits=12, decimal_places=2)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(guide_price__gt=0), name="trim_price_positive"),
            models.UniqueConstraint(fields=["car_model", "name"], name="trim_unique_per_model"),
        ]
        ordering = ["car_model", "guide_price"]
        verbose_name = _("trim")
        verbose_name_plural = _("trims")

    def __str__(self) -> str:
        return f"{self.car_model} {self.name}"


RATIO_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.9"))]
MAX_TERM_MONTHS = 84


class FinancePlan(models.Model):
    """A lender's offer for a trim: a rate and fees, a standard down payment and term (what the plan page shows
    first), and the range the member may choose from in the loan calculator."""

    trim = models.ForeignKey(Trim, on_delete=models.PROTECT, related_name="plans", verbose_name=_("trim"))
    name = models.CharField(_("name"), max_length=80)
    down_payment_ratio = models.DecimalField(
        _("down payment ratio"), max_digits=4, decimal_places=3, validators=RATIO_VALIDATORS
    )
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_TERM_MONTHS)]
    )
    # The member's free choice in the calculator. The database defaults (the whole 0–90 % band, no other term) keep
    # set-based loads that do not name these columns valid.
    min_down_payment_ratio = models.DecimalField(
        _("lowest down payment ratio"), max_digits=4, decimal_places=3, validators=RATIO_VALIDATORS,
        default=Decimal("0.000"), db_default=Decimal("0.000"),
    )  # fmt: skip
    max_down_payment_ratio = models.DecimalField(
        _("highest down payment ratio"), max_digits=4, decimal_places=3, validators=RATIO_VALIDATORS,
        default=Decimal("0.900"), db_default=Decimal("0.900"),
    )  # fmt: skip
    allowed_terms = models.CharField(
        _("other terms offered (months)"), max_length=60, blank=True, default="", db_default="",
        validators=[validate_comma_separated_integer_list],
        help_text=_("Comma-separated, e.g. 12,24,36. The plan's own term is always offered."),
    )  # fmt: skip
    annual_rate = models.DecimalField(
        _("annual rate"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.36"))],
    )
    fees = models.DecimalField(_("fees"), max_digits=10, decimal_places=2, default=Decimal("0.00"))
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(down_payment_ratio__gte=0) & Q(down_payment_ratio__lte=Decimal("0.9")),
                name="plan_down_payment_ratio_range",
            ),
            models.CheckConstraint(
                condition=Q(min_down_payment_ratio__gte=0)
                & Q(min_down_payment_ratio__lte=models.F("down_payment_ratio"))
                & Q(max_down_payment_ratio__gte=models.F("down_payment_ratio"))
                & Q(max_down_payment_ratio__lte=Decimal("0.9")),
                name="plan_down_payment_choice_range",
            ),
            models.CheckConstraint(condition=Q(term_months__gte=1) & Q(term_months__lte=84), name="plan_term_range"),
            models.CheckConstraint(
                condition=Q(annual_rate__gte=0) & Q(annual_rate__lte=Decimal("0.36")), name="plan_rate_range"
            ),
            models.CheckConstraint(condition=Q(fees__gte=0), name="plan_fees_not_negative"),
        ]
        ordering = ["trim", "term_months", "down_payment_ratio"]
        verbose_name = _("finance plan")
        verbose_name_plural = _("finance plans")

    def __str__(self) -> str:
        return f"{self.trim} · {self.name}"

    def clean(self):
        errors = {}
        if None not in (self.min_down_payment_ratio, self.max_down_payment_ratio, self.down_payment_ratio) and not (
            self.min_down_payment_ratio <= self.down_payment_ratio <= self.max_down_payment_ratio
        ):
            errors["down_payment_ratio"] = _("The down payment ratio must lie between the lowest and the highest.")
        if self.allowed_terms and any(not 1 <= term <= MAX_TERM_MONTHS for term in self._listed_terms()):
            errors["allowed_terms"] = _("Each term must be between 1 and 84 months.")
        if errors:
            raise ValidationError(errors)

    def _listed_terms(self) -> list[int]:
        return [int(term) for term in self.allowed_terms.split(",") if term.strip()]

    @property
    def term_choices(self) -> list[int]:
        """The terms the member may choose, shortest first: the plan's own and the other ones listed."""
        return sorted({self.term_months, *self._listed_terms()})

    def down_payment_bounds(self) -> tuple[Decimal, Decimal]:
        """The lowest and highest down payment in yuan for the trim's guide price."""
        price = self.trim.guide_price
        return (
            finance.down_payment_for(price=price, down_payment_ratio=self.min_down_payment_ratio),
            finance.down_payment_for(price=price, down_payment_ratio=self.max_down_payment_ratio),
        )

    def quote(self, *, down_payment: Decimal | None = None, term_months: int | None = None) -> finance.PlanQuote:
        """The plan's standard quote, or the one for a down payment and term the member chose (checked by
        ``vehicles.selectors.quote_choice``, which every page and API goes through)."""
        return finance.quote_plan(
            price=self.trim.guide_price,
            down_payment_ratio=self.down_payment_ratio if down_payment is None else None,
            down_payment=down_payment,
            annual_rate=self.annual_rate,
            term_months=term_months or self.term_months,
            fees=self.fees,
        )


class VehicleUnit(models.Model):
    """One physical car in a store's stock, by VIN."""

    vin = models.CharField(_("VIN"), max_length=17, unique=True)
    trim = models.ForeignKey(Trim, on_delete=models.PROTECT, related_name="units", verbose_name=_("trim"))
    store = models.ForeignKey(
        "members.Store", on_delete=models.PROTECT, related_name="vehicle_units", verbose_name=_("store")
    )
    color = models.CharField(_("colour"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=UnitStatus.choices, default=UnitStatus.IN_STOCK)
    arrived_at = models.DateTimeField(_("arrived at"), auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["store", "trim", "status"], name="unit_store_trim_status")]
        ordering = ["arrived_at", "pk"]
        verbose_name = _("vehicle in stock")
        verbose_name_plural = _("vehicles in stock")

    def __str__(self) -> str:
        return self.vin


class OwnedVehicle(models.Model):
    """A car a member owns (created at handover)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("member")
    )
    trim = models.ForeignKey(Trim, on_delete=models.PROTECT, related_name="+", verbose_name=_("trim"))
    vin = models.CharField(_("VIN"), max_length=17, unique=True)
    plate = models.CharField(_("plate"), max_length=12)
    delivered_on = models.DateField(_("delivered on"))
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), default=0)
    next_service_on = models.DateField(_("next service due"), null=True, blank=True, db_index=True)
    next_service_km = models.PositiveIntegerField(_("next service at (km)"), null=True, blank=True)
    inspection_due_on = models.DateField(_("annual inspection due"), null=True, blank=True, db_index=True)
    insurance_due_on = models.DateField(_("insurance renewal due"), null=True, blank=True, db_index=True)
    tyres_due_on = models.DateField(_("tyre replacement due"), null=True, blank=True, db_index=True)
    tyres_due_km = models.PositiveIntegerField(_("tyre replacement at (km)"), null=True, blank=True)
    # The latest service visit's date, kept by record_service_visit, so that "not back since" reads one indexed
    # column instead of grouping every service record.
    last_service_on = models.DateField(_("last service visit"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-delivered_on"]
        indexes = [
            # The task rules pick the cars handed over on a given day (the 3-day call, return visits, quarterly
            # visits).
            models.Index(fields=["delivered_on"], name="owned_vehicle_delivered_on"),
            # The last visit (service, else the delivery): the "not back" report, longest away first.
            models.Index(Coalesce("last_service_on", "delivered_on"), "id", name="owned_vehicle_last_visit"),
        ]
        verbose_name = _("owned vehicle")
        verbose_name_plural = _("owned vehicles")

    def __str__(self) -> str:
        return f"{self.plate} ({self.vin})"

    @property
    def masked_vin(self) -> str:
        return f"{self.vin[:3]}{'*' * 10}{self.vin[-4:]}"


class ServiceRecord(models.Model):
    """A repair or maintenance visit, e.g. imported from a dealer system. Spend by who paid feeds the points rule."""

    vehicle = models.ForeignKey(
        OwnedVehicle, on_delete=models.CASCADE, related_name="service_records", verbose_name=_("car")
    )
    dealer_reference = models.CharField(_("dealer reference"), max_length=50, unique=True)
    serviced_on = models.DateField(_("date"))
    mileage_km = models.PositiveIntegerField(_("mileage (km)"))
    description = models.CharField(_("work done"), max_length=200)
    is_maintenance = models.BooleanField(_("scheduled maintenance"), default=True)
    customer_amount = models.DecimalField(_("paid by customer"), max_digits=10, decimal_places=2, default=Decimal("0"))
    insurance_amount = models.DecimalField(
        _("paid by insurance"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    manufacturer_amount = models.DecimalField(_("warranty"), max_digits=10, decimal_places=2, default=Decimal("0"))
    internal_amount = models.DecimalField(_("internal"), max_digits=10, decimal_places=2, default=Decimal("0"))
    tyres_replaced = models.BooleanField(_("tyres replaced"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(customer_amount__gte=0)
                & Q(insurance_amount__gte=0)
                & Q(manufacturer_amount__gte=0)
                & Q(internal_amount__gte=0),
                name="service_amounts_not_negative",
            )
        ]
        ordering = ["-serviced_on", "-pk"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.serviced_on}"


class InspectionRule(models.Model):
    """One row of the annual-inspection schedule of private passenger cars, editable in the admin.

    From ``from_age_years`` (the car's age at the inspection just due) the next one is due ``interval_months`` later.
    The default rows follow the mainland rules for non-operating small and mini passenger cars since October 2022:
    exempt for the first 6 years, inspected at 6 and at 10 years, then every year (see docs/car-care.md)."""

    from_age_years = models.PositiveSmallIntegerField(_("from the car's age (years)"), unique=True)
    interval_months = models.PositiveSmallIntegerField(
        _("next inspection after (months)"), validators=[MinValueValidator(6), MaxValueValidator(120)]
    )
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_months__gte=6) & Q(interval_months__lte=120), name="inspection_interval_range"
            )
        ]
        ordering = ["from_age_years"]
        verbose_name = _("inspection rule")
        verbose_name_plural = _("inspection rules")

    def __str__(self) -> str:
        return str(
            _("from %(age)s years: every %(months)s months")
            % {"age": self.from_age_years, "months": self.interval_months}
        )


# A policy longer than this is a typing error (mainland car insurance runs one year, sometimes a little more).
MAX_POLICY_MONTHS = 36


class InsurancePolicy(models.Model):
    """A car's insurance policy; the latest one's end date is when the next renewal is due."""

    vehicle = models.ForeignKey(
        OwnedVehicle, on_delete=models.CASCADE, related_name="insurance_policies", verbose_name=_("car")
    )
    insurer = models.CharField(_("insurer"), max_length=100)
    policy_number = models.CharField(_("policy number"), max_length=50)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    premium = models.DecimalField(_("premium"), max_digits=10, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("entered by"), max_length=20, choices=RecordSource.choices)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["insurer", "policy_number"], name="insurance_policy_unique_number"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="insurance_policy_ends_after"),
            models.CheckConstraint(
                condition=Q(premium__isnull=True) | Q(premium__gte=0), name="insurance_premium_not_negative"
            ),
        ]
        ordering = ["-ends_on", "-pk"]
        verbose_name = _("insurance policy")
        verbose_name_plural = _("insurance policies")

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_number}"

    def clean(self):
        if (
            self.starts_on
            and self.ends_on
            and not (self.starts_on < self.ends_on <= self.starts_on + relativedelta(months=MAX_POLICY_MONTHS))
        ):
            raise ValidationError({"ends_on": InvalidPolicyDates.default_message})


class Inspection(models.Model):
    """An annual inspection (年检) of a car; a passed one sets when the next is due by the inspection rules."""

    vehicle = models.ForeignKey(
        OwnedVehicle, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("car")
    )
    inspected_on = models.DateField(_("inspected on"))
    result = models.CharField(_("result"), max_length=10, choices=InspectionResult.choices)
    station = models.CharField(_("inspection station"), max_length=100, blank=True)
    source = models.CharField(_("entered by"), max_length=20, choices=RecordSource.choices)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vehicle", "inspected_on", "result"], name="inspection_unique_per_day")
        ]
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("annual inspection")
        verbose_name_plural = _("annual inspections")

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.inspected_on} {self.result}"

    def clean(self):
        if self.inspected_on and self.inspected_on > timezone.localdate():
            raise ValidationError({"inspected_on": InspectionInFuture.default_message})


class AftermarketBooking(models.Model):
    """A member booked an aftermarket service for one of their cars. The partner is asked after commit; a
    value-added-service coupon, when given, is used in the same transaction that writes the booking."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="aftermarket_bookings", verbose_name=_("member")
    )
    vehicle = models.ForeignKey(OwnedVehicle, on_delete=models.PROTECT, related_name="+", verbose_name=_("car"))
    service_code = models.CharField(_("service"), max_length=40)
    kind = models.CharField(_("kind"), max_length=24, choices=AftermarketKind.choices)
    name = models.CharField(_("name"), max_length=100)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    booked_for = models.DateField(_("date"))
    coupon_code = models.CharField(_("coupon used"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AftermarketBookingStatus.choices, default=AftermarketBookingStatus.REQUESTED
    )
    partner_reference = models.CharField(_("partner reference"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="aftermarket_price_not_negative")]
        ordering = ["-created_at", "-pk"]
        verbose_name = _("aftermarket booking")
        verbose_name_plural = _("aftermarket bookings")

    def __str__(self) -> str:
        return f"{self.name} {self.booked_for}"
