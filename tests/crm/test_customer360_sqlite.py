"""The member 360 view answers on the embedded demo database (SQLite) too, through the API and the back-office
page, with its store rule, and so do the task list's pages: a subprocess with the demo's settings and a new
file."""

from tests.helpers import run_on_sqlite

SQLITE_SCRIPT = r"""
import datetime, json
from decimal import Decimal
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

assert connection.vendor == "sqlite"
call_command("migrate", verbosity=0)
from crm.care.complaints.services import file_complaint
from crm.leads.services import enter_lead, record_contact
from members.models import Member, Store, User
from members.services import issue_access_token
from staff_tasks.services import complete_task, open_task
from vehicles.models import Brand, CarModel, OwnedVehicle, ServiceRecord, Trim

store = Store.objects.create(code="SZ01", name="深圳店", city="深圳", address="深南大道 1 号", phone="0755-1")
other = Store.objects.create(code="GZ01", name="广州店", city="广州", address="天河路 1 号", phone="020-1")
clerk = User.objects.create(username="clerk", is_staff=True, role="store_staff", store=store)
stranger = User.objects.create(username="stranger", is_staff=True, role="store_staff", store=other)
agent = User.objects.create(username="agent", is_staff=True, role="call_center")
user = User.objects.create(phone="+8613900000001")
member = Member.objects.create(user=user, name="王先生", invite_code="INV001", preferred_store=store, city="深圳")
model = CarModel.objects.create(brand=Brand.objects.create(name="比亚迪"), name="汉", body_type="sedan", energy="ev")
trim = Trim.objects.create(car_model=model, name="旗舰版", guide_price=Decimal("200000"))
car = OwnedVehicle.objects.create(member=member, trim=trim, vin="LSVAA4182E2123456", plate="粤B·12345",
                                  delivered_on=datetime.date(2026, 6, 1))
ServiceRecord.objects.create(vehicle=car, dealer_reference="DMS-1", serviced_on=datetime.date(2026, 11, 20),
                             mileage_km=8000, description="首保")
due = timezone.make_aware(datetime.datetime(2026, 12, 3, 10))
open_task(kind="return_visit", title="回访", store=store, member=member, due_at=due, assignee=clerk)
done = open_task(kind="three_day_call", title="3 日回访", store=store, member=member, due_at=due)
complete_task(task_id=done.pk, actor=clerk, outcome="reached", note="满意")
lead = enter_lead(actor=clerk, name="王先生", phone="+8613900000001", model="汉", channel="store").lead
record_contact(lead_id=lead.pk, actor=clerk, outcome="reached_interested", note="周六到店")
file_complaint(member=member, category="service", description="异响", filed_by="member", actor=user)

def api(account):
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.get(f"/api/v1/backoffice/members/{member.pk}/",
                          HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=account)}")
    return response.status_code, (response.json() if response.status_code == 200 else None)

def task_titles(page_number):
    # The task list picks a page's ids before joining members: a page at a time, in due order, on SQLite too.
    response = Client(HTTP_HOST="127.0.0.1").get("/api/v1/backoffice/tasks/", {"page_size": 1, "page": page_number},
                                                 HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=clerk)}")
    return [task["title"] for task in response.json()["results"]]

status, body = api(clerk)
page = Client(HTTP_HOST="127.0.0.1")
page.force_login(clerk)
print(json.dumps({
    "status": status, "agent": api(agent)[0], "stranger": api(stranger)[0],
    "page": page.get(f"/backoffice/members/{member.pk}/").status_code,
    "task_pages": [task_titles(1), task_titles(2)],
    "done_queue": "3 日回访" in page.get("/backoffice/tasks/?queue=done").content.decode(),
    "car": [body["cars"][0]["car"], body["cars"][0]["plate"], body["cars"][0]["service_history"][0]["description"]],
    "open": [(t["kind"], t["kind_label"], t["assignee"], t["store"], t["due_at"]) for t in body["open_tasks"]],
    "done": [(t["outcome"], t["outcome_label"], t["completed_by"]) for t in body["contact_history"]],
    "leads": [(l["status"], l["channel_label"], [c["note"] for c in l["contacts"]]) for l in body["leads"]],
    "complaints": [(c["category"], c["status"], c["store"]) for c in body["complaints"]],
    "profile": [body["profile"]["name"], body["profile"]["phone"], body["profile"]["store"]["code"]],
}, ensure_ascii=False))
"""


def test_the_360_answers_on_sqlite(demo_sqlite, tmp_path):
    got = run_on_sqlite(SQLITE_SCRIPT, tmp_path=tmp_path)

    assert (got["status"], got["agent"], got["stranger"], got["page"]) == (200, 200, 404, 200)
    assert got["profile"] == ["王先生", "+8613900000001", "SZ01"]
    assert got["task_pages"] == [["回访"], ["3 日回访"]]
    assert got["done_queue"] is True
    assert got["car"] == ["比亚迪 汉 旗舰版", "粤B·12345", "首保"]
    assert got["open"] == [["return_visit", "回访", "clerk", "SZ01", "2026-12-03T10:00:00+08:00"]]
    assert got["done"] == [["reached", "已联系上", "clerk"]]
    assert got["leads"] == [["interested", "门店到店", ["周六到店"]]]
    assert got["complaints"] == [["service", "received", "深圳店"]]
