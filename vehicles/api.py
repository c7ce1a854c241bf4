from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer, Pagination
from members.api import IsMember
from vehicles import selectors, services
from vehicles.enums import AftermarketKind
from vehicles.finance import LoanChoice
from vehicles.models import AftermarketBooking, CarModel, FinancePlan, OwnedVehicle, Trim


class FinancePlanOutputSerializer(serializers.ModelSerializer):
    """A plan with its quote for the trim's guide price: the monthly payment and, beside it, what the loan costs."""

    down_payment = serializers.SerializerMethodField()
    monthly_payment = serializers.SerializerMethodField()
    principal = serializers.SerializerMethodField()
    annual_percentage_rate = serializers.SerializerMethodField(
        help_text="percent, by the actual cash flows (internal rate of return × 12), fees included"
    )
    total_interest = serializers.SerializerMethodField()
    total_cost = serializers.SerializerMethodField(help_text="total interest plus fees")
    term_choices = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="the terms the member may choose"
    )

    class Meta:
        model = FinancePlan
        fields = ["id", "trim", "name", "down_payment_ratio", "down_payment", "principal", "term_months", "annual_rate",
                  "fees", "monthly_payment", "annual_percentage_rate", "total_interest", "total_cost",
                  "min_down_payment_ratio", "max_down_payment_ratio", "term_choices"]  # fmt: skip

    def _quote(self, plan):
        # One quote per plan per answer: each figure below reads it.
        cache = self.context.setdefault("quotes", {})
        if plan.pk not in cache:
            cache[plan.pk] = plan.quote()
        return cache[plan.pk]

    def get_down_payment(self, plan) -> str:
        return str(self._quote(plan).down_payment)

    def get_principal(self, plan) -> str:
        return str(self._quote(plan).principal)

    def get_monthly_payment(self, plan) -> str:
        return str(self._quote(plan).monthly_payment)

    def get_annual_percentage_rate(self, plan) -> str:
        return str(self._quote(plan).annual_percentage_rate)

    def get_total_interest(self, plan) -> str:
        return str(self._quote(plan).total_interest)

    def get_total_cost(self, plan) -> str:
        return str(self._quote(plan).total_cost)


class LoanChoiceInputSerializer(serializers.Serializer):
    """The member's choice in the loan calculator; what is left out is the plan's own."""

    down_payment = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True, default=None,
        help_text="yuan; within the plan's down_payment_min … down_payment_max",
    )  # fmt: skip
    down_payment_ratio = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=Decimal("0"), max_value=Decimal("0.9"), required=False,
        allow_null=True, default=None, help_text="instead of down_payment: a share of the price, e.g. 0.35",
    )  # fmt: skip
    term_months = serializers.IntegerField(
        min_value=1, max_value=84, required=False, allow_null=True, default=None,
        help_text="one of the plan's term_choices",
    )  # fmt: skip

    def validate(self, attrs):
        if attrs.get("down_payment") is not None and attrs.get("down_payment_ratio") is not None:
            raise ValidationError({"down_payment": [_("Give the down payment in yuan or as a ratio, not both.")]})
        return attrs

    def to_choice(self) -> LoanChoice:
        values = self.validated_data
        return LoanChoice(
            down_payment=values.get("down_payment"),
            down_payment_ratio=values.get("down_payment_ratio"),
            term_months=values.get("term_months"),
        )


class PlanQuoteOutputSerializer(serializers.Serializer):
    """A plan's quote for one choice, and what the plan lets the member choose."""

    plan = serializers.IntegerField(source="plan.pk")
    price = serializers.DecimalField(max_digits=12, decimal_places=2, source="quote.price")
    down_payment = serializers.DecimalField(max_digits=12, decimal_places=2, source="quote.down_payment")
    principal = serializers.DecimalField(max_digits=12, decimal_places=2, source="quote.principal")
    term_months = serializers.IntegerField(source="quote.term_months")
    annual_rate = serializers.DecimalField(max_digits=6, decimal_places=4, source="plan.annual_rate")
    monthly_payment = serializers.DecimalField(max_digits=12, decimal_places=2, source="quote.monthly_payment")
    annual_percentage_rate = serializers.DecimalField(
        max_digits=6, decimal_places=2, source="quote.annual_percentage_rate",
        help_text="percent, by the actual cash flows (internal rate of return × 12), fees included",
    )  # fmt: skip
    total_interest = serializers.DecimalField(max_digits=12, decimal_places=2, source="quote.total_interest")
    fees = serializers.DecimalField(max_digits=10, decimal_places=2, source="quote.fees")
    total_cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="quote.total_cost", help_text="total interest plus fees"
    )
    down_payment_min = serializers.DecimalField(max_digits=12, decimal_places=2, source="bounds.low")
    down_payment_max = serializers.DecimalField(max_digits=12, decimal_places=2, source="bounds.high")
    term_choices = serializers.ListField(child=serializers.IntegerField(), source="plan.term_choices")


class CatalogPlanQuoteApi(APIView):
    """The loan calculator: the quote for a down payment and a term on one offered plan, by the same code that
    records an application's quote."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="catalog_plans_quote",
        parameters=[LoanChoiceInputSerializer],
        responses={200: PlanQuoteOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request, plan_id: int):
        plan = selectors.get_active_plan(plan_id=plan_id)
        if plan is None:
            raise NotFound()
        choice = LoanChoiceInputSerializer(data=request.query_params)
        choice.is_valid(raise_exception=True)
        quote = selectors.quote_choice(plan=plan, **choice.to_choice().as_kwargs())
        low, high = plan.down_payment_bounds()
        data = {"plan": plan, "quote": quote, "bounds": {"low": low, "high": high}}
        return Response(PlanQuoteOutputSerializer(data).data)


class CatalogTrimSerializer(serializers.ModelSerializer):
    class Meta:
        model = Trim
        fields = ["id", "name", "guide_price"]


class CatalogModelOutputSerializer(serializers.ModelSerializer):
    brand = serializers.CharField(source="brand.name")
    trims = CatalogTrimSerializer(many=True)

    class Meta:
        model = CarModel
        fields = ["id", "brand", "name", "body_type", "energy", "description", "trims"]


class CatalogModelListApi(APIView):
    permission_classes = [permissions.AllowAny]
    pagination_class = Pagination

    @extend_schema(operation_id="catalog_models_list", responses={200: CatalogModelOutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.list_catalog_models(), request, view=self)
        return paginator.get_paginated_response(CatalogModelOutputSerializer(page, many=True).data)


class CatalogPlanListApi(APIView):
    permission_classes = [permissions.AllowAny]
    pagination_class = Pagination

    @extend_schema(
        operation_id="catalog_plans_list",
        parameters=[OpenApiParameter("trim", int, required=True, description="trim id")],
        responses={200: FinancePlanOutputSerializer(many=True)},
    )
    def get(self, request):
        trim = request.query_params.get("trim", "")
        if not trim.isdigit():
            raise ValidationError({"trim": [_("Give the trim id, e.g. ?trim=3.")]})
        plans = selectors.list_active_plans(trim_id=int(trim))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(plans, request, view=self)
        return paginator.get_paginated_response(FinancePlanOutputSerializer(page, many=True).data)


class ServiceRecordOutputSerializer(serializers.Serializer):
    serviced_on = serializers.DateField()
    mileage_km = serializers.IntegerField()
    description = serializers.CharField()


class OwnedVehicleOutputSerializer(serializers.ModelSerializer):
    vin = serializers.CharField(source="masked_vin")
    model = serializers.CharField(source="trim.__str__")
    mileage = serializers.IntegerField(source="mileage_km")
    service_records = ServiceRecordOutputSerializer(many=True)

    class Meta:
        model = OwnedVehicle
        fields = ["id", "plate", "vin", "model", "mileage", "delivered_on", "next_service_on", "next_service_km",
                  "inspection_due_on", "insurance_due_on", "service_records"]  # fmt: skip


class VehicleListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    @extend_schema(operation_id="vehicles_list", responses={200: OwnedVehicleOutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.list_member_vehicles(member_id=request.user.member.pk), request, view=self
        )
        return paginator.get_paginated_response(OwnedVehicleOutputSerializer(page, many=True).data)


class VehicleDetailApi(APIView):
    permission_classes = [IsMember]

    class MileageInputSerializer(serializers.Serializer):
        mileage = serializers.IntegerField(min_value=0, max_value=2_000_000)

    @extend_schema(
        operation_id="vehicles_update_mileage",
        request=MileageInputSerializer,
        responses={200: OwnedVehicleOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def patch(self, request, vehicle_id: int):
        data = self.MileageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_mileage(
            vehicle_id=vehicle_id, member_id=request.user.member.pk, mileage_km=data.validated_data["mileage"]
        )
        vehicle = selectors.list_member_vehicles(member_id=request.user.member.pk).get(pk=vehicle_id)
        return Response(OwnedVehicleOutputSerializer(vehicle).data)


class ViolationOutputSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    place = serializers.CharField()
    behaviour = serializers.CharField()
    fine = serializers.DecimalField(max_digits=10, decimal_places=2)
    points = serializers.IntegerField(help_text="licence points (记分)")
    handled = serializers.BooleanField()


class VehicleViolationListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    @extend_schema(
        operation_id="vehicle_violations_list",
        description="Traffic violations of one of the member's own cars, from the provider; another person's car "
        "is 404; the provider not answering is 503 provider_unavailable.",
        responses={200: ViolationOutputSerializer(many=True), 404: ErrorSerializer, 503: ErrorSerializer},
    )
    def get(self, request, vehicle_id: int):
        violations = selectors.list_vehicle_violations(member_id=request.user.member.pk, vehicle_id=vehicle_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(violations, request, view=self)
        return paginator.get_paginated_response(ViolationOutputSerializer(page, many=True).data)


class AftermarketServiceOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=AftermarketKind.choices)
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)


class AftermarketServiceListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    @extend_schema(
        operation_id="aftermarket_services_list",
        responses={200: AftermarketServiceOutputSerializer(many=True), 503: ErrorSerializer},
    )
    def get(self, request):
        services_offered = selectors.list_aftermarket_services(city=request.user.member.city)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(services_offered, request, view=self)
        return paginator.get_paginated_response(AftermarketServiceOutputSerializer(page, many=True).data)


class AftermarketBookingOutputSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service_code")
    date = serializers.DateField(source="booked_for")
    coupon = serializers.CharField(source="coupon_code")

    class Meta:
        model = AftermarketBooking
        fields = ["id", "vehicle", "service", "kind", "name", "price", "date", "coupon", "status", "partner_reference",
                  "created_at"]  # fmt: skip


class AftermarketBookingListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    class AftermarketBookingInputSerializer(serializers.Serializer):
        vehicle = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
        service = serializers.CharField(max_length=40)
        date = serializers.DateField()
        coupon = serializers.CharField(
            max_length=16, required=False, allow_blank=True, help_text="a value-added-service coupon's code"
        )

    @extend_schema(
        operation_id="aftermarket_bookings_list", responses={200: AftermarketBookingOutputSerializer(many=True)}
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.list_member_aftermarket_bookings(member_id=request.user.member.pk), request, view=self
        )
        return paginator.get_paginated_response(AftermarketBookingOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="aftermarket_bookings_create",
        request=AftermarketBookingInputSerializer,
        responses={201: AftermarketBookingOutputSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request):
        data = self.AftermarketBookingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.book_aftermarket_service(
            member_id=request.user.member.pk, vehicle_id=data.validated_data["vehicle"],
            service_code=data.validated_data["service"], booked_for=data.validated_data["date"],
            coupon_code=data.validated_data.get("coupon", ""), actor=request.user,
        )  # fmt: skip
        return Response(AftermarketBookingOutputSerializer(booking).data, status=201)
