from vehicles.models import VehicleUnit


def vehicle_unit_qs_select_for_update():
    return VehicleUnit.objects.order_by("pk").select_for_update(of=("self",))
