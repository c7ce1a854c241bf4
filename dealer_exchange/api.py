"""A dealer system posts its export (``Authorization: Api-Key <key>``); the answer is the run's report."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import authentication, exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from dealer_exchange import services
from dealer_exchange.models import DealerImportRun, ImportSource


class DealerApiKeyAuthentication(authentication.BaseAuthentication):
    """No header: 401; an unknown or revoked key: 401."""

    keyword = "Api-Key"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        raw_key = header[len(self.keyword) + 1 :].strip()
        if not raw_key or not services.dealer_key_is_valid(raw_key=raw_key):
            raise exceptions.AuthenticationFailed(gettext_lazy("Unknown API key."))
        return AnonymousUser(), "dealer-system"

    def authenticate_header(self, request):
        return self.keyword


class HasDealerKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.auth == "dealer-system"


class ImportRunOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = DealerImportRun
        fields = ["id", "reference", "created", "updated", "unchanged", "refused", "report"]


class DealerExportInputSerializer(serializers.Serializer):
    export_id = serializers.CharField(max_length=200, help_text="the dealer system's name of this export")
    customers = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    cars = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    service_records = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    insurance_policies = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    inspections = serializers.ListField(child=serializers.DictField(), required=False, default=list)


class DealerExportApi(APIView):
    authentication_classes = [DealerApiKeyAuthentication]
    permission_classes = [HasDealerKey]

    @extend_schema(
        operation_id="dealer_exports_create",
        request=DealerExportInputSerializer,
        responses={201: ImportRunOutputSerializer, 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def post(self, request):
        data = DealerExportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        export = dict(data.validated_data)
        export_id = export.pop("export_id")
        try:
            run = services.apply_dealer_export(export=export, source=ImportSource.API, reference=export_id)
        except ValueError as error:
            raise exceptions.ValidationError({"detail": str(error)}) from error
        return Response(ImportRunOutputSerializer(run).data, status=status.HTTP_201_CREATED)
