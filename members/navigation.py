"""The member center's navigation, in one place: the tab bar every member page shows (at the bottom of a phone, in
the header on a wider screen) and the entries of the "me" page.

Both name pages by URL name only, so pages of apps above members can be listed here without importing them. A new
page of the member center is one line in ``ME_PAGE_ENTRIES``.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url_name: str
    # Paths that belong to the tab (the longest match wins), so a sub-page keeps its tab lit.
    prefixes: tuple[str, ...]
    icon: str  # an SVG path, 24×24, stroked


TABS = (
    Tab("home", _("Home"), "members:dashboard", ("/me/",), "M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z"),
    Tab(
        "cars",
        _("Cars"),
        "orders:catalog",
        ("/cars/",),
        "M5 16h14M4 16l1.6-5.2A2 2 0 0 1 7.5 9.4h9a2 2 0 0 1 1.9 1.4L20 16v3h-2.5v-1.5h-11V19H4z"
        "M7.5 13.5h.01M16.5 13.5h.01",
    ),
    Tab("apply", _("Apply"), "orders:list", ("/me/orders/",), "M7 3h7l5 5v13H7zM14 3v5h5M10 13h6M10 17h6"),
    Tab(
        "points",
        _("Points"),
        "points:history",
        ("/me/points/", "/me/rewards/"),
        "M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1L3.2 9.5l6.1-.9z",
    ),
    Tab(
        "me",
        _("Me"),
        "members:me",
        ("/me/account/", "/me/cars/", "/me/loans/", "/me/coupons/", "/me/messages/", "/me/notifications/",
         "/me/profile/", "/me/verification/", "/me/qualification/", "/me/invite/", "/me/data/", "/me/close/",
         "/me/card/", "/me/complaints/", "/me/rescue/", "/me/appointments/", "/me/events/", "/me/car-services/"),
        "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0",
    ),
)  # fmt: skip


def member_tabs(*, path: str) -> list[dict]:
    """The tabs with their URL and whether the page at ``path`` belongs to them."""
    matches = [(len(prefix), tab.key) for tab in TABS for prefix in tab.prefixes if path.startswith(prefix)]
    active = max(matches)[1] if matches else ""
    return [
        {
            "key": tab.key,
            "label": tab.label,
            "url": reverse(tab.url_name),
            "icon": tab.icon,
            "active": tab.key == active,
        }
        for tab in TABS
    ]


@dataclass(frozen=True)
class MePageEntry:
    section: str
    label: str
    url_name: str
    # The name of a count every page's context has (e.g. ``unread_messages``), shown as a badge when not zero.
    badge: str = ""
    element_id: str = ""  # a stable id for the link (tests and help texts point at it)


ME_PAGE_SECTIONS = (
    ("car", _("My car and money")),
    ("account", _("My account")),
    ("service", _("Messages and services")),
    ("settings", _("Settings and privacy")),
)

ME_PAGE_ENTRIES = (
    MePageEntry("car", _("My cars"), "vehicles:my-cars"),
    MePageEntry("car", _("Loans and bills"), "orders:loans"),
    MePageEntry("car", _("My coupons"), "points:coupons"),
    MePageEntry("car", _("Service bookings"), "appointments:mine"),
    MePageEntry("car", _("Roadside rescue"), "rescue:home"),
    MePageEntry("car", _("Car services"), "vehicles:car-services"),
    MePageEntry("account", _("My membership card"), "points:card", element_id="my-card-link"),
    MePageEntry("account", _("Profile"), "members:profile"),
    MePageEntry("account", _("Identity verification"), "members:verification"),
    MePageEntry("account", _("Work and income"), "members:qualification"),
    MePageEntry("account", _("Invite friends"), "members:invite"),
    MePageEntry("service", _("Messages"), "notifications:inbox", badge="unread_messages"),
    MePageEntry("service", _("My feedback and complaints"), "complaints:list", element_id="my-complaints-link"),
    MePageEntry("service", _("Owner events"), "owner-events-member:list"),
    MePageEntry("settings", _("Notification settings"), "notifications:preferences"),
    MePageEntry("settings", _("My data and privacy"), "members:my-data"),
)


def me_page_sections() -> list[dict]:
    """The entries of the "me" page grouped by section, in the order above, sections without entries left out."""
    sections = []
    for key, title in ME_PAGE_SECTIONS:
        entries = [
            {"label": entry.label, "url": reverse(entry.url_name), "badge": entry.badge, "id": entry.element_id}
            for entry in ME_PAGE_ENTRIES
            if entry.section == key
        ]
        if entries:
            sections.append({"key": key, "title": title, "entries": entries})
    return sections
