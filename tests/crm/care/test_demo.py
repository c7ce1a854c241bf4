import pytest
from django.core.management import call_command

from crm.care.complaints.models import Complaint
from staff_tasks.models import Task

pytestmark = pytest.mark.django_db


def test_the_demo_shows_complaints_at_each_stage_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")

    rows = {
        str(complaint.member.user.phone)[-2:]: complaint
        for complaint in Complaint.objects.select_related("member__user", "rating")
    }
    assert sorted(rows) == ["11", "12", "13", "14"]
    assert (rows["11"].status, rows["11"].sla_status) == ("received", "on_track")
    assert (rows["12"].status, rows["12"].sla_status, rows["12"].pause_reason != "") == ("recorded", "paused", True)
    assert (rows["13"].status, rows["13"].sla_status, rows["13"].rating.score) == ("closed", "met", 5)
    assert (rows["14"].sla_status, rows["14"].escalation_level) == ("breached", 1)
    assert Task.objects.filter(kind="complaint_follow_up", subject_id=rows["14"].pk).count() == 1
