"""The complaints API (docs/api.md "Complaints"): the member's own complaints and rating, and the back office's
queue, detail, steps, clock and reports. Views parse, call one selector or service, serialize."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import parsers, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer, Pagination
from crm.care.complaints import selectors, services
from crm.care.complaints.enums import ComplaintCategory, ComplaintStatus, FiledBy, Severity, SlaStatus
from members.api import IsMember


class IsStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class ComplaintTimelineEntrySerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()


class ComplaintRatingSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class ComplaintOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField()
    category = serializers.CharField()
    category_label = serializers.CharField(source="get_category_display")
    severity = serializers.CharField()
    description = serializers.CharField()
    order = serializers.IntegerField(source="order_id", allow_null=True)
    vehicle = serializers.IntegerField(source="vehicle_id", allow_null=True)
    received_at = serializers.DateTimeField()
    first_response_due = serializers.DateTimeField()
    resolution_due = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    photos = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    can_rate = serializers.SerializerMethodField()

    def get_status_label(self, complaint) -> str:
        return selectors.member_status_label(complaint)

    def get_photos(self, complaint) -> int:
        return len(complaint.photos.all())

    def get_timeline(self, complaint) -> ComplaintTimelineEntrySerializer(many=True):
        return ComplaintTimelineEntrySerializer(selectors.member_timeline(complaint), many=True).data

    def get_rating(self, complaint) -> ComplaintRatingSerializer(allow_null=True):
        rating = getattr(complaint, "rating", None)
        return ComplaintRatingSerializer(rating).data if rating is not None else None

    def get_can_rate(self, complaint) -> bool:
        return complaint.is_closed and getattr(complaint, "rating", None) is None


class ComplaintListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField()
    category = serializers.CharField()
    severity = serializers.CharField()
    received_at = serializers.DateTimeField()

    def get_status_label(self, complaint) -> str:
        return selectors.member_status_label(complaint)


class ComplaintListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    class ComplaintCreateInputSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=ComplaintCategory.choices)
        description = serializers.CharField(max_length=4000)
        order = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
        vehicle = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
        photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=6)

    @extend_schema(operation_id="complaints_list", responses={200: ComplaintListOutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.list_member_complaints(user=request.user), request, view=self)
        return paginator.get_paginated_response(ComplaintListOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="complaints_create",
        request=ComplaintCreateInputSerializer,
        responses={201: ComplaintOutputSerializer, 400: ErrorSerializer},
    )
    def post(self, request):
        data = self.ComplaintCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        complaint = services.file_complaint(
            member=request.user.member, category=values["category"], description=values["description"],
            filed_by=FiledBy.MEMBER, actor=request.user, order_id=values["order"], vehicle_id=values["vehicle"],
            photos=values["photos"],
        )  # fmt: skip
        complaint = selectors.get_complaint_for(user=request.user, complaint_id=complaint.pk)
        return Response(ComplaintOutputSerializer(complaint).data, status=status.HTTP_201_CREATED)


class ComplaintDetailApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="complaints_read", responses={200: ComplaintOutputSerializer, 404: ErrorSerializer})
    def get(self, request, complaint_id: int):
        complaint = selectors.get_complaint_for(user=request.user, complaint_id=complaint_id)
        return Response(ComplaintOutputSerializer(complaint).data)


class ComplaintRatingApi(APIView):
    permission_classes = [IsMember]

    class ComplaintRatingInputSerializer(serializers.Serializer):
        score = serializers.IntegerField(
            min_value=1, max_value=5, error_messages={"min_value": gettext_lazy("Please give a score from 1 to 5."),
                                                      "max_value": gettext_lazy("Please give a score from 1 to 5.")},
        )  # fmt: skip
        comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="complaints_rate",
        request=ComplaintRatingInputSerializer,
        responses={201: ComplaintRatingSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, complaint_id: int):
        data = self.ComplaintRatingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.rate_complaint(
            complaint_id=complaint_id, member=request.user.member, score=data.validated_data["score"],
            comment=data.validated_data["comment"],
        )  # fmt: skip
        return Response(ComplaintRatingSerializer(rating).data, status=status.HTTP_201_CREATED)


# Back office ----------------------------------------------------------------------------------------------------


class ComplaintTransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    target = serializers.CharField()
    label = serializers.CharField()
    needs_note = serializers.BooleanField()


class ComplaintEventSerializer(serializers.Serializer):
    transition = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    note = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class StaffComplaintListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    category = serializers.CharField()
    severity = serializers.CharField()
    sla_status = serializers.CharField()
    store = serializers.CharField(source="store.code", allow_null=True, default=None)
    member_name = serializers.CharField(source="member.name")
    received_at = serializers.DateTimeField()
    first_response_due = serializers.DateTimeField()
    resolution_due = serializers.DateTimeField()
    escalation_level = serializers.IntegerField()


class StaffComplaintDetailOutputSerializer(ComplaintOutputSerializer):
    status_label = serializers.CharField(source="get_status_display")
    sla_status = serializers.CharField()
    store = serializers.CharField(source="store.code", allow_null=True, default=None)
    member = serializers.IntegerField(source="member_id")
    filed_by = serializers.CharField()
    paused_at = serializers.DateTimeField(allow_null=True)
    pause_reason = serializers.CharField()
    root_cause = serializers.CharField()
    prevention = serializers.CharField()
    solution = serializers.CharField()
    escalation_level = serializers.IntegerField()
    reopens = serializers.IntegerField(source="reopens_id", allow_null=True)
    events = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()

    def get_events(self, complaint) -> ComplaintEventSerializer(many=True):
        return [
            {"transition": event.transition, "from_status": event.from_status, "to_status": event.to_status,
             "actor": event.actor.get_username() if event.actor else None, "note": event.note,
             "created_at": event.created_at}
            for event in complaint.events.all()
        ]  # fmt: skip

    def get_available_transitions(self, complaint) -> ComplaintTransitionSerializer(many=True):
        return selectors.available_transitions_for(complaint=complaint, user=self.context["request"].user)


def _staff_detail(request, complaint_id: int) -> Response:
    complaint = selectors.get_complaint_for(user=request.user, complaint_id=complaint_id)
    return Response(StaffComplaintDetailOutputSerializer(complaint, context={"request": request}).data)


class BackofficeComplaintListApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=ComplaintStatus.choices, required=False, allow_blank=True, default="")
        sla = serializers.ChoiceField(choices=SlaStatus.choices, required=False, allow_blank=True, default="")
        q = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)

    @extend_schema(
        operation_id="backoffice_complaints_list",
        parameters=[
            OpenApiParameter("status", str, enum=ComplaintStatus.values, required=False),
            OpenApiParameter("sla", str, enum=SlaStatus.values, required=False),
            OpenApiParameter("q", str, required=False, description="complaint number, phone or name"),
        ],
        responses={200: StaffComplaintListOutputSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        complaints = selectors.list_staff_complaints(
            user=request.user, status=values["status"], sla=values["sla"], search=values["q"]
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(complaints, request, view=self)
        return paginator.get_paginated_response(StaffComplaintListOutputSerializer(page, many=True).data)


class BackofficeComplaintDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_complaints_read",
        responses={200: StaffComplaintDetailOutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request, complaint_id: int):
        return _staff_detail(request, complaint_id)


class BackofficeComplaintTransitionApi(APIView):
    permission_classes = [IsStaff]

    class ComplaintTransitionInputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
        severity = serializers.ChoiceField(choices=Severity.choices, required=False, allow_blank=True, default="")
        root_cause = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
        prevention = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)

    @extend_schema(
        operation_id="backoffice_complaints_transition",
        request=ComplaintTransitionInputSerializer,
        responses={
            200: StaffComplaintDetailOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },  # fmt: skip
    )
    def post(self, request, complaint_id: int, name: str):
        data = self.ComplaintTransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = services.apply_transition(
            complaint_id=complaint_id, name=name, actor=request.user,
            visible_ids=selectors.complaints_visible_to(user=request.user).values("pk"), **data.validated_data,
        )  # fmt: skip
        return _staff_detail(request, complaint.pk)


class ClockInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


_CLOCK_RESPONSES = {200: StaffComplaintDetailOutputSerializer, 400: ErrorSerializer, 403: ErrorSerializer,
                    404: ErrorSerializer, 409: ErrorSerializer}  # fmt: skip


class BackofficeComplaintPauseApi(APIView):
    """Pause the SLA clock while waiting on the member: ``{"reason"}`` (told to the member)."""

    permission_classes = [IsStaff]

    @extend_schema(operation_id="backoffice_complaints_pause", request=ClockInputSerializer, responses=_CLOCK_RESPONSES)
    def post(self, request, complaint_id: int):
        data = ClockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.pause_clock(
            complaint_id=complaint_id, actor=request.user, reason=data.validated_data["reason"],
            visible_ids=selectors.complaints_visible_to(user=request.user).values("pk"),
        )  # fmt: skip
        return _staff_detail(request, complaint_id)


class BackofficeComplaintResumeApi(APIView):
    """Start the clock again; the deadlines move on by the business time it stood still."""

    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_complaints_resume", request=ClockInputSerializer, responses=_CLOCK_RESPONSES
    )
    def post(self, request, complaint_id: int):
        data = ClockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.resume_clock(
            complaint_id=complaint_id, actor=request.user, note=data.validated_data["reason"],
            visible_ids=selectors.complaints_visible_to(user=request.user).values("pk"),
        )  # fmt: skip
        return _staff_detail(request, complaint_id)


class TopicRowSerializer(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    serious = serializers.IntegerField()
    share = serializers.FloatField()


class StoreComplianceRowSerializer(serializers.Serializer):
    store_id = serializers.IntegerField(allow_null=True)
    store = serializers.CharField()
    received = serializers.IntegerField()
    closed = serializers.IntegerField()
    met = serializers.IntegerField()
    closed_late = serializers.IntegerField()
    open_breached = serializers.IntegerField()
    compliance = serializers.FloatField(allow_null=True)
    average_resolution_hours = serializers.FloatField(
        allow_null=True, help_text="Mean hours from receipt to closing, over the closed ones; null: none closed."
    )
