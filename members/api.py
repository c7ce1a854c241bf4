"""The members API: sign-in, the member's own profile, verification, referrals, and the staff sign-in."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from common.middleware import client_ip
from members import consents, personal_data, selectors, services
from members.consents import ConsentSource
from members.enums import (
    SIGN_UP_CONSENTS,
    CardLevel,
    Channel,
    ConsentKind,
    Employment,
    Gender,
    IncomeBand,
    MaritalStatus,
)
from members.models import Member, Store
from members.phones import mask_phone


class IsMember(permissions.BasePermission):
    message = _("This page is for members. Please sign in with your phone number.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and hasattr(request.user, "member"))


class CardOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    level = serializers.ChoiceField(choices=CardLevel.choices)
    status = serializers.SerializerMethodField(
        help_text="active, expired (past valid_until, renewable), replaced, withdrawn"
    )
    valid_until = serializers.DateField()

    def get_status(self, card) -> str:
        return card.shown_status()


class MemberOutputSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="user.phone")
    gender = serializers.ChoiceField(choices=Gender.choices, allow_blank=True, help_text="empty until the member says")
    profile_completed = serializers.BooleanField(source="is_profile_completed")
    tier_label = serializers.CharField(source="get_tier_display", help_text="The tier's name in the member's language.")
    id_number = serializers.CharField(source="id_number_masked", help_text="Masked, e.g. 4401**********1234")
    card = serializers.SerializerMethodField(help_text="The membership card in use, or null")
    consents_required = serializers.SerializerMethodField(
        help_text="Policies (user_agreement, privacy_policy) the member has not accepted in their current version. "
        "When not empty, show them and send the acceptance to POST /api/v1/me/consents/."
    )

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "birthday",
            "email",
            "city",
            "preferred_store",
            "phone",
            "invite_code",
            "tier",
            "tier_label",
            "channel",
            "verification_status",
            "real_name",
            "id_number",
            "profile_completed",
            "consents_required",
            "card",
        ]
        read_only_fields = fields

    @extend_schema_field(CardOutputSerializer(allow_null=True))
    def get_card(self, member) -> dict | None:
        card = selectors.get_current_card(member=member)
        return CardOutputSerializer(card).data if card is not None else None

    def get_consents_required(self, member) -> list[str]:
        return consents.consents_required(member=member)


class MemberUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    birthday = serializers.DateField(required=False, allow_null=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    city = serializers.CharField(max_length=50, required=False, allow_blank=True)
    preferred_store = serializers.PrimaryKeyRelatedField(
        queryset=Store.objects.filter(is_active=True), required=False, allow_null=True
    )


class SignInCodeRequestApi(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    class SignInCodeRequestInputSerializer(serializers.Serializer):
        phone = serializers.CharField(max_length=32)

    @extend_schema(
        operation_id="auth_request_code",
        request=SignInCodeRequestInputSerializer,
        responses={
            202: inline_serializer("CodeSent", {"detail": serializers.CharField()}),
            400: ErrorSerializer,
            429: ErrorSerializer,
        },
    )
    def post(self, request):
        serializer = self.SignInCodeRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.request_sign_in_code(phone=serializer.validated_data["phone"], requested_ip=client_ip(request))
        return Response(
            {
                "detail": _(
                    "If this number can receive SMS, a code is on its way. It is valid for %(minutes)s minutes."
                )
                % {"minutes": settings.OTP_TTL_SECONDS // 60}
            },
            status=status.HTTP_202_ACCEPTED,
        )


class SignInApi(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    class SignInInputSerializer(serializers.Serializer):
        phone = serializers.CharField(max_length=32)
        code = serializers.CharField(
            max_length=12,
            error_messages={
                "blank": _("Please enter the 6-digit code from the SMS."),
                "max_length": _("The sign-in code has 6 digits. Please check it and enter it again."),
            },
        )
        invite_code = serializers.CharField(max_length=12, required=False, allow_blank=True)
        channel = serializers.ChoiceField(choices=Channel.choices, required=False)
        channel_partner = serializers.CharField(max_length=100, required=False, allow_blank=True)
        accept_terms = serializers.BooleanField(
            required=False,
            default=False,
            help_text="The person has read and agrees to the current user agreement and privacy policy. Required to "
            "sign up: a new phone without it gets 400 code consent_required (the code stays usable). An existing "
            "member who sends it accepts the current versions.",
        )

    class SignInOutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        member = MemberOutputSerializer()
        created = serializers.BooleanField()
        consents_required = serializers.ListField(
            child=serializers.ChoiceField(choices=[kind.value for kind in SIGN_UP_CONSENTS]),
            help_text="Policies to accept again (a new version came out): POST /api/v1/me/consents/.",
        )

    @extend_schema(
        operation_id="auth_login",
        request=SignInInputSerializer,
        responses={
            200: SignInOutputSerializer,
            400: ErrorSerializer,
            429: OpenApiResponse(ErrorSerializer, description="Too many failed sign-ins for the phone or address"),
        },
    )
    def post(self, request):
        serializer = self.SignInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.sign_in_with_code(
            phone=data["phone"],
            code=data["code"],
            invite_code=data.get("invite_code", ""),
            channel=data.get("channel", Channel.ONLINE),
            channel_partner=data.get("channel_partner", ""),
            requested_ip=client_ip(request),
            accept_terms=data["accept_terms"],
            consent_source=ConsentSource.of_request(request, channel="api"),
        )
        token = services.issue_access_token(user=result.user)
        body = {
            "token": token,
            "member": result.member,
            "created": result.is_new_member,
            "consents_required": consents.consents_required(member=result.member),
        }
        return Response(self.SignInOutputSerializer(body).data)


class SignOutApi(APIView):
    @extend_schema(operation_id="auth_logout", request=None, responses={204: None})
    def post(self, request):
        if request.auth is not None and hasattr(request.auth, "key_hash"):
            services.revoke_access_token(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="me_read", responses={200: MemberOutputSerializer})
    def get(self, request):
        return Response(MemberOutputSerializer(request.user.member).data)

    @extend_schema(
        operation_id="me_update",
        request=MemberUpdateSerializer,
        responses={200: MemberOutputSerializer, 400: ErrorSerializer},
    )
    def patch(self, request):
        serializer = MemberUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        member = services.update_member_profile(member=request.user.member, **serializer.validated_data)
        return Response(MemberOutputSerializer(member).data)

    @extend_schema(
        operation_id="me_close",
        description="Close the account. Every token and session ends; personal data is erased or anonymised except "
        "what loan and accounting rules require to keep (a borrower's identity, kept encrypted). Refused with 409 "
        "account_has_obligations while an application is active or a loan is unpaid.",
        request=None,
        responses={204: None, 409: ErrorSerializer},
    )
    def delete(self, request):
        personal_data.close_member_account(member=request.user.member)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeCardApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="me_card", responses={200: CardOutputSerializer, 404: ErrorSerializer})
    def get(self, request):
        card = selectors.get_current_card(member=request.user.member)
        if card is None:
            raise NotFound(_("You do not hold a membership card yet."))
        return Response(CardOutputSerializer(card).data)


def SensitiveDataConsentField():  # noqa: N802  (reads like the field class it returns)
    return serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text="The member agrees, separately, to the processing of their sensitive personal information (ID "
        "number, income, bank details). Needed once per version of that consent; without a standing consent the "
        "request is 400 code consent_required and nothing is stored.",
    )


def _grant_sensitive_data_consent(request, *, accepted: bool) -> None:
    if accepted:
        consents.grant_consents(
            member=request.user.member,
            kinds=[ConsentKind.SENSITIVE_PERSONAL_INFO],
            source=ConsentSource.of_request(request, channel="api"),
        )


class MeVerificationApi(APIView):
    permission_classes = [IsMember]

    class MeVerificationInputSerializer(serializers.Serializer):
        real_name = serializers.CharField(max_length=50)
        id_number = serializers.CharField(max_length=32)
        accept_sensitive_data = SensitiveDataConsentField()

    class MeVerificationOutputSerializer(serializers.Serializer):
        verification_status = serializers.CharField()
        real_name = serializers.CharField()
        id_number = serializers.CharField(source="id_number_masked")

    @extend_schema(
        operation_id="me_verify",
        request=MeVerificationInputSerializer,
        responses={
            200: MeVerificationOutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="invalid_name, invalid_id_number, identity_mismatch"),
            409: OpenApiResponse(ErrorSerializer, description="already_verified, id_number_taken"),
            429: OpenApiResponse(ErrorSerializer, description="too many checks today (too_many_requests)"),
            503: OpenApiResponse(ErrorSerializer, description="the provider cannot check now; not counted"),
        },
    )
    def post(self, request):
        serializer = self.MeVerificationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        _grant_sensitive_data_consent(request, accepted=data.pop("accept_sensitive_data"))
        member = services.verify_member_identity(member=request.user.member, **data)
        return Response(self.MeVerificationOutputSerializer(member).data)


class MeReferralsApi(APIView):
    permission_classes = [IsMember]

    class MeReferralsInviteeSerializer(serializers.Serializer):
        name = serializers.SerializerMethodField()
        phone = serializers.SerializerMethodField()
        registered_at = serializers.DateTimeField(source="created_at")
        status = serializers.SerializerMethodField()

        def get_name(self, invitee) -> str:
            return invitee.name[:1] + "*" * max(len(invitee.name) - 1, 0) if invitee.name else ""

        def get_phone(self, invitee) -> str:
            return mask_phone(str(invitee.user.phone))

        def get_status(self, invitee) -> str:
            return selectors.referral_status_of(invitee=invitee, statuses=self.context.get("statuses"))

    @extend_schema(
        operation_id="me_referrals",
        responses={
            200: inline_serializer(
                "Referrals",
                {
                    "invite_code": serializers.CharField(),
                    "invitees": MeReferralsInviteeSerializer(many=True),
                },
            )
        },
    )
    def get(self, request):
        member = request.user.member
        invitees = list(selectors.list_member_invitees(member=member))
        context = {"statuses": selectors.referral_statuses_for(invitees=invitees)}
        data = self.MeReferralsInviteeSerializer(invitees, many=True, context=context).data
        return Response({"invite_code": member.invite_code, "invitees": data})


class QualificationSerializer(serializers.Serializer):
    employment = serializers.ChoiceField(choices=Employment.choices)
    employer_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    monthly_income_band = serializers.ChoiceField(choices=IncomeBand.choices)
    years_at_job = serializers.IntegerField(min_value=0, max_value=60)
    has_driving_licence = serializers.BooleanField()
    marital_status = serializers.ChoiceField(choices=MaritalStatus.choices)
    accept_sensitive_data = SensitiveDataConsentField()


class MeQualificationApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="me_qualification_read", responses={200: QualificationSerializer, 404: ErrorSerializer})
    def get(self, request):
        qualification = getattr(request.user.member, "qualification", None)
        if qualification is None:
            raise NotFound(_("You have not filled in your qualification yet."))
        return Response(QualificationSerializer(qualification).data)

    @extend_schema(
        operation_id="me_qualification_save",
        request=QualificationSerializer,
        responses={200: QualificationSerializer, 400: ErrorSerializer},
    )
    def put(self, request):
        serializer = QualificationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        _grant_sensitive_data_consent(request, accepted=data.pop("accept_sensitive_data"))
        qualification = services.save_member_qualification(member=request.user.member, **data)
        return Response(QualificationSerializer(qualification).data)


class ConsentOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    version = serializers.CharField()
    granted_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    ip_address = serializers.IPAddressField(allow_null=True)
    channel = serializers.CharField()


class MeConsentsApi(APIView):
    permission_classes = [IsMember]

    class MeConsentsInputSerializer(serializers.Serializer):
        kinds = serializers.ListField(
            child=serializers.ChoiceField(choices=ConsentKind.choices),
            allow_empty=False,
            help_text="The policies the member has read and agrees to, in their current versions.",
        )

    class MeConsentsOutputSerializer(serializers.Serializer):
        current_versions = serializers.DictField(child=serializers.CharField())
        consents_required = serializers.ListField(child=serializers.CharField())
        consents = ConsentOutputSerializer(many=True)

    def _answer(self, member):
        body = {
            "current_versions": dict(settings.POLICY_VERSIONS),
            "consents_required": consents.consents_required(member=member),
            "consents": member.consents.order_by("-granted_at", "-pk"),
        }
        return Response(self.MeConsentsOutputSerializer(body).data)

    @extend_schema(operation_id="me_consents", responses={200: MeConsentsOutputSerializer})
    def get(self, request):
        return self._answer(request.user.member)

    @extend_schema(
        operation_id="me_consents_grant",
        request=MeConsentsInputSerializer,
        responses={200: MeConsentsOutputSerializer, 400: ErrorSerializer},
    )
    def post(self, request):
        serializer = self.MeConsentsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = request.user.member
        source = ConsentSource.of_request(request, channel="api")
        consents.grant_consents(member=member, kinds=serializer.validated_data["kinds"], source=source)
        return self._answer(member)


class MeConsentWithdrawApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="me_consent_withdraw",
        description="Withdraw the sensitive-data consent: what was verified stays (status, encrypted ID number), no "
        "new ID number, income or bank details are taken. The user agreement and privacy policy are withdrawn by "
        "closing the account (400 consent_not_withdrawable).",
        request=None,
        responses={200: MeConsentsApi.MeConsentsOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request, kind: str):
        if kind not in ConsentKind.values:
            raise NotFound(_("There is no such consent."))
        member = request.user.member
        consents.withdraw_consent(member=member, kind=kind)
        return MeConsentsApi()._answer(member)


class MeDataApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="me_data",
        description="Everything held about the member: profile, identity (ID number masked), qualification, "
        "consents with versions and times, orders and loans, cars, points, messages.",
        responses={
            200: inline_serializer(
                "MyData",
                {
                    "profile": serializers.DictField(),
                    "identity": serializers.DictField(help_text="id_number is masked"),
                    "qualification": serializers.DictField(allow_null=True),
                    "consents": ConsentOutputSerializer(many=True),
                    "orders": serializers.ListField(child=serializers.DictField()),
                    "cars": serializers.ListField(child=serializers.DictField()),
                    "points": serializers.DictField(),
                    "messages": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def get(self, request):
        member = selectors.get_member_for_user(user=request.user)
        response = Response(personal_data.member_data(member=member))
        if request.query_params.get("download"):
            response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response


class StoreListApi(APIView):
    permission_classes = [permissions.AllowAny]

    class StoreListOutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Store
            fields = ["id", "code", "name", "city", "address", "phone", "opening_hours"]

    @extend_schema(operation_id="stores_list", responses={200: StoreListOutputSerializer(many=True)})
    def get(self, request):
        return Response(self.StoreListOutputSerializer(selectors.list_active_stores(), many=True).data)


class StaffSignInApi(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    class StaffSignInInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, style={"input_type": "password"})

    class StaffSignInStaffSerializer(serializers.Serializer):
        username = serializers.CharField()
        role = serializers.CharField()
        store = serializers.CharField(source="store.code", allow_null=True, default=None)

    @extend_schema(
        operation_id="auth_staff_login",
        request=StaffSignInInputSerializer,
        responses={
            200: inline_serializer(
                "StaffSignIn", {"token": serializers.CharField(), "staff": StaffSignInStaffSerializer()}
            ),
            400: ErrorSerializer,
            429: OpenApiResponse(ErrorSerializer, description="Locked out after repeated failures"),
        },
    )
    def post(self, request):
        serializer = self.StaffSignInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.sign_in_staff(request=request._request, **serializer.validated_data)
        token = services.issue_access_token(user=user)
        return Response({"token": token, "staff": self.StaffSignInStaffSerializer(user).data})
