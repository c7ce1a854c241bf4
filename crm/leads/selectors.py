from django.db.models import Prefetch, Q, QuerySet

from crm.leads.exceptions import LeadNotFound
from crm.leads.models import Lead, LeadContact, LeadEnquiry, LeadTeam, LeadTeamAgent, Partner, PartnerApiKey
from members.selectors import sees_all_stores, store_ids_visible_to


def leads_visible_to(*, user) -> QuerySet[Lead]:
    """Head-office roles (the call center among them) see every lead; store roles the leads of their store."""
    if sees_all_stores(user=user):
        return Lead.objects.all()
    return Lead.objects.filter(store_id__in=store_ids_visible_to(user=user) or [])


def enquiries_visible_to(*, user) -> QuerySet[LeadEnquiry]:
    return LeadEnquiry.objects.filter(lead__in=leads_visible_to(user=user))


def contacts_visible_to(*, user) -> QuerySet[LeadContact]:
    return LeadContact.objects.filter(lead__in=leads_visible_to(user=user))


def partners_visible_to(*, user) -> QuerySet[Partner]:
    # Partners and their keys are head office's business.
    return Partner.objects.all() if sees_all_stores(user=user) else Partner.objects.none()


def partner_keys_visible_to(*, user) -> QuerySet[PartnerApiKey]:
    return PartnerApiKey.objects.all() if sees_all_stores(user=user) else PartnerApiKey.objects.none()


def lead_teams_visible_to(*, user) -> QuerySet[LeadTeam]:
    if sees_all_stores(user=user):
        return LeadTeam.objects.all()
    return LeadTeam.objects.filter(store_id__in=store_ids_visible_to(user=user) or [])


def team_agents_visible_to(*, user) -> QuerySet[LeadTeamAgent]:
    return LeadTeamAgent.objects.filter(team__in=lead_teams_visible_to(user=user))


def _phone_search(q: str) -> Q:
    digits = "".join(ch for ch in q if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    condition = Q(name__icontains=q)
    if len(digits) >= 4:
        condition |= Q(phone__contains=digits)
    return condition


def list_leads_for_staff(*, user, q: str = "", status: str = "", assignee_is_me: bool = False) -> QuerySet[Lead]:
    """The staff list: one query for the page whatever its length (assignee and partner joined)."""
    leads = leads_visible_to(user=user).select_related("assignee", "partner", "store")
    if q := q.strip():
        leads = leads.filter(_phone_search(q))
    if status:
        leads = leads.filter(status=status)
    if assignee_is_me:
        leads = leads.filter(assignee=user)
    return leads.order_by("-last_enquiry_at", "-pk")


def get_lead_for(*, user, lead_id: int) -> Lead:
    """One lead with its enquiries and contacts; another store's lead is "not found"."""
    lead = (
        leads_visible_to(user=user)
        .select_related("assignee", "partner", "store", "member", "car_model")
        .prefetch_related(
            Prefetch("contacts", queryset=LeadContact.objects.select_related("contacted_by").order_by("-created_at")),
        )
        .filter(pk=lead_id)
        .first()
    )
    if lead is None:
        raise LeadNotFound()
    return lead


def find_partner_key(*, key_hash: str) -> PartnerApiKey | None:
    return PartnerApiKey.objects.select_related("partner").filter(key_hash=key_hash).first()
