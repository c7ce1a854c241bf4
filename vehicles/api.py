from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from common.api import Pagination
from vehicles import selectors
from vehicles.models import CarModel, FinancePlan, Trim


class FinancePlanOutputSerializer(serializers.ModelSerializer):
    down_payment = serializers.SerializerMethodField()
    monthly_payment = serializers.SerializerMethodField()
    principal = serializers.SerializerMethodField()

    class Meta:
        model = FinancePlan
        fields = ["id", "trim", "name", "down_payment_ratio", "down_payment", "principal", "term_months", "annual_rate",
                  "fees", "monthly_payment"]  # fmt: skip

    def get_down_payment(self, plan) -> str:
        return str(plan.quote().down_payment)

    def get_principal(self, plan) -> str:
        return str(plan.quote().principal)

    def get_monthly_payment(self, plan) -> str:
        return str(plan.quote().monthly_payment)


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

    @extend_schema(operation_id="catalog_models_list", responses={200: CatalogModelOutputSerializer(many=True)})
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.list_catalog_models(), request, view=self)
        return paginator.get_paginated_response(CatalogModelOutputSerializer(page, many=True).data)


class CatalogPlanListApi(APIView):
    permission_classes = [permissions.AllowAny]

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
        paginator = Pagination()
        page = paginator.paginate_queryset(plans, request, view=self)
        return paginator.get_paginated_response(FinancePlanOutputSerializer(page, many=True).data)
