from django.urls import path

from crm.care.complaints import backoffice

app_name = "complaints-backoffice"

urlpatterns = [
    path("", backoffice.complaint_queue, name="queue"),
    path("new/", backoffice.file_for_member, name="new"),
    path("<int:complaint_id>/", backoffice.complaint_page, name="complaint"),
    path("<int:complaint_id>/steps/<str:name>/", backoffice.take_step, name="step"),
    path("<int:complaint_id>/pause/", backoffice.clock, {"action": "pause"}, name="pause"),
    path("<int:complaint_id>/resume/", backoffice.clock, {"action": "resume"}, name="resume"),
]
