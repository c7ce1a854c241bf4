"""The member's own profile, verification, qualification and referrals (docs/api.md "The member")."""

import datetime

import pytest
from django.db import connection

from members.id_numbers import check_character
from members.models import Member, Qualification
from tests.members.factories import MemberFactory, StoreFactory

pytestmark = pytest.mark.django_db


def make_id_number(*, born_on=datetime.date(1990, 3, 7), sequence="128", region="440106") -> str:
    first_17 = f"{region}{born_on:%Y%m%d}{sequence}"
    return first_17 + check_character(first_17)


def test_me_returns_the_profile_fields_of_the_contract(member_client, member):
    body = member_client.get("/api/v1/me/").json()
    for field in ("name", "gender", "birthday", "email", "city", "phone", "invite_code", "tier",
                  "verification_status", "profile_completed"):  # fmt: skip
        assert field in body
    assert body["phone"] == str(member.user.phone)
    assert body["invite_code"] == member.invite_code
    assert body["tier"] == "normal"
    assert body["tier_label"] == "普通会员"


def test_completing_the_profile_sets_profile_completed(member_client):
    store = StoreFactory()
    response = member_client.patch(
        "/api/v1/me/",
        {"name": "李雷", "gender": "male", "birthday": "1991-02-03", "city": "深圳", "preferred_store": store.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["profile_completed"] is True
    assert response.json()["name"] == "李雷"


def test_partial_profile_is_not_completed(member_client):
    response = member_client.patch("/api/v1/me/", {"name": "李雷"}, format="json")
    assert response.status_code == 200
    assert response.json()["profile_completed"] is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"birthday": "1991-02-30"}, "birthday"),
        ({"gender": "robot"}, "gender"),
        ({"name": "名" * 51}, "name"),
        ({"preferred_store": 999999}, "preferred_store"),
    ],
)
def test_bad_profile_input_is_400_with_the_field_and_changes_nothing(member_client, member, payload, field):
    response = member_client.patch("/api/v1/me/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    member.refresh_from_db()
    assert member.name == ""
    assert member.email == ""


def test_verification_stores_the_id_number_encrypted_and_shows_it_masked(member_client, member):
    id_number = make_id_number()
    response = member_client.post(
        "/api/v1/me/verification/", {"real_name": "王芳", "id_number": id_number}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "verification_status": "verified",
        "real_name": "王芳",
        "id_number": f"{id_number[:4]}**********{id_number[-4:]}",
    }
    assert id_number not in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_encrypted FROM members_member WHERE id = %s", [member.pk])
        stored = cursor.fetchone()[0]
    assert id_number not in stored
    member.refresh_from_db()
    assert member.id_number_encrypted == id_number
    assert member.birthday == datetime.date(1990, 3, 7)
    assert id_number not in member_client.get("/api/v1/me/").content.decode()


def test_malformed_id_number_is_400_invalid_id_number(member_client, member):
    response = member_client.post("/api/v1/me/verification/", {"real_name": "王芳", "id_number": "123"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_id_number"
    assert "id_number" in response.json()["fields"]
    member.refresh_from_db()
    assert member.verification_status == "unverified"
    assert member.id_number_encrypted == ""


def test_id_number_must_match_the_profile_birthday(member_client, member):
    member.birthday = datetime.date(1990, 3, 8)
    member.save()
    response = member_client.post(
        "/api/v1/me/verification/", {"real_name": "王芳", "id_number": make_id_number()}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_id_number"
    member.refresh_from_db()
    assert member.verification_status == "unverified"


def test_one_id_number_one_member(member_client, api_client):
    other = MemberFactory()
    id_number = make_id_number()
    assert (
        member_client.post(
            "/api/v1/me/verification/", {"real_name": "王芳", "id_number": id_number}, format="json"
        ).status_code
        == 200
    )
    from members.services import issue_access_token

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=other.user)}")
    response = api_client.post(
        "/api/v1/me/verification/", {"real_name": "王芳", "id_number": id_number.lower()}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "id_number_taken"
    other.refresh_from_db()
    assert other.verification_status == "unverified"


def test_provider_mismatch_marks_failed_and_keeps_no_id_number(member_client, member):
    response = member_client.post(
        "/api/v1/me/verification/", {"real_name": "王芳", "id_number": make_id_number(sequence="000")}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "identity_mismatch"
    member.refresh_from_db()
    assert member.verification_status == "failed"
    assert member.id_number_hash is None
    assert member.id_number_encrypted == ""


def test_verifying_twice_is_409(member_client):
    body = {"real_name": "王芳", "id_number": make_id_number()}
    assert member_client.post("/api/v1/me/verification/", body, format="json").status_code == 200
    verified = Member.objects.values().get()
    response = member_client.post("/api/v1/me/verification/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_verified"
    assert Member.objects.values().get() == verified


def test_verified_birthday_cannot_be_changed(member_client, member):
    member_client.post("/api/v1/me/verification/", {"real_name": "王芳", "id_number": make_id_number()}, format="json")
    response = member_client.patch("/api/v1/me/", {"birthday": "1991-01-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_id_number"
    member.refresh_from_db()
    assert member.birthday == datetime.date(1990, 3, 7)


def test_verification_errors_are_readable_in_english(member_client):
    response = member_client.post(
        "/api/v1/me/verification/", {"real_name": "王芳", "id_number": "123"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["detail"] == "An ID number has 18 characters: 17 digits, then a digit or X."


def test_qualification_is_saved_encrypted_and_read_back(member_client, member):
    payload = {
        "employment": "employed",
        "employer_name": "深圳某科技有限公司",
        "monthly_income_band": "10k_20k",
        "years_at_job": 3,
        "has_driving_licence": True,
        "marital_status": "married",
    }
    assert member_client.get("/api/v1/me/qualification/").status_code == 404
    response = member_client.put("/api/v1/me/qualification/", payload, format="json")
    assert response.status_code == 200
    assert member_client.get("/api/v1/me/qualification/").json() == payload
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT employer_name, monthly_income_band, marital_status FROM members_qualification WHERE member_id = %s",
            [member.pk],
        )
        stored = cursor.fetchone()
    assert "深圳" not in stored[0]
    assert stored[1] != "10k_20k"
    assert stored[2] != "married"


def test_bad_qualification_is_400_and_saves_nothing(member_client, member):
    response = member_client.put(
        "/api/v1/me/qualification/",
        {
            "employment": "astronaut",
            "monthly_income_band": "lots",
            "years_at_job": 99,
            "has_driving_licence": True,
            "marital_status": "single",
        },  # fmt: skip
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"employment", "monthly_income_band", "years_at_job"}
    assert not Qualification.objects.filter(member=member).exists()


def test_referrals_list_the_invitees_with_masked_phones(member_client, member):
    MemberFactory(referred_by=member, user__phone="+8613911112222", name="韩梅梅")
    MemberFactory()  # someone else's invitee does not appear
    body = member_client.get("/api/v1/me/referrals/").json()
    assert body["invite_code"] == member.invite_code
    assert len(body["invitees"]) == 1
    assert body["invitees"][0]["phone"] == "139****2222"
    assert body["invitees"][0]["name"] == "韩**"
    assert body["invitees"][0]["status"] == "registered"


def test_member_endpoints_need_a_member(api_client, staff_user):
    assert api_client.get("/api/v1/me/").status_code == 401
    api_client.force_authenticate(staff_user)
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_invite_codes_are_unique_and_hard_to_guess():
    from members.services import register_member

    codes = {register_member(phone=f"1390000{number:04d}").invite_code for number in range(50)}
    assert len(codes) == 50
    assert all(len(code) == 8 and code.isalnum() and code.isupper() or code.isdigit() for code in codes)
    assert not any(set(code) & set("01OIL") for code in codes)
    assert Member.objects.count() == 50
