from appointments.models import Appointment, ServiceCapacity


def service_capacity_qs_select_for_update():
    return ServiceCapacity.objects.order_by("pk").select_for_update(of=("self",))


def appointment_qs_select_for_update():
    return Appointment.objects.order_by("pk").select_for_update(of=("self",))
