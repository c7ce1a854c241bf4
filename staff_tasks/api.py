"""The staff task queue over the API (back office): list with the queue filters, complete, assign. Views parse,
call one selector or service, serialize."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ChoiceLabelField, Pagination
from common.representation import represent
from members.api import ErrorSerializer
from staff_tasks import selectors, services
from staff_tasks.enums import TaskKind, TaskOutcome, TaskStatus
from staff_tasks.exceptions import AssignNotAllowed, InvalidAssignee, TaskNotFound


class IsStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class TaskMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField(source="user.phone")


class TaskSubjectSerializer(serializers.Serializer):
    type = serializers.CharField(source="subject_type")
    id = serializers.IntegerField(source="subject_id", allow_null=True)


class TaskOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = ChoiceLabelField(source="kind", choices=TaskKind)
    title = serializers.CharField()
    member = TaskMemberSerializer(allow_null=True)
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    store = serializers.IntegerField(source="store_id", allow_null=True)
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    due_at = serializers.DateTimeField()
    status = serializers.CharField()
    script = serializers.CharField()
    subject = TaskSubjectSerializer(source="*")
    outcome = serializers.CharField()
    note = serializers.CharField()
    next_contact_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class CompleteInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=TaskOutcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    answers = serializers.JSONField(required=False, allow_null=True, default=None)
    next_contact_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AssignInputSerializer(serializers.Serializer):
    assignee = serializers.CharField(allow_null=True, max_length=150)


def _choice(request, name: str, allowed) -> str:
    value = request.query_params.get(name, "")
    if value and value not in allowed:
        raise serializers.ValidationError({name: [_("Choose one of: %(values)s.") % {"values": ", ".join(allowed)}]})
    return value


class TaskListApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = Pagination

    @extend_schema(
        operation_id="backoffice_tasks_list",
        parameters=[
            OpenApiParameter("status", str, enum=TaskStatus.values, required=False),
            OpenApiParameter("due", str, enum=["today", "overdue"], required=False),
            OpenApiParameter("kind", str, enum=TaskKind.values, required=False),
            OpenApiParameter("assignee", str, enum=["me", "none"], required=False),
            OpenApiParameter("member", int, required=False),
        ],
        responses={200: TaskOutputSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request):
        member = request.query_params.get("member", "")
        if member and not member.isdigit():
            raise serializers.ValidationError({"member": [_("A member id is a whole number.")]})
        tasks = selectors.list_tasks(
            user=request.user, status=_choice(request, "status", TaskStatus.values),
            due=_choice(request, "due", ["today", "overdue"]), kind=_choice(request, "kind", TaskKind.values),
            assignee=_choice(request, "assignee", ["me", "none"]), member_id=int(member) if member else None,
        )  # fmt: skip
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(tasks, request, view=self)
        return paginator.get_paginated_response(represent(TaskOutputSerializer, page, many=True))


class TaskCompleteApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_tasks_complete",
        request=CompleteInputSerializer,
        responses={200: TaskOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, task_id: int):
        data = CompleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.complete_task(task_id=task_id, actor=request.user, **data.validated_data)
        return Response(TaskOutputSerializer(selectors.get_task(user=request.user, task_id=task_id)).data)


class TaskAssignApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_tasks_assign",
        request=AssignInputSerializer,
        responses={
            200: TaskOutputSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )  # fmt: skip
    def post(self, request, task_id: int):
        data = AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if selectors.get_task(user=request.user, task_id=task_id) is None:
            raise TaskNotFound
        if not services.can_assign_tasks(user=request.user):
            raise AssignNotAllowed
        username = data.validated_data["assignee"]
        assignee = selectors.staff_account_by_username(username=username) if username else None
        if username and assignee is None:
            raise InvalidAssignee
        services.assign_task(task_id=task_id, actor=request.user, assignee=assignee)
        return Response(TaskOutputSerializer(selectors.get_task(user=request.user, task_id=task_id)).data)
