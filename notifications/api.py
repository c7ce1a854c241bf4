"""The member's messages and notification preferences (docs/api.md "Cars, bills, messages")."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer, Pagination
from members.api import IsMember
from notifications import selectors, services
from notifications.exceptions import MessageNotFound
from notifications.models import Notification


class InboxMessageOutputSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "event", "category", "subject", "body", "link", "created_at", "read_at", "unread"]

    def get_unread(self, message) -> bool:
        return message.read_at is None


class InboxListApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="inbox_list",
        responses={
            200: inline_serializer(
                "InboxPage",
                {
                    "count": serializers.IntegerField(),
                    "unread": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": InboxMessageOutputSerializer(many=True),
                },
            )
        },
    )
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.list_inbox(user=request.user), request, view=self)
        response = paginator.get_paginated_response(InboxMessageOutputSerializer(page, many=True).data)
        response.data["unread"] = selectors.count_unread(user=request.user)
        return response


class InboxReadApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="inbox_read", request=None, responses={204: None, 404: ErrorSerializer})
    def post(self, request, message_id: int):
        message = selectors.get_inbox_message(user=request.user, message_id=message_id)
        if message is None:
            raise MessageNotFound()
        services.mark_inbox_message_read(notification=message)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PreferencesSerializer(serializers.Serializer):
    """{category: {"sms": bool, "email": bool}} for transactional, service and marketing, and "calls": bool."""

    def to_representation(self, instance):
        return instance

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ['Expected {"marketing": {"sms": false}, ...}']})
        data = dict(data)
        calls = data.pop("calls", None)
        if calls is not None and not isinstance(calls, bool):
            raise serializers.ValidationError({"calls": [_("Expected true or false.")]})
        if not all(
            isinstance(channels, dict) and all(isinstance(value, bool) for value in channels.values())
            for channels in data.values()
        ):
            raise serializers.ValidationError({"non_field_errors": ['Expected {"marketing": {"sms": false}, ...}']})
        return {"channels": data, "calls": calls}


class ChannelChoicesSerializer(serializers.Serializer):
    sms = serializers.BooleanField()
    email = serializers.BooleanField()


class ChannelChoicesInputSerializer(serializers.Serializer):
    sms = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class PreferencesOutputSerializer(serializers.Serializer):
    """Every category with its switchable channels (the in-app inbox is always on)."""

    transactional = ChannelChoicesSerializer(help_text="always on: applications, payments, sign-in")
    service = ChannelChoicesSerializer()
    marketing = ChannelChoicesSerializer()
    calls = serializers.BooleanField(
        help_text="Staff may phone the member about care and offers; calls about payments due always stay."
    )


class PreferencesInputSerializer(serializers.Serializer):
    """The categories and channels to change; the others stay. Switching transactional messages off is 400."""

    transactional = ChannelChoicesInputSerializer(required=False)
    service = ChannelChoicesInputSerializer(required=False)
    marketing = ChannelChoicesInputSerializer(required=False)
    calls = serializers.BooleanField(required=False)


class PreferencesApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="preferences_read", responses={200: PreferencesOutputSerializer})
    def get(self, request):
        return Response(selectors.get_preferences(user=request.user))

    @extend_schema(
        operation_id="preferences_save",
        request=PreferencesInputSerializer,
        responses={200: PreferencesOutputSerializer, 400: ErrorSerializer},
    )
    def put(self, request):
        choices = PreferencesSerializer(data=request.data)
        choices.is_valid(raise_exception=True)
        services.save_preferences(user=request.user, choices=choices.validated_data["channels"])
        if choices.validated_data["calls"] is not None:
            services.save_call_preference(user=request.user, accepts_calls=choices.validated_data["calls"])
        return Response(selectors.get_preferences(user=request.user))
