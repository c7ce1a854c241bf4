"""The member-center and back-office pages render and act through the services."""

import pytest

from crm.care.complaints.models import Complaint

pytestmark = pytest.mark.django_db


def test_member_files_a_complaint_from_the_page_and_sees_it(cast, client):
    client.force_login(cast.member_user)
    assert client.get("/me/complaints/new/").status_code == 200
    answer = client.post("/me/complaints/new/", {"category": "service", "description": "保养后异响"})
    complaint = Complaint.objects.get()
    assert answer.status_code == 302
    page = client.get(f"/me/complaints/{complaint.pk}/").content.decode()
    assert complaint.number in page
    assert client.get("/me/complaints/").status_code == 200


def test_store_staff_takes_a_step_from_the_back_office(cast, client):
    client.force_login(cast.member_user)
    client.post("/me/complaints/new/", {"category": "service", "description": "保养后异响"})
    complaint = Complaint.objects.get()
    client.force_login(cast.store_staff)
    assert 'id="complaints-link"' in client.get("/backoffice/").content.decode()  # the way in from the back office
    assert client.get("/backoffice/complaints/").status_code == 200
    assert client.get(f"/backoffice/complaints/{complaint.pk}/").status_code == 200
    client.post(f"/backoffice/complaints/{complaint.pk}/steps/record/", {"note": "已联系", "severity": "serious"})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.severity) == ("recorded", "serious")
    client.force_login(cast.other_store_staff)
    assert client.get(f"/backoffice/complaints/{complaint.pk}/").status_code == 404


def test_the_call_center_files_a_complaint_for_a_caller_in_the_admin(cast, client):
    client.force_login(cast.call_center)
    assert client.get("/admin/complaints/complaint/add/").status_code == 200
    answer = client.post("/admin/complaints/complaint/add/", {
        "member": cast.member.pk, "category": "billing", "severity": "serious", "description": "电话投诉：多收了服务费",
        "order": "", "vehicle": "", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
    })  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:2000]
    complaint = Complaint.objects.get()
    assert (complaint.filed_by, complaint.created_by, complaint.store) == ("agent", cast.call_center, cast.store)
    assert complaint.events.get().transition == "file"
    assert client.get(f"/admin/complaints/complaint/{complaint.pk}/change/").status_code == 200


def test_head_office_sets_sla_targets_and_calendar_dates_and_store_staff_may_not(cast, client):
    client.force_login(cast.head_office)
    assert client.get("/admin/complaints/slatarget/").status_code == 200
    assert client.get("/admin/complaints/workingdayoverride/add/").status_code == 200
    client.force_login(cast.store_staff)
    assert client.get("/admin/complaints/slatarget/").status_code == 403
    assert client.get("/admin/complaints/complaint/add/").status_code == 403
