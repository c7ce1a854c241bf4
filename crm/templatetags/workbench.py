from django import template

from staff_tasks.selectors import count_my_open_tasks_due_today

register = template.Library()


@register.simple_tag(takes_context=True)
def my_tasks_due_today(context) -> int:
    """The count on the navigation's task link (one query, staff pages only)."""
    request = context.get("request")
    return count_my_open_tasks_due_today(user=request.user) if request is not None else 0
