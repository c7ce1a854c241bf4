"""Leads' subscribers of domain events (settings.DOMAIN_EVENT_SUBSCRIBERS)."""

from crm.leads import services


def convert_lead_on_registration(event) -> None:
    services.convert_lead_for_member(member_id=event.payload["member_id"])
