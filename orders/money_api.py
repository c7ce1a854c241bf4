"""The money API: finance records a payment on an installment; a member puts a repayment-deduction coupon on an
upcoming installment of their own loan (docs/api.md "Money")."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from members.api import IsMember
from orders import repayments
from orders.api import InstallmentOutputSerializer, IsStaff


class PaymentInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=64, help_text="the bank's or loan system's payment reference")


class InstallmentPaymentApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_installments_payments_create",
        request=PaymentInputSerializer,
        responses={
            201: InstallmentOutputSerializer,
            200: InstallmentOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },  # fmt: skip
        description="Records a payment; the same reference again answers 200 with the installment and records "
        "nothing; more than is still due is 400 `overpayment`.",
    )
    def post(self, request, installment_id: int):
        data = PaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        installment, created = repayments.record_payment(
            installment_id=installment_id, actor=request.user, **data.validated_data
        )
        return Response(
            InstallmentOutputSerializer(installment).data, status=status.HTTP_201_CREATED if created else 200
        )


class InstallmentCouponInputSerializer(serializers.Serializer):
    coupon = serializers.CharField(max_length=16, help_text="the code of a monthly-repayment deduction coupon")


class InstallmentCouponApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="loans_installments_coupon_apply",
        request=InstallmentCouponInputSerializer,
        responses={200: InstallmentOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        description="What is due drops by the coupon's face value; one coupon per installment, and a coupon is used "
        "once (409 `coupon_not_usable`, `installment_closed_to_coupons`).",
    )
    def post(self, request, installment_id: int):
        data = InstallmentCouponInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        installment = repayments.apply_repayment_coupon(
            installment_id=installment_id, coupon_code=data.validated_data["coupon"], actor=request.user
        )
        return Response(InstallmentOutputSerializer(installment).data)
