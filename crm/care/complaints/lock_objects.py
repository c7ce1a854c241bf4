from crm.care.complaints.models import Complaint


def complaint_qs_select_for_update():
    return Complaint.objects.order_by("pk").select_for_update(of=("self",))
