"""Owner events for members: the list with places left, registering (a place or the waiting list), cancelling."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer, Pagination
from crm.owner_events import selectors, services
from crm.owner_events.enums import EventKind, RegistrationStatus
from members.api import IsMember


class EventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    store = serializers.CharField(source="store.code")
    place = serializers.CharField()
    description = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    places_left = serializers.SerializerMethodField()
    waiting = serializers.IntegerField(help_text="how many are on the waiting list")
    my_status = serializers.ChoiceField(
        choices=RegistrationStatus.choices, allow_null=True, help_text="the member's registration, null when none"
    )

    def get_places_left(self, event) -> int:
        return max(event.capacity - event.places_taken, 0)


class RegistrationOutputSerializer(serializers.Serializer):
    event = serializers.IntegerField(source="event_id")
    status = serializers.ChoiceField(choices=RegistrationStatus.choices)
    waiting_position = serializers.SerializerMethodField(help_text="1 = next to move up; null when holding a place")
    registered_at = serializers.DateTimeField()

    def get_waiting_position(self, registration) -> int | None:
        return selectors.waiting_position(registration)


class EventListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    @extend_schema(operation_id="events_list", responses={200: EventOutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        events = selectors.list_upcoming_events(member_id=request.user.member.pk)
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(EventOutputSerializer(page, many=True).data)


class EventRegistrationApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="events_register",
        description="A place while there is one (status registered), else the waiting list (status waitlisted, "
        "with its position); registering again answers 200 with the registration the member has. An event that "
        "has started is 409 event_closed.",
        request=None,
        responses={201: RegistrationOutputSerializer, 200: RegistrationOutputSerializer, 404: ErrorSerializer,
                   409: ErrorSerializer},
    )  # fmt: skip
    def post(self, request, event_id: int):
        member_id = request.user.member.pk
        had = selectors.get_my_registration(member_id=member_id, event_id=event_id)
        registration = services.register_for_event(member_id=member_id, event_id=event_id)
        code = status.HTTP_200_OK if had is not None and had.pk == registration.pk else status.HTTP_201_CREATED
        return Response(RegistrationOutputSerializer(registration).data, status=code)

    @extend_schema(
        operation_id="events_cancel_registration",
        description="Cancel; a place held goes to the first on the waiting list. Not registered: 409 not_registered.",
        request=None,
        responses={204: None, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def delete(self, request, event_id: int):
        services.cancel_registration(member_id=request.user.member.pk, event_id=event_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
