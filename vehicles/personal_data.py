"""The cars part of a member's data."""

from vehicles.selectors import list_member_vehicles


def cars_section(*, member) -> list[dict]:
    return [
        {
            "car": str(vehicle.trim),
            "vin": vehicle.vin,
            "plate": vehicle.plate,
            "delivered_on": vehicle.delivered_on.isoformat(),
            "mileage_km": vehicle.mileage_km,
            "next_service_on": vehicle.next_service_on.isoformat() if vehicle.next_service_on else None,
            "service_records": [
                {"serviced_on": record.serviced_on.isoformat(), "mileage_km": record.mileage_km}
                for record in vehicle.service_records.all()
            ],
        }
        for vehicle in list_member_vehicles(member_id=member.pk)
    ]
