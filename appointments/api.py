"""The member's service bookings: GET lists them, POST books a slot."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments import selectors, services
from appointments.enums import AppointmentKind
from appointments.models import Appointment
from common.api import ErrorSerializer, Pagination
from members.api import IsMember


class AppointmentOutputSerializer(serializers.ModelSerializer):
    slot = serializers.TimeField(format="%H:%M")
    store_name = serializers.CharField(source="store.name")
    plate = serializers.CharField(source="vehicle.plate")

    class Meta:
        model = Appointment
        fields = ["id", "vehicle", "plate", "store", "store_name", "kind", "date", "slot", "status", "note",
                  "created_at"]  # fmt: skip


class AppointmentListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    class InputSerializer(serializers.Serializer):
        vehicle = serializers.IntegerField(min_value=1)
        store = serializers.IntegerField(min_value=1)
        kind = serializers.ChoiceField(choices=AppointmentKind.choices)
        date = serializers.DateField()
        slot = serializers.TimeField(input_formats=["%H:%M"], help_text="start of the slot, HH:MM, on the hour")
        note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(operation_id="appointments_list", responses={200: AppointmentOutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.list_member_appointments(member_id=request.user.member.pk), request, view=self
        )
        return paginator.get_paginated_response(AppointmentOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="appointments_create",
        request=InputSerializer,
        responses={201: AppointmentOutputSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        appointment = services.book_appointment(
            member_id=request.user.member.pk, vehicle_id=values["vehicle"], store_id=values["store"],
            kind=values["kind"], date=values["date"], slot=values["slot"], note=values["note"],
        )  # fmt: skip
        return Response(AppointmentOutputSerializer(appointment).data, status=status.HTTP_201_CREATED)
