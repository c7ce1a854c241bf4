"""The orders API: the member's applications (docs/api.md "Catalog and applications") and the back office's
("Staff (back office)"). Views parse, call one selector or service, serialize."""

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import parsers, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer, Pagination
from members.api import IsMember
from orders import selectors, services
from orders.downloads import document_response
from orders.enums import DocumentKind, DropOutReason, InstallmentStatus, OrderState
from orders.models import Order, OrderDocument
from vehicles.api import LoanChoiceInputSerializer


class IsStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "integer"}], "description": "the store's code (its numeric id works too)"}
)
class StoreField(serializers.Field):
    """A store named by its code, as every answer names it; its numeric id is accepted too. Gives the Store."""

    default_error_messages = {"unknown": gettext_lazy("There is no open store with this code.")}

    def to_internal_value(self, data):
        store = selectors.find_active_store(reference=data)
        if store is None:
            self.fail("unknown")
        return store

    def to_representation(self, store) -> str:
        return store.code


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    target = serializers.CharField()
    label = serializers.CharField()
    needs_reason = serializers.BooleanField()


class TimelineEntrySerializer(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()


class OrderPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    term_months = serializers.IntegerField()


class OrderMemberSerializer(serializers.Serializer):
    name = serializers.CharField()
    real_name = serializers.CharField()
    phone = serializers.CharField(help_text="E.164")
    email = serializers.CharField()
    city = serializers.CharField()
    id_number = serializers.CharField(help_text="Masked, e.g. 4401**********1234")
    verification_status = serializers.CharField()


class OrderEventSerializer(serializers.Serializer):
    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class CreditOverrideSerializer(serializers.Serializer):
    agreed_by = serializers.CharField()
    agreed_at = serializers.DateTimeField()
    note = serializers.CharField()


class CreditCheckSerializer(serializers.Serializer):
    status = serializers.CharField()
    decision = serializers.CharField(help_text="empty until the provider has answered")
    score = serializers.IntegerField(allow_null=True)
    attempts = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)
    head_office_override = CreditOverrideSerializer(
        source="override",
        allow_null=True,
        default=None,
        help_text="head office agreed to approve despite a decline",
    )


class DocumentOutputSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = OrderDocument
        fields = ["id", "kind", "content_type", "size", "created_at", "url"]

    def get_url(self, document) -> str:
        return f"/api/v1/orders/{document.order_id}/documents/{document.pk}/file/"


class OrderListOutputSerializer(serializers.ModelSerializer):
    state_label = serializers.SerializerMethodField()
    trim = serializers.CharField(source="trim.__str__")
    store = serializers.CharField(source="store.code", default=None, allow_null=True, help_text="the store's code")

    class Meta:
        model = Order
        fields = ["id", "number", "state", "state_label", "trim", "store", "price", "down_payment", "monthly_payment",
                  "created_at"]  # fmt: skip

    def get_state_label(self, order) -> str:
        return selectors.member_state_label(order=order)


class OrderDetailOutputSerializer(OrderListOutputSerializer):
    plan = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()
    documents = DocumentOutputSerializer(many=True)
    replaces = serializers.CharField(source="replaces.number", default=None, allow_null=True)
    signing_at = serializers.DateTimeField(allow_null=True)
    plate = serializers.CharField(allow_blank=True)

    class Meta(OrderListOutputSerializer.Meta):
        fields = [*OrderListOutputSerializer.Meta.fields, "total_interest", "fees", "annual_percentage_rate", "plan",
                  "timeline", "available_transitions", "missing_documents", "next_step", "documents", "replaces",
                  "signing_at", "plate"]  # fmt: skip

    @extend_schema_field(OrderPlanSerializer)
    def get_plan(self, order) -> dict:
        return {"id": order.plan_id, "name": order.plan.name, "term_months": order.loan_term_months}

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, order) -> list[dict]:
        return TimelineEntrySerializer(selectors.member_timeline(order=order), many=True).data

    @extend_schema_field(TransitionSerializer(many=True))
    def get_available_transitions(self, order) -> list[dict]:
        return TransitionSerializer(
            selectors.available_transitions_for(order=order, user=self.context["request"].user), many=True
        ).data

    def get_missing_documents(self, order) -> list[str]:
        return order.missing_documents()

    def get_next_step(self, order) -> str:
        return selectors.member_next_step(order=order)


class StaffOrderDetailOutputSerializer(OrderDetailOutputSerializer):
    member = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    credit_check = serializers.SerializerMethodField()

    class Meta(OrderDetailOutputSerializer.Meta):
        fields = [*OrderDetailOutputSerializer.Meta.fields, "member", "events", "credit_check"]

    @extend_schema_field(OrderMemberSerializer)
    def get_member(self, order) -> dict:
        member = order.member
        return {
            "name": member.display_name,  # the verified real name once there is one
            "profile_name": member.name,
            "real_name": member.real_name,
            "phone": str(member.user.phone),
            "email": member.email,
            "city": member.city,
            "id_number": member.id_number_masked,
            "verification_status": member.verification_status,
        }

    @extend_schema_field(OrderEventSerializer(many=True))
    def get_events(self, order) -> list[dict]:
        events = [
            {"transition": event.transition, "from_state": event.from_state, "to_state": event.to_state,
             "actor": str(event.actor) if event.actor_id else None, "reason": event.reason, "at": event.created_at}
            for event in order.events.all()
        ]  # fmt: skip
        return OrderEventSerializer(events, many=True).data

    @extend_schema_field(CreditCheckSerializer(allow_null=True))
    def get_credit_check(self, order) -> dict | None:
        check = selectors.latest_credit_check(order=order)
        if check is None:
            return None
        return CreditCheckSerializer(check).data


class TransitionInputSerializer(LoanChoiceInputSerializer):
    """A step's input; a model change also takes the new trim, plan and loan choice."""

    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    reason_code = serializers.ChoiceField(
        choices=DropOutReason.choices, required=False, allow_blank=True, default="",
        help_text="On reject and terminate: why, as a code the reports count.",
    )  # fmt: skip
    vin = serializers.CharField(max_length=17, required=False, allow_blank=True, default="")
    signing_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    plate = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    trim = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    plan = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


def _take_step(request, order_id: int, name: str, *, serializer_class):
    data = TransitionInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    selectors.get_order_for(user=request.user, order_id=order_id)  # someone else's order is 404, not 403
    order = services.apply_transition(
        order_id=order_id, name=name, actor=request.user, reason=values["reason"], reason_code=values["reason_code"],
        vin=values["vin"],
        signing_at=values["signing_at"], plate=values["plate"], trim_id=values["trim"], plan_id=values["plan"],
        choice=data.to_choice(),
    )  # fmt: skip
    order = selectors.get_order_for(user=request.user, order_id=order.pk)
    return Response(serializer_class(order, context={"request": request}).data)


class OrderListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    class OrderCreateInputSerializer(LoanChoiceInputSerializer):
        trim = serializers.IntegerField(min_value=1)
        plan = serializers.IntegerField(min_value=1)
        store = StoreField(required=False, allow_null=True, default=None)

    @extend_schema(operation_id="orders_list", responses={200: OrderListOutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.list_member_orders(user=request.user), request, view=self)
        return paginator.get_paginated_response(OrderListOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_create",
        request=OrderCreateInputSerializer,
        responses={201: OrderDetailOutputSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request):
        data = self.OrderCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        store = data.validated_data["store"]
        order = services.create_order(
            member=request.user.member, trim_id=data.validated_data["trim"], plan_id=data.validated_data["plan"],
            actor=request.user, store_id=store.pk if store else None, choice=data.to_choice(),
        )  # fmt: skip
        order = selectors.get_order_for(user=request.user, order_id=order.pk)
        return Response(OrderDetailOutputSerializer(order, context={"request": request}).data, status=201)


class OrderDetailApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="orders_read", responses={200: OrderDetailOutputSerializer, 404: ErrorSerializer})
    def get(self, request, order_id: int):
        order = selectors.get_order_for(user=request.user, order_id=order_id)
        return Response(OrderDetailOutputSerializer(order, context={"request": request}).data)


class OrderTransitionApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="orders_transition",
        request=TransitionInputSerializer,
        responses={
            200: OrderDetailOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },  # fmt: skip
    )
    def post(self, request, order_id: int, name: str):
        return _take_step(request, order_id, name, serializer_class=OrderDetailOutputSerializer)


class DocumentUploadInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField()


class OrderDocumentListApi(APIView):
    permission_classes = [IsMember]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    @extend_schema(operation_id="orders_documents_list", responses={200: DocumentOutputSerializer(many=True)})
    def get(self, request, order_id: int):
        order = selectors.get_order_for(user=request.user, order_id=order_id)
        return Response(DocumentOutputSerializer(order.documents.all(), many=True).data)

    @extend_schema(
        operation_id="orders_documents_upload",
        request={"multipart/form-data": DocumentUploadInputSerializer},
        responses={
            201: DocumentOutputSerializer,
            400: ErrorSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The application is closed to new documents."),
        },
    )
    def post(self, request, order_id: int):
        order = selectors.get_order_for(user=request.user, order_id=order_id)
        data = DocumentUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.upload_document(
            order=order, kind=data.validated_data["kind"], uploaded_file=data.validated_data["file"], actor=request.user
        )
        return Response(DocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED)


class OrderDocumentFileApi(APIView):
    """Serves a document's bytes after the same visibility check as the order (member, or staff of its store)."""

    @extend_schema(
        operation_id="orders_documents_file",
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in services.ALLOWED_DOCUMENT_TYPES},
    )
    def get(self, request, order_id: int, document_id: int):
        order = selectors.get_order_for(user=request.user, order_id=order_id)
        return document_response(request, order=order, document_id=document_id)

    def perform_content_negotiation(self, request, force=False):
        # The file answers in its own type whatever Accept asks for (image/*, application/pdf); errors stay JSON.
        return super().perform_content_negotiation(request, force=True)


class BackofficeOrderListApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(
            choices=OrderState.choices, required=False, allow_blank=True, default="",
            error_messages={"invalid_choice": gettext_lazy("Unknown state.")},
        )  # fmt: skip
        q = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)
        unassigned = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        operation_id="backoffice_orders_list",
        parameters=[
            OpenApiParameter("state", str, enum=OrderState.values, required=False),
            OpenApiParameter("q", str, required=False, description="order number, phone, plate or name"),
            OpenApiParameter(
                "unassigned",
                bool,
                required=False,
                description="true: only submitted applications waiting for the call center to assign a store",
            ),  # fmt: skip
        ],
        responses={200: OrderListOutputSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        orders = selectors.list_store_orders(
            user=request.user, state=filters.validated_data["state"], search=filters.validated_data["q"],
            unassigned=filters.validated_data["unassigned"],
        )  # fmt: skip
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(OrderListOutputSerializer(page, many=True).data)


class BackofficeOrderDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(operation_id="backoffice_orders_read", responses={200: StaffOrderDetailOutputSerializer})
    def get(self, request, order_id: int):
        order = selectors.get_order_for(user=request.user, order_id=order_id)
        return Response(StaffOrderDetailOutputSerializer(order, context={"request": request}).data)


class BackofficeOrderTransitionApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_orders_transition",
        request=TransitionInputSerializer,
        responses={
            200: StaffOrderDetailOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },  # fmt: skip
    )
    def post(self, request, order_id: int, name: str):
        return _take_step(request, order_id, name, serializer_class=StaffOrderDetailOutputSerializer)


class BackofficeCreditOverrideApi(APIView):
    """Head office agrees that a reviewer may approve an application its credit check declined."""

    permission_classes = [IsStaff]

    class CreditOverrideInputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=1000)

    class CreditOverrideOutputSerializer(serializers.Serializer):
        credit_check = serializers.IntegerField(source="credit_check_id")
        agreed_by = serializers.CharField()
        agreed_at = serializers.DateTimeField()
        note = serializers.CharField()

    @extend_schema(
        operation_id="backoffice_orders_credit_override",
        request=CreditOverrideInputSerializer,
        responses={
            201: CreditOverrideOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },  # fmt: skip
    )
    def post(self, request, order_id: int):
        data = self.CreditOverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        selectors.get_order_for(user=request.user, order_id=order_id)  # someone else's order is 404, not 403
        override = services.agree_to_approve_declined(
            order_id=order_id, actor=request.user, note=data.validated_data["note"]
        )
        return Response(self.CreditOverrideOutputSerializer(override).data, status=status.HTTP_201_CREATED)


class BackofficeOrderAssignStoreApi(APIView):
    """The call center or head office gives an application waiting unassigned to a store."""

    permission_classes = [IsStaff]

    class AssignStoreInputSerializer(serializers.Serializer):
        store = StoreField()

    @extend_schema(
        operation_id="backoffice_orders_assign_store",
        request=AssignStoreInputSerializer,
        responses={
            200: StaffOrderDetailOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },  # fmt: skip
    )
    def post(self, request, order_id: int):
        selectors.get_order_for(user=request.user, order_id=order_id)  # someone else's order is 404, not 403
        data = self.AssignStoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.assign_order_store(order_id=order_id, store_id=data.validated_data["store"].pk, actor=request.user)
        order = selectors.get_order_for(user=request.user, order_id=order_id)
        return Response(StaffOrderDetailOutputSerializer(order, context={"request": request}).data)


class BackofficeOrderDocumentListApi(OrderDocumentListApi):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_orders_documents_list", responses={200: DocumentOutputSerializer(many=True)}
    )
    def get(self, request, order_id: int):
        return super().get(request, order_id)

    @extend_schema(
        operation_id="backoffice_orders_documents_upload",
        request={"multipart/form-data": DocumentUploadInputSerializer},
        responses={
            201: DocumentOutputSerializer,
            400: ErrorSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The application is closed to new documents."),
        },
    )
    def post(self, request, order_id: int):
        return super().post(request, order_id)


class InstallmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    due_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    principal = serializers.DecimalField(max_digits=12, decimal_places=2)
    interest = serializers.DecimalField(max_digits=12, decimal_places=2)
    deduction = serializers.DecimalField(max_digits=10, decimal_places=2)
    coupon_code = serializers.CharField()
    amount_due = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="amount less the coupon")
    paid_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_left = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = serializers.ChoiceField(choices=InstallmentStatus.choices)


class LoanOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(source="order.number")
    car = serializers.CharField(source="order.trim.__str__")
    principal = serializers.DecimalField(max_digits=12, decimal_places=2)
    annual_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    term_months = serializers.IntegerField()
    monthly_payment = serializers.DecimalField(max_digits=12, decimal_places=2)
    disbursed_at = serializers.DateTimeField()
    bank_name = serializers.CharField()
    bank_card = serializers.CharField(source="masked_bank_card", help_text="masked: only the last four digits")
    debit_day = serializers.IntegerField(allow_null=True)
    settled_on = serializers.DateField(allow_null=True)
    installments = InstallmentOutputSerializer(many=True)


class LoanListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = Pagination

    @extend_schema(operation_id="loans_list", responses={200: LoanOutputSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.list_member_loans(user=request.user), request, view=self)
        return paginator.get_paginated_response(LoanOutputSerializer(page, many=True).data)
