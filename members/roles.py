"""Staff roles as auth groups. Each later app adds the permissions its screens and transitions need here."""

from django.contrib.auth.models import Group, Permission

from members.enums import StaffRole

_READ_MEMBERS = ["members.view_member", "members.view_qualification", "members.view_store"]
_EDIT_MEMBERS = ["members.change_member", "members.add_member"]
_CALLS = ["notifications.view_notification"]
# The task queue: every role that phones or visits members works its tasks (assigning is for managers and head
# office, decided in staff_tasks.services); head office also edits the task rules.
_TASKS = ["staff_tasks.view_task", "staff_tasks.change_task", "staff_tasks.view_taskrule"]
# Leads: agents and stores enter leads and record contacts (a change through the services); head office also keeps
# the partners, their API keys and the lead teams.
# Segments (computed nightly) to read, and staff tags to set and remove by hand.
_SEGMENTS = [
    "segments.view_membersegment", "segments.view_tierchange", "segments.view_lifecyclechange",
    "segments.view_membertag", "segments.add_membertag", "segments.delete_membertag", "segments.view_tag",
]  # fmt: skip
_LEADS = ["leads.view_lead", "leads.add_lead", "leads.change_lead", "leads.view_leadteam"]
_LEAD_SETUP = ["leads.view_partner", "leads.add_partner", "leads.change_partner", "leads.view_partnerapikey",
               "leads.add_partnerapikey", "leads.change_partnerapikey", "leads.add_leadteam",
               "leads.change_leadteam"]  # fmt: skip
_POINTS = ["points.view_pointsaccount", "points.view_pointsentry", "points.view_coupon", "points.view_reward",
           "points.view_earnrule", "points.view_campaign"]  # fmt: skip
# Order steps are governed by role in orders/state_machine.py; these permissions open the admin screens.
_ORDERS = ["orders.view_order", "orders.view_orderevent", "orders.view_orderdocument", "vehicles.view_vehicleunit"]
# Starting an application for a member from the admin (store roles only for the members they see).
_START_ORDERS = "orders.add_order"

# Reviewers check identity documents, finance writes loan contracts, head office audits: they may see a full ID
# number, each time giving a reason that is logged. Head office reads that log.
_FULL_ID_NUMBER = "members.view_full_id_number"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    StaffRole.CALL_CENTER: [
        *_READ_MEMBERS,
        *_EDIT_MEMBERS,
        *_ORDERS,
        _START_ORDERS,
        "orders.assign_order_store",
        *_POINTS,
        *_CALLS,
        *_TASKS,
        *_LEADS,
        *_SEGMENTS,
    ],
    StaffRole.STORE_STAFF: [*_READ_MEMBERS, *_ORDERS, _START_ORDERS, *_TASKS, *_LEADS, *_SEGMENTS],
    StaffRole.STORE_MANAGER: [
        *_READ_MEMBERS,
        "members.change_member",
        *_ORDERS,
        _START_ORDERS,
        *_TASKS,
        *_LEADS,
        *_SEGMENTS,
    ],  # fmt: skip
    StaffRole.REVIEWER: [*_READ_MEMBERS, *_ORDERS, _FULL_ID_NUMBER],
    StaffRole.FINANCE: [*_READ_MEMBERS, *_ORDERS, "orders.view_loan", _FULL_ID_NUMBER],
    StaffRole.HEAD_OFFICE: [
        *_READ_MEMBERS,
        _FULL_ID_NUMBER,
        "members.view_idnumberview",
        *_EDIT_MEMBERS,
        *_ORDERS,
        "members.change_store",
        "members.add_store",
        _START_ORDERS,
        "orders.reassign_order_store",
        "orders.assign_order_store",
        "vehicles.change_vehicleunit",
        "vehicles.add_vehicleunit",
        *_POINTS,
        *_CALLS,
        *_TASKS,
        *_LEADS,
        *_LEAD_SETUP,
        "staff_tasks.change_taskrule",
        "notifications.change_notification",
        "crm.view_campaign",
        "crm.add_campaign",
        "crm.change_campaign",
        "points.adjust_points",
        "points.change_earnrule",
        "points.change_reward",
        "points.add_reward",
        "points.add_campaign",
        "points.change_campaign",
        "points.change_tierbenefit",
        "points.view_tierbenefit",
        *_SEGMENTS,
        "segments.change_segmentrules",
        "segments.view_segmentrules",
        "segments.add_tag",
        "segments.change_tag",
        "segments.view_taggroup",
        "segments.add_taggroup",
        "segments.change_taggroup",
    ],
    StaffRole.ADMIN: [],  # administrators are superusers
}


def sync_role_groups() -> dict[str, Group]:
    groups = {}
    for role, permission_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=f"role:{role}")
        permissions = []
        for name in permission_names:
            app_label, codename = name.split(".")
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)
        groups[role] = group
    return groups
