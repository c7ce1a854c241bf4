"""Staff roles as auth groups. Each later app adds the permissions its screens and transitions need here."""

from django.contrib.auth.models import Group, Permission

from members.enums import StaffRole

_READ_MEMBERS = [
    "members.view_member",
    "members.view_qualification",
    "members.view_store",
    "members.view_membershipcard",
]
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
# Owner events: store managers and head office plan them (registrations change only through the services).
_EVENTS = ["owner_events.view_ownerevent", "owner_events.add_ownerevent", "owner_events.change_ownerevent",
           "owner_events.view_eventregistration", "vehicles.view_aftermarketbooking"]  # fmt: skip
# Order steps are governed by role in orders/state_machine.py; these permissions open the admin screens.
# Complaints: the call center files one for a caller in the admin (through the service) and reads its history;
# head office also sets the SLA targets and the working calendar's own dates. Steps are taken in the back office.
_COMPLAINTS = ["complaints.view_complaint", "complaints.add_complaint", "complaints.view_complaintevent"]
_COMPLAINT_SETUP = ["complaints.view_slatarget", "complaints.change_slatarget", "complaints.view_workingdayoverride",
                    "complaints.add_workingdayoverride", "complaints.change_workingdayoverride",
                    "complaints.delete_workingdayoverride"]  # fmt: skip
_ORDERS = ["orders.view_order", "orders.view_orderevent", "orders.view_orderdocument", "vehicles.view_vehicleunit"]
# Starting an application for a member from the admin (store roles only for the members they see).
_START_ORDERS = "orders.add_order"

# Car care: staff enter policies and inspections and see the service bookings (handled in the back office); store
# managers and head office set the workshop's cars per slot; head office keeps the inspection rules and the
# dealer-system exchange.
_CAR_CARE = ["vehicles.view_insurancepolicy", "vehicles.add_insurancepolicy", "vehicles.view_inspection",
             "vehicles.add_inspection", "appointments.view_appointment",
             "appointments.view_servicecapacity"]  # fmt: skip
_CAR_CARE_SETUP = ["vehicles.view_inspectionrule", "vehicles.change_inspectionrule", "vehicles.add_inspectionrule",
                   "dealer_exchange.view_dealerimportrun", "dealer_exchange.view_dealerapikey",
                   "dealer_exchange.add_dealerapikey", "dealer_exchange.change_dealerapikey"]  # fmt: skip
# Roadside rescue: the stores and the call center follow rescues (steps on the back-office page); the call center
# and head office log one for a caller in the admin.
_RESCUE = ["rescue.view_rescuerequest", "rescue.view_rescueevent"]
_LOG_RESCUE = "rescue.add_rescuerequest"
# Surveys: stores and agents read their answers; head office builds the questionnaires.
_SURVEY_ANSWERS = ["surveys.view_surveyinvitation", "surveys.view_surveyresponse", "surveys.view_surveyanswer",
                   "surveys.view_questionnaire", "surveys.view_question", "surveys.view_choice"]  # fmt: skip
_SURVEY_SETUP = ["surveys.add_questionnaire", "surveys.change_questionnaire", "surveys.add_question",
                 "surveys.change_question", "surveys.delete_question", "surveys.add_choice", "surveys.change_choice",
                 "surveys.delete_choice"]  # fmt: skip
# Finance records payments and applies the loan system's repayment files (through the services).
_MONEY = ["orders.view_payment", "orders.add_payment", "orders.view_repaymentimport", "orders.add_repaymentimport"]

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
        *_CAR_CARE,
        *_RESCUE,
        _LOG_RESCUE,
        *_SURVEY_ANSWERS,
        *_COMPLAINTS,
        *_SEGMENTS,
    ],
    StaffRole.STORE_STAFF: [
        *_READ_MEMBERS,
        *_ORDERS,
        _START_ORDERS,
        *_TASKS,
        *_LEADS,
        *_CAR_CARE,
        *_RESCUE,
        *_SEGMENTS,
    ],  # fmt: skip
    StaffRole.STORE_MANAGER: [
        *_READ_MEMBERS,
        "members.change_member",
        *_ORDERS,
        _START_ORDERS,
        *_TASKS,
        *_LEADS,
        *_CAR_CARE,
        "appointments.change_servicecapacity",
        *_RESCUE,
        *_SURVEY_ANSWERS,
        *_EVENTS,
        *_SEGMENTS,
    ],  # fmt: skip
    StaffRole.REVIEWER: [*_READ_MEMBERS, *_ORDERS, _FULL_ID_NUMBER],
    StaffRole.FINANCE: [*_READ_MEMBERS, *_ORDERS, "orders.view_loan", "orders.change_loan", _FULL_ID_NUMBER, *_MONEY],
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
        *_CAR_CARE,
        *_CAR_CARE_SETUP,
        "appointments.change_servicecapacity",
        *_COMPLAINTS,
        *_COMPLAINT_SETUP,
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
        *_RESCUE,
        _LOG_RESCUE,
        *_SURVEY_ANSWERS,
        *_SURVEY_SETUP,
        *_EVENTS,
        "orders.view_payment",
        "orders.view_repaymentimport",
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
