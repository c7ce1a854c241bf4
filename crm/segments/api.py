"""Staff tags on a member: POST adds, DELETE removes. Views parse, call one service, serialize."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.segments import services
from members.api import ErrorSerializer


class MemberTagSerializer(serializers.Serializer):
    tag = serializers.CharField(source="tag.code")
    name = serializers.CharField(source="tag.name")
    group = serializers.CharField(source="tag.group.name")
    source = serializers.CharField(help_text="system (computed nightly) or staff (set by hand)")
    added_by = serializers.CharField(source="added_by.username", default=None, allow_null=True)
    added_at = serializers.DateTimeField()


class MemberTagsApi(APIView):
    permission_classes = [IsAdminUser]  # staff accounts

    class MemberTagInputSerializer(serializers.Serializer):
        tag = serializers.CharField(max_length=80, help_text="The code of a staff tag, e.g. prefers_ev.")

    @extend_schema(
        operation_id="backoffice_member_tags_create",
        request=MemberTagInputSerializer,
        responses={201: MemberTagSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request, member_id: int):
        data = self.MemberTagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member_tag = services.add_staff_tag(
            actor=request.user, member_id=member_id, tag_code=data.validated_data["tag"]
        )
        return Response(MemberTagSerializer(member_tag).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="backoffice_member_tags_delete",
        request=MemberTagInputSerializer,
        parameters=[
            OpenApiParameter("tag", str, required=False, description="The tag's code (or send it in the body).")
        ],
        responses={204: None, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def delete(self, request, member_id: int):
        data = self.MemberTagInputSerializer(data={"tag": request.query_params.get("tag") or request.data.get("tag")})
        data.is_valid(raise_exception=True)
        services.remove_staff_tag(actor=request.user, member_id=member_id, tag_code=data.validated_data["tag"])
        return Response(status=status.HTTP_204_NO_CONTENT)
