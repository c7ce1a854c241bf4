"""What every page shows whoever is signed in: the customer-service line (one setting, every page)."""

from django.conf import settings

from members.navigation import member_tabs


def customer_service(request) -> dict:
    return {
        "customer_service_phone": settings.CUSTOMER_SERVICE_PHONE,
        "customer_service_hours": settings.CUSTOMER_SERVICE_HOURS,
    }


def member_navigation(request) -> dict:
    """The tab bar, for signed-in members only (staff have the back office's own navigation)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {"member_tabs": []}
    return {"member_tabs": member_tabs(path=request.path)}
