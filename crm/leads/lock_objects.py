"""Row locks for leads, taken only by its services, always in primary-key order."""

from crm.leads.models import Lead, LeadTeam


def lead_qs_select_for_update():
    return Lead.objects.order_by("pk").select_for_update(of=("self",))


def lead_team_qs_select_for_update():
    return LeadTeam.objects.order_by("pk").select_for_update(of=("self",))
