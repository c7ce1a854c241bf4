from notifications.selectors import unread_count_for_request


def inbox(request):
    """The unread badge in the header of every member page; one cached count per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {}
    return {"unread_messages": unread_count_for_request(request)}
