"""Member sign-in answers reveal nothing about who is registered, failed sign-ins are throttled per phone and per
address, and a used-up or malformed code gets an answer that says what to do next."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache

from members.models import Member, SignInCode, User
from tests.members.factories import MemberFactory, StaffFactory

# transaction=True: the code SMS leaves on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
REGISTERED = "+8613911110000"
UNKNOWN = "+8613922220000"


def request_code(client, phone, **extra):
    response = client.post("/api/v1/auth/otp/", {"phone": phone}, format="json", **extra)
    assert response.status_code == 202, response.json()


def login(client, phone, code, **body_and_extra):
    extra = {key: body_and_extra.pop(key) for key in list(body_and_extra) if key.isupper()}
    return client.post("/api/v1/auth/login/", {"phone": phone, "code": code, **body_and_extra}, format="json", **extra)


def wrong_code_for(sms_outbox, phone) -> str:
    return "111111" if sms_outbox.last_code_for(phone) != "111111" else "222222"


def answer(response):
    return response.status_code, response.json()


def test_wrong_inputs_get_the_same_answer_for_a_registered_and_an_unknown_phone(api_client, sms_outbox):
    MemberFactory(user__phone=REGISTERED)
    answers = {}
    for phone in (REGISTERED, UNKNOWN):
        # No code asked for yet; a wrong code with an invite code that does not exist.
        no_code = answer(login(api_client, phone, "123456", invite_code="NOPE2345"))
        request_code(api_client, phone)
        wrong = wrong_code_for(sms_outbox, phone)
        wrong_with_invite = answer(login(api_client, phone, wrong, invite_code="NOPE2345"))
        wrong_alone = answer(login(api_client, phone, wrong))
        malformed = answer(login(api_client, phone, "12345", invite_code="NOPE2345"))
        answers[phone] = [no_code, wrong_with_invite, wrong_alone, malformed]

    assert answers[REGISTERED] == answers[UNKNOWN]
    assert answers[UNKNOWN][1] == (
        400,
        {
            "code": "invalid_code",
            "detail": "验证码错误或已过期，请重新获取。",
            "fields": {"code": ["验证码错误或已过期，请重新获取。"]},
        },
    )
    assert User.objects.filter(phone=UNKNOWN).count() == 0
    assert SignInCode.objects.get(phone=REGISTERED).failed_attempts == 2
    assert SignInCode.objects.get(phone=UNKNOWN).failed_attempts == 2


def test_a_staff_phone_gets_the_same_answers_as_an_unknown_one(api_client, sms_outbox, settings):
    settings.OTP_LOGIN_FAILURES_PER_PHONE = 2
    StaffFactory(phone=REGISTERED)
    answers = {}
    for phone in (REGISTERED, UNKNOWN):
        request_code(api_client, phone)
        wrong = wrong_code_for(sms_outbox, phone)
        answers[phone] = [answer(login(api_client, phone, wrong, invite_code="NOPE2345")) for _try in range(3)]

    assert answers[REGISTERED] == answers[UNKNOWN]
    assert [status for status, _body in answers[UNKNOWN]] == [400, 400, 429]
    # The throttled try never reached the code.
    assert SignInCode.objects.get(phone=REGISTERED).failed_attempts == 2


def test_a_burst_of_failed_logins_from_one_address_is_throttled(api_client, sms_outbox, settings):
    settings.OTP_LOGIN_FAILURES_PER_IP = 5
    phones = [f"+86139333300{n:02d}" for n in range(7)]
    request_code(api_client, phones[5])
    answers = [login(api_client, phone, "123456", REMOTE_ADDR="203.0.113.9").status_code for phone in phones[:5]]
    assert answers == [400, 400, 400, 400, 400]

    # Over the limit even the right code for a fresh phone is refused, and the code is not touched.
    throttled = login(api_client, phones[5], sms_outbox.last_code_for(phones[5]), REMOTE_ADDR="203.0.113.9")

    assert throttled.status_code == 429
    assert throttled.json() == {
        "code": "too_many_requests",
        "detail": "来自此网络的登录失败次数过多，请稍候再试（最多等待 60 分钟）。",
    }
    code_row = SignInCode.objects.get(phone=phones[5])
    assert (code_row.status, code_row.failed_attempts) == ("active", 0)
    assert not User.objects.filter(phone__in=phones).exists()
    # Another address is not affected.
    assert login(api_client, phones[6], "123456", REMOTE_ADDR="198.51.100.30").status_code == 400


def test_failed_logins_for_one_phone_are_throttled_from_any_address(api_client, sms_outbox, settings):
    settings.OTP_LOGIN_FAILURES_PER_PHONE = 3
    request_code(api_client, UNKNOWN)
    wrong = wrong_code_for(sms_outbox, UNKNOWN)
    statuses = [login(api_client, UNKNOWN, wrong, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(3)]
    throttled = login(api_client, UNKNOWN, wrong, REMOTE_ADDR="198.51.100.99", HTTP_ACCEPT_LANGUAGE="en")

    assert statuses == [400, 400, 400]
    assert throttled.status_code == 429
    assert throttled.json() == {
        "code": "too_many_requests",
        "detail": "Too many failed sign-in attempts for this number. Please wait at most 60 minutes and try again.",
    }
    assert SignInCode.objects.get(phone=UNKNOWN).failed_attempts == 3


def test_a_successful_sign_in_does_not_count_as_a_failure(api_client, sms_outbox, settings):
    settings.OTP_LOGIN_FAILURES_PER_PHONE = 2
    request_code(api_client, UNKNOWN)
    assert login(api_client, UNKNOWN, wrong_code_for(sms_outbox, UNKNOWN)).status_code == 400
    # A new phone signs up, so it accepts the terms (a refusal for missing terms would be a failure of its own).
    assert login(api_client, UNKNOWN, sms_outbox.last_code_for(UNKNOWN), accept_terms=True).status_code == 200
    cache.delete(f"sign-in-code:resend:{UNKNOWN}")
    request_code(api_client, UNKNOWN)

    # One failure before the sign-in, one after: still within the limit of two.
    assert login(api_client, UNKNOWN, wrong_code_for(sms_outbox, UNKNOWN)).status_code == 400
    assert login(api_client, UNKNOWN, wrong_code_for(sms_outbox, UNKNOWN)).status_code == 429


def test_the_last_wrong_try_says_the_code_is_used_up_and_when_to_ask_again(api_client, sms_outbox, settings):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, 30, tzinfo=SHANGHAI), tick=False):
        request_code(api_client, UNKNOWN)
        wrong = wrong_code_for(sms_outbox, UNKNOWN)
        tries = [login(api_client, UNKNOWN, wrong) for _try in range(settings.OTP_MAX_ATTEMPTS - 1)]
        last = login(api_client, UNKNOWN, wrong, HTTP_ACCEPT_LANGUAGE="en")
        after = login(api_client, UNKNOWN, sms_outbox.last_code_for(UNKNOWN))

    assert [response.json()["detail"] for response in tries] == ["验证码错误或已过期，请重新获取。"] * 4
    assert last.status_code == 400
    assert last.json()["code"] == "invalid_code"
    # Sent at 10:00:30, a new code may be asked for 60 seconds later: shown rounded up to the minute.
    assert last.json()["detail"] == (
        "This code was entered wrong 5 times and is used up. You can ask for a new one from 10:02."
    )
    assert after.json()["detail"] == "验证码错误或已过期，请重新获取。"
    assert SignInCode.objects.get(phone=UNKNOWN).status == "burned"
    assert not Member.objects.exists()


def test_a_used_up_code_after_the_resend_window_says_ask_now(api_client, sms_outbox, settings):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, 30, tzinfo=SHANGHAI), tick=False):
        request_code(api_client, UNKNOWN)
    wrong = wrong_code_for(sms_outbox, UNKNOWN)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 3, 0, tzinfo=SHANGHAI), tick=False):
        responses = [login(api_client, UNKNOWN, wrong) for _try in range(settings.OTP_MAX_ATTEMPTS)]

    assert responses[-1].json()["detail"] == "该验证码已输错 5 次，已失效，请重新获取验证码。"


def test_a_used_up_code_on_the_days_last_code_says_tomorrow(api_client, sms_outbox, settings):
    settings.OTP_PER_PHONE_DAILY = 1
    with time_machine.travel(datetime.datetime(2026, 12, 1, 22, 0, 0, tzinfo=SHANGHAI), tick=False):
        request_code(api_client, UNKNOWN)
        wrong = wrong_code_for(sms_outbox, UNKNOWN)
        responses = [
            login(api_client, UNKNOWN, wrong, HTTP_ACCEPT_LANGUAGE="en") for _try in range(settings.OTP_MAX_ATTEMPTS)
        ]

    assert responses[-1].json()["detail"] == (
        "This code was entered wrong 5 times and is used up. You can ask for a new one from 2026-12-02 00:00."
    )


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12 456", "1234567890123"])
def test_a_code_of_the_wrong_shape_gets_our_own_message_in_both_languages(api_client, sms_outbox, code):
    request_code(api_client, UNKNOWN)
    chinese = login(api_client, UNKNOWN, code)
    english = login(api_client, UNKNOWN, code, HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 400
    assert chinese.json()["fields"] == {"code": ["验证码为 6 位数字，请核对后重新输入。"]}
    assert english.json()["fields"] == {"code": ["The sign-in code has 6 digits. Please check it and enter it again."]}
    assert SignInCode.objects.get(phone=UNKNOWN).failed_attempts == 0


def test_an_empty_code_asks_for_the_code(api_client):
    response = login(api_client, UNKNOWN, "", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["fields"] == {"code": ["Please enter the 6-digit code from the SMS."]}


def test_a_wrong_code_reads_the_account_and_the_locked_code_row_and_writes_only_the_try(
    api_client, sms_outbox, django_assert_num_queries
):
    request_code(api_client, UNKNOWN)
    wrong = wrong_code_for(sms_outbox, UNKNOWN)
    # The account; then BEGIN, the savepoint of the nested block, the code row under its lock, the counted try,
    # RELEASE, COMMIT. The failure counters live in Redis.
    with django_assert_num_queries(7):
        response = login(api_client, UNKNOWN, wrong)
    assert response.status_code == 400
    assert SignInCode.objects.get(phone=UNKNOWN).failed_attempts == 1
