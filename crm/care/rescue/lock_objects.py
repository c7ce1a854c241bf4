from crm.care.rescue.models import RescueRequest


def rescue_request_qs_select_for_update():
    return RescueRequest.objects.order_by("pk").select_for_update(of=("self",))
