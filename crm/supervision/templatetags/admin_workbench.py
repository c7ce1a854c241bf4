"""The admin home page's queues (``templates/admin/index.html``)."""

from django import template
from django.urls import reverse

from crm.supervision.selectors import workbench_counts

register = template.Library()


@register.inclusion_tag("supervision/admin_queues.html", takes_context=True)
def workbench_queues(context):
    user = context["request"].user
    if not (user.is_active and user.is_staff):
        return {"queues": []}
    counts = workbench_counts(user=user)
    tasks_url = reverse("admin:staff_tasks_task_changelist")
    queues = []
    if user.has_perm("staff_tasks.view_task"):
        queues += [
            ("mine_today", counts.mine_today, f"{tasks_url}?queue=mine_today"),
            ("overdue", counts.overdue, f"{tasks_url}?queue=overdue"),
            ("unassigned_tasks", counts.unassigned_tasks, f"{tasks_url}?queue=unassigned"),
        ]
    if counts.unassigned_orders is not None and user.has_perm("orders.view_order"):
        queues.append(
            ("unassigned_orders", counts.unassigned_orders, reverse("admin:orders_unassignedorder_changelist"))
        )
    if user.has_perm("leads.view_lead"):
        queues.append(("new_leads", counts.new_leads, reverse("admin:leads_lead_changelist") + "?status__exact=new"))
    return {"queues": queues}
