from members.dashboard import Panel
from notifications import selectors


def messages_panel(*, request, member) -> Panel:
    latest = list(selectors.list_inbox(user=request.user)[:3])
    return Panel(
        template="notifications/_dashboard_messages.html",
        context={"messages_list": latest, "unread": selectors.unread_count_for_request(request)},
    )
