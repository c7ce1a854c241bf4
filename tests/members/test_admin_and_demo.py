"""The call-center admin for members, and the demo data command."""

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from members.consents import consents_required, has_sensitive_data_consent
from members.id_numbers import check_character
from members.models import Member, Store, User
from members.services import verify_member_identity
from tests.members.factories import MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call_center_client(client):
    from members.services import ensure_role_groups

    agent = StaffFactory(username="agent", role="call_center")
    agent.groups.set([ensure_role_groups()["call_center"]])
    client.force_login(agent)
    return client


def test_member_admin_searches_by_phone_name_and_invite_code(call_center_client):
    MemberFactory(user__phone="+8613911112222", name="韩梅梅", invite_code="HANMM234")
    MemberFactory(user__phone="+8613933334444", name="李雷", invite_code="LILEI234")
    for query in ("13911112222", "韩梅梅", "HANMM234"):
        page = call_center_client.get("/admin/members/member/", {"q": query}).content.decode()
        assert "韩梅梅" in page, query
        assert "李雷" not in page, query


def test_member_admin_filters_by_channel_and_verification(call_center_client):
    MemberFactory(name="甲", channel="partner")
    MemberFactory(name="乙", channel="online")
    page = call_center_client.get("/admin/members/member/", {"channel__exact": "partner"}).content.decode()
    assert "甲" in page
    assert "乙" not in page
    assert (
        call_center_client.get("/admin/members/member/", {"verification_status__exact": "verified"}).status_code == 200
    )


def test_member_admin_shows_the_id_number_masked_only(call_center_client):
    member = MemberFactory()
    first_17 = "44010619900307128"
    id_number = first_17 + check_character(first_17)
    verify_member_identity(member=member, real_name="王芳", id_number=id_number)
    page = call_center_client.get(f"/admin/members/member/{member.pk}/change/").content.decode()
    assert f"{id_number[:4]}**********{id_number[-4:]}" in page
    assert id_number not in page
    assert "gAAAA" not in page  # no Fernet ciphertext either


def test_member_list_runs_a_bounded_number_of_queries(call_center_client, django_assert_max_num_queries):
    for _number in range(30):
        MemberFactory()
    with django_assert_max_num_queries(12):
        assert call_center_client.get("/admin/members/member/").status_code == 200


def test_admin_changes_are_audited_without_personal_data(call_center_client):
    member = MemberFactory(name="旧名字")
    response = call_center_client.post(
        f"/admin/members/member/{member.pk}/change/",
        {
            "name": "新名字",
            "gender": "",
            "birthday": "",
            "email": "",
            "city": "广州",
            "preferred_store": "",
            "tier": "normal",
            "qualification-TOTAL_FORMS": "0",
            "qualification-INITIAL_FORMS": "0",
        },  # fmt: skip
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(member).latest("timestamp")
    assert entry.actor.username == "agent"
    assert entry.changes_dict["name"] == ["旧名字", "新名字"]
    first_17 = "44010619900307128"
    verify_member_identity(member=member, real_name="王芳", id_number=first_17 + check_character(first_17))
    for entry in LogEntry.objects.get_for_object(member):
        assert first_17 not in str(entry.changes)


def test_members_cannot_be_deleted_from_admin(call_center_client):
    member = MemberFactory()
    assert call_center_client.get(f"/admin/members/member/{member.pk}/delete/").status_code == 403
    assert call_center_client.post(f"/admin/members/member/{member.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Member.objects.filter(pk=member.pk).exists()


def test_seed_demo_loads_everything_once_and_prints_logins(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    output = capsys.readouterr().out

    assert Store.objects.count() == 3
    roles = set(User.objects.filter(is_staff=True).values_list("role", flat=True))
    assert roles == {"call_center", "store_staff", "store_manager", "reviewer", "finance", "head_office", "admin"}
    assert Member.objects.filter(user__phone__lt="+8613800000010").count() == 5
    assert Member.objects.filter(verification_status="verified", user__phone__lt="+8613800000010").count() == 1
    # Each of the 17 demo applicants is verified: an application cannot be submitted otherwise.
    assert Member.objects.filter(verification_status="verified").count() == 1 + 17
    assert Member.objects.filter(referred_by__isnull=False).count() == 2
    # Every demo member has agreed to the current policies, so none is stopped at sign-in or at verification.
    not_agreeing = [
        member.pk
        for member in Member.objects.all()
        if consents_required(member=member) or not has_sensitive_data_consent(member=member)
    ]
    assert not_agreeing == []
    assert Member.objects.filter(user__phone="+8613800000002").get().is_profile_completed
    assert "demo-pass-2026" in output
    assert "sms.jsonl" in output
    assert User.objects.get(username="store.sz").check_password("demo-pass-2026")


def test_a_new_members_audit_entry_reads_no_other_table():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.services import register_member

    with CaptureQueriesContext(connection) as captured:
        member = register_member(phone="13912345678")
    reads = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT")]
    # Auditlog once read every relation pointing at a new member (points account, qualification, …) to log it empty.
    assert not [sql for sql in reads if any(table in sql for table in ("points_", "orders_", "qualification"))]
    entry = LogEntry.objects.get_for_object(member).get(action=LogEntry.Action.CREATE)
    assert "user" in entry.changes_dict
    assert not {"id_number_encrypted", "id_number_hash", "updated_at"} & set(entry.changes_dict)
    user_entry = LogEntry.objects.get_for_object(member.user).get(action=LogEntry.Action.CREATE)
    assert "phone" in user_entry.changes_dict
    assert not {"password", "last_login", "member"} & set(user_entry.changes_dict)
