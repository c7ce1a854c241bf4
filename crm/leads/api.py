"""The leads API (public quick submit, partners, back office). Views parse, call one service or selector, serialize."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import authentication, exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ChoiceLabelField, Pagination
from common.middleware import client_ip
from crm.leads import selectors, services
from crm.leads.enums import ContactOutcome, LeadChannel, LeadLostReason, LeadStatus
from crm.leads.models import Lead, LeadContact, Partner
from members.api import ErrorSerializer
from members.enums import STORE_BOUND_ROLES
from members.models import User
from members.phones import mask_phone


class IsStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class PartnerApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Api-Key <key>``. No header: 401; an unknown key: 401; a revoked key: 403."""

    keyword = "Api-Key"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        raw_key = header[len(self.keyword) + 1 :].strip()
        partner = services.partner_for_key(raw_key=raw_key) if raw_key else None
        if partner is None:
            raise exceptions.AuthenticationFailed(gettext_lazy("Unknown API key."))
        return AnonymousUser(), partner

    def authenticate_header(self, request):
        return self.keyword


class HasPartnerKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, Partner)


class LeadInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=32)
    city = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    model = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="a catalog model's id or name"
    )


class AcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField()


class QuickSubmitApi(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="leads_quick_submit",
        request=LeadInputSerializer,
        responses={202: AcceptedSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
    )
    def post(self, request):
        data = LeadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.submit_quick_lead(**data.validated_data, ip=client_ip(request))
        # The same words for a new and a known phone: the answer tells nothing about who has asked before.
        return Response(
            {"detail": _("Thank you! Our customer service will call you soon.")}, status=status.HTTP_202_ACCEPTED
        )


class PartnerLeadInputSerializer(LeadInputSerializer):
    external_id = serializers.CharField(max_length=64)


class PartnerLeadOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = ["id", "status"]


class PartnerLeadApi(APIView):
    authentication_classes = [PartnerApiKeyAuthentication]
    permission_classes = [HasPartnerKey]

    @extend_schema(
        operation_id="partner_leads_create",
        request=PartnerLeadInputSerializer,
        responses={
            200: PartnerLeadOutputSerializer, 201: PartnerLeadOutputSerializer, 400: ErrorSerializer,
            401: ErrorSerializer, 403: ErrorSerializer,
        },
    )  # fmt: skip
    def post(self, request):
        data = PartnerLeadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead, created = services.submit_partner_lead(partner=request.auth, **data.validated_data)
        return Response(
            PartnerLeadOutputSerializer(lead).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


def _shows_full_phone(request) -> bool:
    return request.user.role not in STORE_BOUND_ROLES or request.user.is_superuser


class LeadListOutputSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    enquiries = serializers.IntegerField(source="enquiries_count")
    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_label = ChoiceLabelField(source="status", choices=LeadStatus)

    class Meta:
        model = Lead
        fields = ["id", "name", "phone", "city", "status", "status_label", "channel", "enquiries", "assignee",
                  "store", "last_enquiry_at", "created_at"]  # fmt: skip

    def get_phone(self, lead) -> str:
        return lead.phone if _shows_full_phone(self.context["request"]) else mask_phone(lead.phone)


class LeadContactOutputSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(source="contacted_by", slug_field="username", read_only=True)

    class Meta:
        model = LeadContact
        fields = ["id", "outcome", "carrier_result", "note", "next_contact_at", "by", "created_at"]


class LeadDetailOutputSerializer(LeadListOutputSerializer):
    contacts = LeadContactOutputSerializer(many=True, read_only=True)
    member = serializers.PrimaryKeyRelatedField(read_only=True)
    model = serializers.SerializerMethodField()

    class Meta(LeadListOutputSerializer.Meta):
        fields = [*LeadListOutputSerializer.Meta.fields, "model", "contacts", "member", "converted_at"]

    def get_model(self, lead) -> str:
        return str(lead.car_model) if lead.car_model else lead.model_text


class StaffLeadInputSerializer(LeadInputSerializer):
    channel = serializers.ChoiceField(
        choices=[LeadChannel.CALL_CENTER, LeadChannel.STORE], required=False, default=LeadChannel.CALL_CENTER
    )


class BackofficeLeadListApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = Pagination

    @extend_schema(
        operation_id="backoffice_leads_list",
        parameters=[
            OpenApiParameter("q", str, required=False, description="phone (with or without +86) or name"),
            OpenApiParameter("status", str, enum=LeadStatus.values, required=False),
            OpenApiParameter("assignee", str, enum=["me"], required=False),
        ],
        responses={200: LeadListOutputSerializer(many=True)},
    )
    def get(self, request):
        status_filter = request.query_params.get("status", "")
        if status_filter and status_filter not in LeadStatus.values:
            raise serializers.ValidationError({"status": [_("Unknown status.")]})
        assignee = request.query_params.get("assignee", "")
        if assignee and assignee != "me":
            raise serializers.ValidationError({"assignee": [_("Only assignee=me is supported.")]})
        leads = selectors.list_leads_for_staff(
            user=request.user, q=request.query_params.get("q", ""), status=status_filter, assignee_is_me=bool(assignee)
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(leads, request, view=self)
        return paginator.get_paginated_response(
            LeadListOutputSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        operation_id="backoffice_leads_create",
        request=StaffLeadInputSerializer,
        responses={201: LeadDetailOutputSerializer, 400: ErrorSerializer},
    )
    def post(self, request):
        data = StaffLeadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        capture = services.enter_lead(actor=request.user, **data.validated_data)
        lead = selectors.get_lead_for(user=request.user, lead_id=capture.lead.pk)
        return Response(
            LeadDetailOutputSerializer(lead, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class BackofficeLeadDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_leads_read", responses={200: LeadDetailOutputSerializer, 404: ErrorSerializer}
    )
    def get(self, request, lead_id: int):
        lead = selectors.get_lead_for(user=request.user, lead_id=lead_id)
        return Response(LeadDetailOutputSerializer(lead, context={"request": request}).data)


class LeadContactInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    carrier_result = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    lost_reason = serializers.ChoiceField(
        choices=LeadLostReason.choices, required=False, allow_blank=True, default="",
        help_text="With `reached_not_interested`: why, as a code the reports count (default `other`).",
    )  # fmt: skip
    next_contact_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class BackofficeLeadContactApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_leads_contacts_create",
        request=LeadContactInputSerializer,
        responses={201: LeadContactOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, lead_id: int):
        data = LeadContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.record_contact(lead_id=lead_id, actor=request.user, **data.validated_data)
        return Response(LeadContactOutputSerializer(contact).data, status=status.HTTP_201_CREATED)


class LeadAssignInputSerializer(serializers.Serializer):
    assignee = serializers.CharField(required=False, help_text="a staff username")
    team = serializers.IntegerField(required=False, help_text="a lead team's id: its next agent in turn")

    def validate(self, attrs):
        if ("assignee" in attrs) == ("team" in attrs):
            raise serializers.ValidationError(_("Give either an assignee or a team."))
        return attrs


class BackofficeLeadAssignApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="backoffice_leads_assign",
        request=LeadAssignInputSerializer,
        responses={200: LeadDetailOutputSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, lead_id: int):
        data = LeadAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "team" in data.validated_data:
            services.assign_round_robin_for(actor=request.user, lead_id=lead_id, team_id=data.validated_data["team"])
        else:
            assignee = User.objects.filter(username=data.validated_data["assignee"], is_staff=True).first()
            if assignee is None:
                raise serializers.ValidationError({"assignee": [_("No staff member with this username.")]})
            services.assign_lead(lead_id=lead_id, actor=request.user, assignee=assignee)
        lead = selectors.get_lead_for(user=request.user, lead_id=lead_id)
        return Response(LeadDetailOutputSerializer(lead, context={"request": request}).data)
