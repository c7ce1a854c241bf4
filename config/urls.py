from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.views import healthz
from members.views import switch_language
from notifications.webhooks import twilio_inbound_sms, twilio_status_callback

api_v1 = [
    path("", include("members.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("points.api_urls")),
    path("", include("vehicles.api_urls")),
    path("", include("appointments.api_urls")),
    path("", include("dealer_exchange.api_urls")),
    path("", include("orders.api_urls")),
    path("", include("crm.customer360.api_urls")),
    path("", include("crm.leads.api_urls")),
    path("", include("staff_tasks.api_urls")),
    path("", include("crm.care.rescue.api_urls")),
    path("", include("crm.surveys.api_urls")),
    path("", include("crm.owner_events.api_urls")),
    path("", include("crm.care.complaints.api_urls")),
    path("", include("crm.reports.api_urls")),
    path("", include("crm.segments.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include("crm.customer360.admin_urls")),
    path("admin/", admin.site.urls),
    path("webhooks/twilio/status/", twilio_status_callback, name="twilio-status"),
    path("webhooks/twilio/inbound/", twilio_inbound_sms, name="twilio-inbound"),
    path("i18n/setlang/", switch_language, name="set_language"),  # remembers the choice on the account
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("backoffice/members/", include("crm.customer360.backoffice_urls")),
    path("backoffice/members/", include("crm.segments.backoffice_urls")),
    path("backoffice/tasks/", include("crm.workbench.backoffice_urls")),
    path("backoffice/reports/tasks/", include("crm.reports.supervision_urls")),
    path("backoffice/appointments/", include("appointments.backoffice_urls")),
    path("backoffice/rescue/", include("crm.care.rescue.backoffice_urls")),
    path("backoffice/coupons/", include("points.backoffice_urls")),
    path("backoffice/events/", include("crm.owner_events.backoffice_urls")),
    path("backoffice/care/", include("crm.backoffice_urls")),
    path("backoffice/complaints/", include("crm.care.complaints.backoffice_urls")),
    path("backoffice/reports/", include("crm.reports.backoffice_urls")),
    path("backoffice/", include("orders.backoffice_urls")),
    path("", include("crm.care.rescue.urls")),
    path("", include("crm.surveys.urls")),
    path("", include("crm.leads.urls")),
    path("", include("crm.care.complaints.urls")),
    path("", include("orders.urls")),
    path("", include("points.urls")),
    path("", include("crm.owner_events.urls")),
    path("", include("notifications.urls")),
    path("", include("vehicles.urls")),
    path("", include("appointments.urls")),
    path("", include("members.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

admin.site.site_header = "Member Center"
admin.site.site_title = "Member Center"
