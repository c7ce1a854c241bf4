"""The reports over the API (back office): ``/api/v1/backoffice/reports/<slug>/``. One view per report, each
parsing the report's filters, calling its selector and serializing; the answers are those of docs/api.md."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import Pagination
from crm.care.complaints.api import StoreComplianceRowSerializer, TopicRowSerializer
from crm.care.rescue.api import RescueReportSerializer
from crm.reports import catalog, selectors
from crm.reports.framework import REPORTS, Report, default_api_answer
from crm.supervision.api import IsStaff, TaskExecutionReportSerializer
from crm.surveys.api import SatisfactionReportSerializer
from members.api import ErrorSerializer


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["text", "int", "money", "rate", "decimal", "date"])


class ReportSerializer(serializers.Serializer):
    filters = serializers.DictField(help_text="The filters in force, defaults filled in.")
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.DictField(), help_text="One object per row, keyed by column.")
    total = serializers.DictField(allow_null=True, help_text="The totals of the rows (same scope); null: none.")


class StepSerializer(serializers.Serializer):
    step = serializers.CharField()
    count = serializers.IntegerField()
    rate_from_previous = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)


class DropOutSerializer(serializers.Serializer):
    step = serializers.CharField(help_text="The last step reached.")
    reason = serializers.CharField(
        help_text="A DropOutReason or LeadLostReason code, or in_progress, invalid_contact, verification_failed, "
        "replaced, none_recorded."
    )
    count = serializers.IntegerField()


class FunnelSerializer(ReportSerializer):
    steps = StepSerializer(many=True, help_text="lead, registered, profile_completed, verified, applied, approved, "
                                                "delivered.")  # fmt: skip
    drop_outs = DropOutSerializer(many=True)
    by_channel = serializers.ListField(child=serializers.DictField())


class ReferralSerializer(ReportSerializer):
    steps = StepSerializer(many=True, help_text="invited, verified, applied, delivered.")
    referrers = serializers.ListField(child=serializers.DictField())


class PointsLiabilitySerializer(ReportSerializer):
    points_outstanding = serializers.IntegerField()
    members_with_points = serializers.IntegerField()


class NotReturnedCarSerializer(serializers.Serializer):
    vehicle = serializers.IntegerField()
    plate = serializers.CharField()
    model = serializers.CharField()
    member = serializers.IntegerField()
    member_name = serializers.CharField()
    phone = serializers.CharField()
    store = serializers.CharField()
    last_visit_on = serializers.DateField(help_text="The last service visit, or the delivery if never serviced.")
    months_absent = serializers.IntegerField()


def _parameters(report: Report) -> list[OpenApiParameter]:
    names = {"date_from": "from", "date_to": "to"}
    form = report.form_class()
    return [
        OpenApiParameter(names.get(name, name), str, required=False, description=field.label)
        for name, field in form.fields.items()
    ]


def _filters(report: Report, request) -> dict:
    form = report.form_class(request.query_params)
    if not form.is_valid():
        raise serializers.ValidationError(form.errors_by_parameter())
    return form.cleaned_data


def report_api(report: Report, response_serializer=ReportSerializer, answer=default_api_answer) -> type[APIView]:
    class ReportApi(APIView):
        permission_classes = [IsStaff]

        @extend_schema(
            operation_id=f"backoffice_reports_{report.slug.replace('-', '_')}",
            summary=report.title,
            parameters=_parameters(report),
            responses={200: response_serializer, 400: ErrorSerializer, 403: ErrorSerializer},
        )
        def get(self, request):
            filters = _filters(report, request)
            result = report.run(user=request.user, **filters)
            return Response(response_serializer(answer(result, filters)).data)

    ReportApi.__name__ = ReportApi.__qualname__ = "".join(part.title() for part in report.slug.split("-")) + "ReportApi"
    return ReportApi


class NotReturnedReportApi(APIView):
    """A list of cars, paged (``page``, ``page_size``)."""

    permission_classes = [IsStaff]
    pagination_class = Pagination

    @extend_schema(
        operation_id="backoffice_reports_not_returned",
        summary=catalog.NOT_RETURNED.title,
        parameters=_parameters(catalog.NOT_RETURNED),
        responses={200: NotReturnedCarSerializer(many=True), 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request):
        filters = _filters(catalog.NOT_RETURNED, request)
        vehicles = selectors.not_returned_vehicles(user=request.user, **filters)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(vehicles, request, view=self)
        today = selectors.timezone.localdate()
        rows = [selectors.not_returned_row(vehicle, today=today) for vehicle in page]
        return paginator.get_paginated_response(NotReturnedCarSerializer(rows, many=True).data)


class ComplaintReportSerializer(ReportSerializer):
    topics = TopicRowSerializer(many=True, help_text="Categories, most complained about first.")
    stores = StoreComplianceRowSerializer(many=True)


class SatisfactionReportView:
    """The satisfaction answer keeps crm.surveys' shape: the overall figures at the top level, then per store,
    trigger and month."""

    def __init__(self, report):
        self._report = report

    def __getattr__(self, name):
        if hasattr(self._report.total, name):
            return getattr(self._report.total, name)
        return getattr(self._report, name)


TASK_EXECUTION_API = report_api(
    catalog.TASK_EXECUTION, TaskExecutionReportSerializer, answer=lambda result, filters: result.extra["report"]
)
REPORT_APIS = {
    catalog.FUNNEL.slug: report_api(catalog.FUNNEL, FunnelSerializer),
    catalog.NOT_RETURNED.slug: NotReturnedReportApi,
    catalog.LIFETIME_VALUE.slug: report_api(catalog.LIFETIME_VALUE),
    catalog.REFERRALS.slug: report_api(catalog.REFERRALS, ReferralSerializer),
    catalog.CAMPAIGNS.slug: report_api(catalog.CAMPAIGNS),
    catalog.POINTS_LIABILITY.slug: report_api(catalog.POINTS_LIABILITY, PointsLiabilitySerializer),
    catalog.TASK_EXECUTION.slug: TASK_EXECUTION_API,
    catalog.COMPLAINTS.slug: report_api(catalog.COMPLAINTS, ComplaintReportSerializer),
    catalog.SATISFACTION.slug: report_api(
        catalog.SATISFACTION,
        SatisfactionReportSerializer,
        answer=lambda result, filters: SatisfactionReportView(result.extra["report"]),
    ),
    catalog.RESCUE.slug: report_api(
        catalog.RESCUE, RescueReportSerializer, answer=lambda result, filters: result.extra["report"]
    ),
}
# Every report answers over the API: a report added to the catalogue without an API entry gets the generic one.
for _slug, _report in REPORTS.items():
    REPORT_APIS.setdefault(_slug, report_api(_report))
