from vehicles.models import OwnedVehicle, VehicleUnit


def vehicle_unit_qs_select_for_update():
    return VehicleUnit.objects.order_by("pk").select_for_update(of=("self",))


def owned_vehicle_qs_select_for_update():
    return OwnedVehicle.objects.order_by("pk").select_for_update(of=("self",))
