"""Roadside rescue over the API: the member's own requests (ask, list, read, cancel) and the back office's steps,
list and response-time report. Views parse, call one selector or service, serialize."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import Pagination
from crm.care.rescue import selectors, services
from crm.care.rescue.enums import TRANSITIONS, RescueKind, RescueStatus
from members.api import ErrorSerializer, IsMember


class IsStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class TimelineStepSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()


class RescueVehicleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plate = serializers.CharField()


class RescueOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RescueKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.ChoiceField(choices=RescueStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    vehicle = RescueVehicleSerializer()
    store = serializers.CharField(source="store.code", allow_null=True, default=None)
    store_name = serializers.CharField(source="store.name", allow_null=True, default=None)
    store_phone = serializers.CharField(source="store.phone", allow_null=True, default=None)
    location = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    note = serializers.CharField()
    requested_at = serializers.DateTimeField()
    arrived_at = serializers.DateTimeField(allow_null=True)
    response_minutes = serializers.IntegerField(allow_null=True, help_text="Request → arrival, whole minutes.")
    timeline = serializers.SerializerMethodField()

    def get_timeline(self, rescue) -> list[dict]:
        return TimelineStepSerializer(selectors.timeline(rescue=rescue), many=True).data


class RescueTransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    target = serializers.CharField()
    label = serializers.CharField()


class StaffRescueOutputSerializer(RescueOutputSerializer):
    member = serializers.SerializerMethodField()
    channel = serializers.CharField()
    available_transitions = serializers.SerializerMethodField()

    def get_member(self, rescue) -> dict:
        return {"id": rescue.member_id, "name": rescue.member.display_name, "phone": str(rescue.member.user.phone)}

    def get_available_transitions(self, rescue) -> list[dict]:
        user = self.context["request"].user
        return RescueTransitionSerializer(selectors.available_transitions(rescue=rescue, user=user), many=True).data


class RescueCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RescueKind.choices)
    vehicle = serializers.IntegerField(min_value=1)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=12, decimal_places=8, required=False, allow_null=True, default=None, min_value=-90, max_value=90
    )
    longitude = serializers.DecimalField(
        max_digits=12, decimal_places=8, required=False, allow_null=True, default=None, min_value=-180,
        max_value=180,
    )  # fmt: skip
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if (attrs["latitude"] is None) != (attrs["longitude"] is None):
            raise serializers.ValidationError({"longitude": ["Send both coordinates or neither."]})
        return attrs


class RescueListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    @extend_schema(operation_id="rescue_list", responses={200: RescueOutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.list_member_rescues(member=request.user.member), request, self)
        return paginator.get_paginated_response(RescueOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="rescue_create",
        request=RescueCreateInputSerializer,
        responses={201: RescueOutputSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request):
        data = RescueCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        member = request.user.member
        rescue = services.request_rescue(
            member=member, vehicle_id=values["vehicle"], kind=values["kind"], actor=request.user,
            location=values["location"], latitude=values["latitude"], longitude=values["longitude"],
            note=values["note"],
        )  # fmt: skip
        rescue = selectors.get_member_rescue(member=member, rescue_id=rescue.pk)
        return Response(RescueOutputSerializer(rescue).data, status=201)


class RescueDetailApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="rescue_read", responses={200: RescueOutputSerializer, 404: ErrorSerializer})
    def get(self, request, rescue_id: int):
        rescue = selectors.get_member_rescue(member=request.user.member, rescue_id=rescue_id)
        return Response(RescueOutputSerializer(rescue).data)


class RescueCancelApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="rescue_cancel",
        request=None,
        responses={200: RescueOutputSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, rescue_id: int):
        member = request.user.member
        services.cancel_rescue_by_member(member=member, rescue_id=rescue_id)
        return Response(RescueOutputSerializer(selectors.get_member_rescue(member=member, rescue_id=rescue_id)).data)


class BackofficeRescueListApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = Pagination

    @extend_schema(
        operation_id="backoffice_rescue_list",
        parameters=[OpenApiParameter("status", str, enum=["open", *RescueStatus.values], required=False)],
        responses={200: StaffRescueOutputSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request):
        status = request.query_params.get("status", "")
        if status and status not in ["open", *RescueStatus.values]:
            raise serializers.ValidationError({"status": ["Choose open or a rescue status."]})
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.list_rescues_for_staff(user=request.user, status=status), request,
                                           self)  # fmt: skip
        return paginator.get_paginated_response(
            StaffRescueOutputSerializer(page, many=True, context={"request": request}).data
        )


class BackofficeRescueDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_rescue_read", responses={200: StaffRescueOutputSerializer, 404: ErrorSerializer}
    )
    def get(self, request, rescue_id: int):
        rescue = selectors.get_rescue_for_staff(user=request.user, rescue_id=rescue_id)
        return Response(StaffRescueOutputSerializer(rescue, context={"request": request}).data)


class RescueStepInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BackofficeRescueTransitionApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_rescue_transition",
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(TRANSITIONS))],
        request=RescueStepInputSerializer,
        responses={
            200: StaffRescueOutputSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )  # fmt: skip
    def post(self, request, rescue_id: int, name: str):
        data = RescueStepInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.apply_rescue_transition(rescue_id=rescue_id, name=name, actor=request.user, **data.validated_data)
        rescue = selectors.get_rescue_for_staff(user=request.user, rescue_id=rescue_id)
        return Response(StaffRescueOutputSerializer(rescue, context={"request": request}).data)


class ResponseTimesSerializer(serializers.Serializer):
    store = serializers.CharField(source="store_code", allow_null=True, help_text="The store's code; null: none.")
    store_name = serializers.CharField(allow_null=True)
    requests = serializers.IntegerField(help_text="Rescues requested in the period.")
    arrived = serializers.IntegerField(help_text="Of those, reached by help.")
    cancelled = serializers.IntegerField()
    average_minutes = serializers.FloatField(allow_null=True, help_text="Mean request → arrival, minutes.")
    median_minutes = serializers.FloatField(allow_null=True)
    longest_minutes = serializers.FloatField(allow_null=True)


class RescueReportSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    stores = ResponseTimesSerializer(many=True)
    total = ResponseTimesSerializer()
