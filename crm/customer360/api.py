"""Members for staff: search and the 360 view as JSON. Views parse, call one selector, serialize."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ChoiceLabelField, Pagination
from common.representation import represent
from crm.customer360 import selectors
from crm.segments.api import MemberTagSerializer
from crm.segments.enums import Lifecycle, Loyalty
from crm.segments.selectors import SegmentFilters, filter_members
from members.api import ErrorSerializer
from members.enums import Channel as MemberChannel
from members.enums import Tier
from orders.enums import OrderState


class IsStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class StoreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class LatestOrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    state = serializers.CharField()


class MemberSearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The verified real name, else the name the member gave.")
    phone = serializers.CharField(help_text="Masked (138****8000) for store roles.")
    store = StoreSerializer(allow_null=True, help_text="The member's preferred store.")
    latest_order = LatestOrderSerializer(allow_null=True, help_text="The latest application the caller may see.")

    def to_representation(self, member):
        user = self.context["request"].user
        store = member.preferred_store
        return {
            "id": member.pk,
            "name": member.real_name or member.name,
            "phone": selectors.phone_shown_to(user=user, phone=str(member.user.phone)),
            "store": {"id": store.pk, "code": store.code, "name": store.name} if store else None,
            "latest_order": (
                {"number": member.latest_order_number, "state": member.latest_order_state}
                if member.latest_order_number
                else None
            ),
        }


class ProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    real_name = serializers.CharField()
    phone = serializers.CharField(source="user.phone")
    gender = serializers.CharField()
    birthday = serializers.DateField(allow_null=True)
    email = serializers.CharField()
    city = serializers.CharField()
    id_number = serializers.CharField(
        source="id_number_masked", help_text="Always masked (4401**********1234); empty before verification."
    )
    verification_status = serializers.CharField()
    tier = serializers.CharField()
    channel = serializers.CharField()
    channel_label = ChoiceLabelField(source="channel", choices=MemberChannel)
    channel_partner = serializers.CharField()
    referred_by = serializers.SerializerMethodField(help_text="The inviting member's name.")
    store = StoreSerializer(source="preferred_store", allow_null=True)
    registered_at = serializers.DateTimeField(source="created_at")

    def get_referred_by(self, member) -> str | None:
        inviter = member.referred_by
        return (inviter.real_name or inviter.name) if inviter else None


class TimelineEventSerializer(serializers.Serializer):
    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    to_state_label = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class InstallmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    due_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    deduction = serializers.DecimalField(max_digits=10, decimal_places=2)
    status = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)


class LoanSerializer(serializers.Serializer):
    principal = serializers.DecimalField(max_digits=12, decimal_places=2)
    annual_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    term_months = serializers.IntegerField()
    monthly_payment = serializers.DecimalField(max_digits=12, decimal_places=2)
    disbursed_at = serializers.DateTimeField()
    installments = InstallmentSerializer(many=True, read_only=True)  # by number


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="order.pk")
    number = serializers.CharField(source="order.number")
    state = serializers.CharField(source="order.state")
    state_label = ChoiceLabelField(source="order.state", choices=OrderState)
    car = serializers.CharField(source="order.trim")
    plate = serializers.CharField(source="order.plate")
    store = StoreSerializer(source="order.store", allow_null=True)
    price = serializers.DecimalField(source="order.price", max_digits=12, decimal_places=2)
    monthly_payment = serializers.DecimalField(source="order.monthly_payment", max_digits=12, decimal_places=2)
    created_at = serializers.DateTimeField(source="order.created_at")
    timeline = TimelineEventSerializer(many=True)
    loan = LoanSerializer(allow_null=True, read_only=True)


class ServiceVisitSerializer(serializers.Serializer):
    serviced_on = serializers.DateField()
    mileage_km = serializers.IntegerField()
    description = serializers.CharField()
    is_maintenance = serializers.BooleanField()


class CarSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="car.pk")
    car = serializers.CharField(source="car.trim")
    plate = serializers.CharField(source="car.plate")
    vin = serializers.CharField(source="car.vin")
    delivered_on = serializers.DateField(source="car.delivered_on")
    mileage_km = serializers.IntegerField(source="car.mileage_km")
    next_service_on = serializers.DateField(source="car.next_service_on", allow_null=True)
    next_service_km = serializers.IntegerField(source="car.next_service_km", allow_null=True)
    inspection_due_on = serializers.DateField(source="car.inspection_due_on", allow_null=True)
    insurance_due_on = serializers.DateField(source="car.insurance_due_on", allow_null=True)
    service_history = ServiceVisitSerializer(
        source="service_visits", many=True, help_text="The latest visits, newest first."
    )


class PointsEntrySerializer(serializers.Serializer):
    kind = serializers.CharField()
    points = serializers.IntegerField()
    balance_after = serializers.IntegerField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class PointsSerializer(serializers.Serializer):
    balance = serializers.IntegerField(source="points_balance")
    recent_entries = PointsEntrySerializer(source="points_entries", many=True)


class CouponSerializer(serializers.Serializer):
    code = serializers.CharField()
    reward = serializers.CharField()
    face_value = serializers.DecimalField(max_digits=10, decimal_places=2)
    status = serializers.CharField()
    valid_until = serializers.DateField()
    used_at = serializers.DateTimeField(allow_null=True)


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    event = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.CharField(help_text="pending, sending, sent, failed or held")
    provider_status = serializers.CharField(help_text="The carrier's delivery report, when there is one.")
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    read_at = serializers.DateTimeField(allow_null=True)


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    due_at = serializers.DateTimeField()
    assignee = serializers.CharField(allow_null=True)
    store = serializers.CharField(allow_null=True, help_text="The store's code.")


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    note = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    completed_by = serializers.CharField(allow_null=True)


class LeadEnquirySerializer(serializers.Serializer):
    channel = serializers.CharField()
    model_text = serializers.CharField()
    city = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class LeadContactSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    note = serializers.CharField()
    by = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class LeadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    channel = serializers.CharField()
    channel_label = serializers.CharField()
    partner = serializers.CharField(allow_null=True)
    store = serializers.CharField(allow_null=True)
    assignee = serializers.CharField(allow_null=True)
    model_text = serializers.CharField()
    enquiries_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    converted_at = serializers.DateTimeField(allow_null=True)
    enquiries = LeadEnquirySerializer(many=True, help_text="Every enquiry, first first.")
    contacts = LeadContactSerializer(many=True, help_text="Contact attempts, latest first.")


class ComplaintSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    category = serializers.CharField()
    category_label = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    sla_status = serializers.CharField()
    received_at = serializers.DateTimeField()
    store = serializers.CharField()


class ChurnReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class ChurnRiskSerializer(serializers.Serializer):
    score = serializers.IntegerField(source="churn_score", help_text="0–100, the weights of the reasons summed.")
    reasons = ChurnReasonSerializer(source="churn_reasons", many=True)


class Customer360Serializer(serializers.Serializer):
    """Reads a ``crm.customer360.selectors.Customer360``."""

    profile = ProfileSerializer(source="member")
    orders = OrderSerializer(many=True)
    cars = CarSerializer(many=True)
    points = PointsSerializer(source="*")
    coupons = CouponSerializer(many=True, help_text="The latest coupons, newest first.")
    open_tasks = TaskSerializer(many=True)
    contact_history = ContactSerializer(many=True, help_text="Completed tasks, latest first.")
    messages = MessageSerializer(many=True, help_text="The latest messages on every channel, newest first.")
    leads = LeadSerializer(many=True, help_text="Leads from the member's phone or linked to them, newest first.")
    complaints = ComplaintSummarySerializer(many=True, help_text="The latest complaints, newest first.")
    tier = serializers.CharField(source="segments.tier", help_text="diamond, platinum, gold, silver or normal")
    tier_label = serializers.CharField(source="segments.tier_label")
    loyalty = serializers.CharField(source="segments.loyalty", help_text="loyal, fairly_loyal, ordinary, low")
    lifecycle = serializers.CharField(
        source="segments.lifecycle", help_text="lead, new, active, at_risk, churned (empty before the first run)"
    )
    churn_risk = ChurnRiskSerializer(source="segments")
    tags = MemberTagSerializer(source="segments.tags", many=True)
    segments_as_of = serializers.DateField(source="segments.as_of", allow_null=True)


class MemberSearchApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        tier = serializers.ChoiceField(choices=Tier.choices, required=False)
        tag = serializers.CharField(max_length=80, required=False)
        lifecycle = serializers.ChoiceField(choices=Lifecycle.choices, required=False)
        loyalty = serializers.ChoiceField(choices=Loyalty.choices, required=False)

    @extend_schema(
        operation_id="backoffice_members_list",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=False,
                description="phone (with or without +86, or its last 4+ digits), name, plate or application number",
            ),
            OpenApiParameter("tier", str, required=False, enum=Tier.values),
            OpenApiParameter("tag", str, required=False, description="A tag's code, e.g. city:深圳 or prefers_ev."),
            OpenApiParameter("lifecycle", str, required=False, enum=Lifecycle.values),
            OpenApiParameter("loyalty", str, required=False, enum=Loyalty.values),
        ],
        responses={200: MemberSearchResultSerializer(many=True)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        members = selectors.search_members(user=request.user, query=request.query_params.get("q", ""))
        members = filter_members(members, SegmentFilters(**filters.validated_data))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(members, request, view=self)
        data = MemberSearchResultSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class MemberDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_members_read",
        responses={200: Customer360Serializer, 404: ErrorSerializer},
    )
    def get(self, request, member_id: int):
        view = selectors.get_customer_360(user=request.user, member_id=member_id)
        return Response(represent(Customer360Serializer, view))
