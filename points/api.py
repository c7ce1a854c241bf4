"""The points API (docs/api.md "Points, rewards, coupons")."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer, Pagination
from members.api import IsMember
from points import selectors, services
from points.models import Coupon, PointsEntry, Reward


class ExpiringSerializer(serializers.Serializer):
    points = serializers.IntegerField()
    expires_on = serializers.DateField()


class PointsSummaryApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="points_summary",
        responses={
            200: inline_serializer(
                "PointsSummary", {"balance": serializers.IntegerField(), "expiring": ExpiringSerializer(many=True)}
            )
        },
    )
    def get(self, request):
        member_id = request.user.member.pk
        return Response(
            {
                "balance": selectors.get_balance(member_id=member_id),
                "expiring": ExpiringSerializer(selectors.list_expiring(member_id=member_id), many=True).data,
            }
        )


class PointsEntryOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PointsEntry
        fields = ["id", "kind", "points", "balance_after", "reason", "created_at"]


class PointsEntryListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    @extend_schema(operation_id="points_entries_list", responses={200: PointsEntryOutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.list_entries(member_id=request.user.member.pk), request, view=self)
        return paginator.get_paginated_response(PointsEntryOutputSerializer(page, many=True).data)


class RewardOutputSerializer(serializers.ModelSerializer):
    available = serializers.BooleanField()

    class Meta:
        model = Reward
        fields = ["id", "name", "kind", "description", "cost_points", "face_value", "valid_days", "stock", "available"]


class RewardListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    @extend_schema(operation_id="rewards_list", responses={200: RewardOutputSerializer(many=True)})
    def get(self, request):
        rows = []
        for reward, available in selectors.list_rewards(member_id=request.user.member.pk):
            reward.available = available
            rows.append(reward)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(RewardOutputSerializer(page, many=True).data)


class CouponOutputSerializer(serializers.ModelSerializer):
    reward = serializers.CharField(source="reward.name")
    kind = serializers.CharField(source="reward.kind")

    class Meta:
        model = Coupon
        fields = ["id", "code", "reward", "kind", "face_value", "status", "valid_until", "used_at", "created_at"]


class RedemptionCreateApi(APIView):
    permission_classes = [IsMember]

    class RedemptionInputSerializer(serializers.Serializer):
        reward = serializers.IntegerField(min_value=1)
        idempotency_key = serializers.CharField(min_length=8, max_length=100)

    @extend_schema(
        operation_id="redemptions_create",
        request=RedemptionInputSerializer,
        responses={
            201: inline_serializer(
                "Redemption", {"coupon": CouponOutputSerializer(), "balance": serializers.IntegerField()}
            ),
            200: inline_serializer(
                "RedemptionRepeated", {"coupon": CouponOutputSerializer(), "balance": serializers.IntegerField()}
            ),
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request):
        data = self.RedemptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        redemption = services.redeem_reward(
            member_id=request.user.member.pk, reward_id=data.validated_data["reward"],
            idempotency_key=data.validated_data["idempotency_key"],
            actor=request.user,
        )  # fmt: skip
        body = {"coupon": CouponOutputSerializer(redemption.coupon).data, "balance": redemption.balance}
        return Response(body, status=status.HTTP_201_CREATED if redemption.is_new else status.HTTP_200_OK)


class CouponListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    @extend_schema(operation_id="coupons_list", responses={200: CouponOutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.list_coupons(member_id=request.user.member.pk), request, view=self)
        return paginator.get_paginated_response(CouponOutputSerializer(page, many=True).data)
