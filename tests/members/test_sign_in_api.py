"""Sign-in and sign-up with phone + SMS code, through the public API (docs/api.md "Sign-in")."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from members.models import AccessToken, Member, SignInCode, User
from tests.members.factories import MemberFactory, StaffFactory

# transaction=True: the code SMS leaves on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+8613912345678"


def let_resend_window_pass(phone: str) -> None:
    # The 60-second resend window is a Redis key with a real TTL; time travel cannot move it, deleting it can.
    cache.delete(f"sign-in-code:resend:{phone}")


def request_code(client, phone="13912345678", **extra):
    return client.post("/api/v1/auth/otp/", {"phone": phone}, format="json", **extra)


def login(client, phone="13912345678", code="000000", **body):
    return client.post(
        "/api/v1/auth/login/", {"phone": phone, "code": code, "accept_terms": True, **body}, format="json"
    )


def test_first_login_creates_the_member_and_returns_a_working_token(api_client, sms_outbox):
    assert request_code(api_client).status_code == 202
    code = sms_outbox.last_code_for(PHONE)

    response = login(api_client, code=code)

    assert response.status_code == 200
    body = response.json()
    assert body["created"] is True
    assert body["member"]["phone"] == PHONE
    assert len(body["member"]["invite_code"]) == 8
    assert body["member"]["verification_status"] == "unverified"
    assert body["member"]["profile_completed"] is False
    me = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.status_code == 200
    assert me.json()["phone"] == PHONE


def test_second_login_signs_in_the_same_member(api_client, sms_outbox):
    request_code(api_client)
    login(api_client, code=sms_outbox.last_code_for(PHONE))
    let_resend_window_pass(PHONE)
    request_code(api_client)

    response = login(api_client, code=sms_outbox.last_code_for(PHONE))

    assert response.status_code == 200
    assert response.json()["created"] is False
    assert Member.objects.count() == 1


def test_the_code_sms_says_how_long_it_is_valid(api_client, sms_outbox):
    request_code(api_client)
    [message] = sms_outbox.messages
    assert message["to"] == PHONE
    assert "5" in message["body"]


def test_code_is_stored_only_as_a_hash(api_client, sms_outbox):
    request_code(api_client)
    code = sms_outbox.last_code_for(PHONE)
    stored = SignInCode.objects.get(phone=PHONE)
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64


def test_same_answer_for_registered_and_unknown_phones(api_client):
    MemberFactory(user__phone="+8613911110000")
    known = request_code(api_client, phone="13911110000")
    unknown = request_code(api_client, phone="13922220000")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


def test_wrong_code_is_refused_and_creates_nobody(api_client, sms_outbox):
    request_code(api_client)
    right = sms_outbox.last_code_for(PHONE)
    wrong = "111111" if right != "111111" else "222222"

    response = login(api_client, code=wrong)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_code"
    assert response.json()["fields"] == {"code": [response.json()["detail"]]}
    assert not User.objects.filter(phone=PHONE).exists()
    assert SignInCode.objects.get(phone=PHONE).failed_attempts == 1


def test_five_wrong_tries_burn_the_code(api_client, sms_outbox, settings):
    request_code(api_client)
    right = sms_outbox.last_code_for(PHONE)
    wrong = "111111" if right != "111111" else "222222"
    for _attempt in range(settings.OTP_MAX_ATTEMPTS):
        assert login(api_client, code=wrong).status_code == 400

    response = login(api_client, code=right)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_code"
    assert SignInCode.objects.get(phone=PHONE).status == "burned"
    assert not User.objects.filter(phone=PHONE).exists()


def test_expired_code_is_refused(api_client, sms_outbox):
    request_code(api_client)
    code = sms_outbox.last_code_for(PHONE)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5, seconds=1)):
        response = login(api_client, code=code)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_code"
    assert not User.objects.filter(phone=PHONE).exists()


def test_code_still_valid_just_before_five_minutes(api_client, sms_outbox):
    request_code(api_client)
    code = sms_outbox.last_code_for(PHONE)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=4, seconds=50)):
        assert login(api_client, code=code).status_code == 200


def test_code_sent_to_one_phone_never_signs_in_another(api_client, sms_outbox):
    request_code(api_client, phone="13912345678")
    request_code(api_client, phone="13987654321")
    code_for_first = sms_outbox.last_code_for(PHONE)

    response = login(api_client, phone="13987654321", code=code_for_first)

    if sms_outbox.last_code_for("+8613987654321") != code_for_first:
        assert response.status_code == 400
        assert not User.objects.filter(phone="+8613987654321").exists()
    # Whatever the draw, the first phone's code still works for the first phone only.
    assert login(api_client, phone="13912345678", code=code_for_first).status_code == 200


def test_used_code_cannot_be_used_again(api_client, sms_outbox):
    request_code(api_client)
    code = sms_outbox.last_code_for(PHONE)
    assert login(api_client, code=code).status_code == 200
    tokens = list(AccessToken.objects.values_list("pk", flat=True))
    assert login(api_client, code=code).status_code == 400
    assert list(AccessToken.objects.values_list("pk", flat=True)) == tokens
    assert User.objects.filter(phone=PHONE).count() == 1


def test_resend_within_sixty_seconds_is_429_and_sends_nothing(api_client, sms_outbox):
    assert request_code(api_client).status_code == 202
    response = request_code(api_client)
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_requests"
    assert "60" in response.json()["detail"]
    assert len(sms_outbox.messages) == 1


def test_new_code_supersedes_the_old_one(api_client, sms_outbox):
    request_code(api_client)
    first = sms_outbox.last_code_for(PHONE)
    let_resend_window_pass(PHONE)
    request_code(api_client)
    second = sms_outbox.last_code_for(PHONE)
    if first != second:
        assert login(api_client, code=first).status_code == 400
    assert login(api_client, code=second).status_code == 200


def test_per_phone_daily_limit(api_client, sms_outbox, settings):
    settings.OTP_PER_PHONE_DAILY = 3
    for _attempt in range(3):
        let_resend_window_pass(PHONE)
        assert request_code(api_client).status_code == 202
    let_resend_window_pass(PHONE)
    response = request_code(api_client)
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_requests"
    assert len(sms_outbox.messages) == 3


def test_per_ip_daily_limit_counts_across_phones(api_client, sms_outbox, settings):
    settings.OTP_PER_IP_DAILY = 2
    assert request_code(api_client, phone="13900000001").status_code == 202
    assert request_code(api_client, phone="13900000002").status_code == 202
    response = request_code(api_client, phone="13900000003")
    assert response.status_code == 429
    # Another address is not affected.
    assert request_code(api_client, phone="13900000003", REMOTE_ADDR="10.1.2.3").status_code == 202
    assert len(sms_outbox.messages) == 3


@pytest.mark.parametrize("phone", ["12345", "abcdefghijk", "+86 010 6500 0003", "", "1" * 40])
def test_malformed_phone_is_400(api_client, phone, sms_outbox):
    response = request_code(api_client, phone=phone)
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_phone", "invalid"}
    assert response.json()["detail"]
    assert sms_outbox.messages == []


def test_numbers_outside_allowed_regions_get_no_code(api_client, sms_outbox):
    response = request_code(api_client, phone="+14155550123")
    assert response.status_code == 400
    assert response.json()["code"] in {"phone_region_not_allowed", "invalid_phone"}
    assert sms_outbox.messages == []


def test_allowed_regions_is_a_setting(api_client, sms_outbox, settings):
    settings.OTP_ALLOWED_REGIONS = ["CN", "HK"]
    assert request_code(api_client, phone="+85251234567").status_code == 202
    assert sms_outbox.messages[0]["to"] == "+85251234567"


def test_us_mobile_refused_with_region_code(api_client, sms_outbox, settings):
    settings.OTP_ALLOWED_REGIONS = ["CN"]
    response = request_code(api_client, phone="+85251234567")
    assert response.status_code == 400
    assert response.json()["code"] == "phone_region_not_allowed"
    assert sms_outbox.messages == []
    assert not SignInCode.objects.exists()


def test_errors_are_in_english_when_asked(api_client):
    response = request_code(api_client, phone="12345", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Please enter a valid mobile phone number."


def test_errors_are_in_chinese_by_default(api_client):
    response = request_code(api_client, phone="12345")
    assert response.json()["detail"] == "请输入有效的手机号码。"


def test_invite_code_records_the_referrer(api_client, sms_outbox):
    referrer = MemberFactory(invite_code="ABCD2345")
    request_code(api_client)
    response = login(api_client, code=sms_outbox.last_code_for(PHONE), invite_code="abcd2345", channel="partner",
                     channel_partner="平安好车")  # fmt: skip
    assert response.status_code == 200
    member = Member.objects.get(user__phone=PHONE)
    assert member.referred_by == referrer
    assert member.channel == "partner"
    assert member.channel_partner == "平安好车"


def test_unknown_invite_code_is_refused_without_using_up_the_code(api_client, sms_outbox):
    request_code(api_client)
    code = sms_outbox.last_code_for(PHONE)
    response = login(api_client, code=code, invite_code="NOPE2345")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_invite_code"
    assert not User.objects.filter(phone=PHONE).exists()
    assert login(api_client, code=code).status_code == 200


def test_invite_code_is_ignored_for_an_existing_member(api_client, sms_outbox):
    existing = MemberFactory(user__phone=PHONE)
    MemberFactory(invite_code="ABCD2345")
    request_code(api_client)
    response = login(api_client, code=sms_outbox.last_code_for(PHONE), invite_code="ABCD2345")
    assert response.status_code == 200
    existing.refresh_from_db()
    assert existing.referred_by is None


def test_staff_accounts_cannot_sign_in_with_a_code(api_client, sms_outbox):
    StaffFactory(phone=PHONE)
    request_code(api_client)
    response = login(api_client, code=sms_outbox.last_code_for(PHONE))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_code"
    assert not AccessToken.objects.exists()
    assert not Member.objects.exists()


def test_logout_stops_the_token(member_client, member):
    assert member_client.get("/api/v1/me/").status_code == 200
    assert member_client.post("/api/v1/auth/logout/").status_code == 204
    response = member_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not AccessToken.objects.filter(user=member.user).exists()


def test_expired_token_is_refused(member_client):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        assert member_client.get("/api/v1/me/").status_code == 401


def test_garbage_token_is_401(api_client):
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_oversized_fields_are_400_not_500(api_client):
    response = api_client.post("/api/v1/auth/login/", {"phone": "1" * 500, "code": "9" * 500}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"phone", "code"}


def test_malformed_json_is_400(api_client):
    response = api_client.post("/api/v1/auth/otp/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("code", ["12345", "abcdef", "1234567", ""])
def test_malformed_code_is_400(api_client, code):
    response = login(api_client, code=code)
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_code", "invalid"}


def test_a_sign_up_that_fails_does_not_use_up_the_code(api_client, sms_outbox):
    from django.db import connection

    request_code(api_client)
    code = sms_outbox.last_code_for(PHONE)
    # A real failure inside the database while the member row is written (a trigger that refuses it).
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_member() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ "
            "LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_member BEFORE INSERT ON members_member FOR EACH ROW EXECUTE FUNCTION refuse_member()"
        )
    try:
        with pytest.raises(Exception, match="disk full"):
            login(api_client, code=code)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_member ON members_member")
            cursor.execute("DROP FUNCTION refuse_member()")
    assert SignInCode.objects.get(phone=PHONE).status == "active"
    assert not User.objects.filter(phone=PHONE).exists()
    assert login(api_client, code=code).status_code == 200
