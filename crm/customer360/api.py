"""Members for staff: search and the 360 view as JSON. Views parse, call one selector, serialize."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import Pagination
from crm.customer360 import selectors
from members.api import ErrorSerializer


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
    id = serializers.IntegerField()
    name = serializers.CharField()
    real_name = serializers.CharField()
    phone = serializers.CharField()
    gender = serializers.CharField()
    birthday = serializers.DateField(allow_null=True)
    email = serializers.CharField()
    city = serializers.CharField()
    id_number = serializers.CharField(help_text="Always masked (4401**********1234); empty before verification.")
    verification_status = serializers.CharField()
    tier = serializers.CharField()
    channel = serializers.CharField()
    channel_label = serializers.CharField()
    channel_partner = serializers.CharField()
    referred_by = serializers.CharField(allow_null=True, help_text="The inviting member's name.")
    store = StoreSerializer(allow_null=True)
    registered_at = serializers.DateTimeField()


class TimelineEventSerializer(serializers.Serializer):
    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    to_state_label = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    at = serializers.DateTimeField()


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
    installments = InstallmentSerializer(many=True)


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    car = serializers.CharField()
    plate = serializers.CharField()
    store = StoreSerializer(allow_null=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    monthly_payment = serializers.DecimalField(max_digits=12, decimal_places=2)
    created_at = serializers.DateTimeField()
    timeline = TimelineEventSerializer(many=True)
    loan = LoanSerializer(allow_null=True)


class ServiceVisitSerializer(serializers.Serializer):
    serviced_on = serializers.DateField()
    mileage_km = serializers.IntegerField()
    description = serializers.CharField()
    is_maintenance = serializers.BooleanField()


class CarSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    car = serializers.CharField()
    plate = serializers.CharField()
    vin = serializers.CharField()
    delivered_on = serializers.DateField()
    mileage_km = serializers.IntegerField()
    next_service_on = serializers.DateField(allow_null=True)
    next_service_km = serializers.IntegerField(allow_null=True)
    inspection_due_on = serializers.DateField(allow_null=True)
    insurance_due_on = serializers.DateField(allow_null=True)
    service_history = ServiceVisitSerializer(many=True, help_text="The latest visits, newest first.")


class PointsEntrySerializer(serializers.Serializer):
    kind = serializers.CharField()
    points = serializers.IntegerField()
    balance_after = serializers.IntegerField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class PointsSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    recent_entries = PointsEntrySerializer(many=True)


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
    outcome_label = serializers.CharField(source="get_outcome_display")
    note = serializers.CharField()
    by = serializers.CharField(source="contacted_by")
    at = serializers.DateTimeField(source="created_at")


class LeadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.CharField()
    channel_label = serializers.CharField(source="get_channel_display")
    partner = serializers.CharField(source="partner.name", default=None, allow_null=True)
    store = serializers.CharField(source="store.code", default=None, allow_null=True)
    assignee = serializers.CharField(default=None, allow_null=True)
    model_text = serializers.CharField()
    enquiries_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    converted_at = serializers.DateTimeField(allow_null=True)
    enquiries = LeadEnquirySerializer(many=True, source="enquiries.all", help_text="Every enquiry, first first.")
    contacts = LeadContactSerializer(many=True, source="contacts.all", help_text="Contact attempts, latest first.")


class Customer360Serializer(serializers.Serializer):
    profile = ProfileSerializer()
    orders = OrderSerializer(many=True)
    cars = CarSerializer(many=True)
    points = PointsSerializer()
    coupons = CouponSerializer(many=True, help_text="The latest coupons, newest first.")
    open_tasks = TaskSerializer(many=True)
    contact_history = ContactSerializer(many=True, help_text="Completed tasks, latest first.")
    messages = MessageSerializer(many=True, help_text="The latest messages on every channel, newest first.")
    leads = LeadSerializer(many=True, help_text="Leads from the member's phone or linked to them, newest first.")

    def to_representation(self, view):
        return customer_360_as_json(view)


def _store(store) -> dict | None:
    return {"id": store.pk, "code": store.code, "name": store.name} if store else None


def customer_360_as_json(view: selectors.Customer360) -> dict:
    member = view.member
    return {
        "profile": {
            "id": member.pk,
            "name": member.name,
            "real_name": member.real_name,
            "phone": view.phone,
            "gender": member.gender,
            "birthday": member.birthday.isoformat() if member.birthday else None,
            "email": member.email,
            "city": member.city,
            "id_number": member.id_number_masked,
            "verification_status": member.verification_status,
            "tier": member.tier,
            "channel": member.channel,
            "channel_label": str(member.get_channel_display()),
            "channel_partner": member.channel_partner,
            "referred_by": (member.referred_by.real_name or member.referred_by.name) if member.referred_by else None,
            "store": _store(member.preferred_store),
            "registered_at": serializers.DateTimeField().to_representation(member.created_at),
        },
        "orders": [_order(summary) for summary in view.orders],
        "cars": [_car(summary) for summary in view.cars],
        "points": {
            "balance": view.points_balance,
            "recent_entries": PointsEntrySerializer(view.points_entries, many=True).data,
        },
        "coupons": [
            {
                "code": coupon.code,
                "reward": coupon.reward.name,
                "face_value": str(coupon.face_value),
                "status": coupon.status,
                "valid_until": coupon.valid_until.isoformat(),
                "used_at": serializers.DateTimeField().to_representation(coupon.used_at) if coupon.used_at else None,
            }
            for coupon in view.coupons
        ],
        "open_tasks": [
            {
                "id": task.pk,
                "kind": task.kind,
                "kind_label": str(task.get_kind_display()),
                "title": task.title,
                "due_at": serializers.DateTimeField().to_representation(task.due_at),
                "assignee": str(task.assignee) if task.assignee_id else None,
                "store": task.store.code if task.store_id else None,
            }
            for task in view.open_tasks
        ],
        "contact_history": [
            {
                "id": task.pk,
                "kind": task.kind,
                "title": task.title,
                "outcome": task.outcome,
                "outcome_label": str(task.get_outcome_display()) if task.outcome else "",
                "note": task.note,
                "completed_at": (
                    serializers.DateTimeField().to_representation(task.completed_at) if task.completed_at else None
                ),
                "completed_by": str(task.completed_by) if task.completed_by_id else None,
            }
            for task in view.contact_history
        ],
        "messages": MessageSerializer(view.messages, many=True).data,
        "leads": LeadSerializer(view.leads, many=True).data,
    }


def _order(summary: selectors.OrderSummary) -> dict:
    order, loan = summary.order, summary.loan
    return {
        "id": order.pk,
        "number": order.number,
        "state": order.state,
        "state_label": str(order.get_state_display()),
        "car": str(order.trim),
        "plate": order.plate,
        "store": _store(order.store),
        "price": str(order.price),
        "monthly_payment": str(order.monthly_payment),
        "created_at": serializers.DateTimeField().to_representation(order.created_at),
        "timeline": [
            {
                "transition": event.transition,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "to_state_label": str(event.get_to_state_display()),
                "actor": str(event.actor) if event.actor_id else None,
                "reason": event.reason,
                "at": serializers.DateTimeField().to_representation(event.created_at),
            }
            for event in summary.timeline
        ],
        "loan": (
            {
                "principal": str(loan.principal),
                "annual_rate": str(loan.annual_rate),
                "term_months": loan.term_months,
                "monthly_payment": str(loan.monthly_payment),
                "disbursed_at": serializers.DateTimeField().to_representation(loan.disbursed_at),
                "installments": InstallmentSerializer(summary.installments, many=True).data,
            }
            if loan
            else None
        ),
    }


def _car(summary: selectors.CarSummary) -> dict:
    car = summary.car
    return {
        "id": car.pk,
        "car": str(car.trim),
        "plate": car.plate,
        "vin": car.vin,
        "delivered_on": car.delivered_on.isoformat(),
        "mileage_km": car.mileage_km,
        "next_service_on": car.next_service_on.isoformat() if car.next_service_on else None,
        "next_service_km": car.next_service_km,
        "inspection_due_on": car.inspection_due_on.isoformat() if car.inspection_due_on else None,
        "insurance_due_on": car.insurance_due_on.isoformat() if car.insurance_due_on else None,
        "service_history": ServiceVisitSerializer(summary.service_visits, many=True).data,
    }


class MemberSearchApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_members_list",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=False,
                description="phone (with or without +86, or its last 4+ digits), name, plate or application number",
            )
        ],
        responses={200: MemberSearchResultSerializer(many=True)},
    )
    def get(self, request):
        members = selectors.search_members(user=request.user, query=request.query_params.get("q", ""))
        paginator = Pagination()
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
        return Response(Customer360Serializer(view).data)
