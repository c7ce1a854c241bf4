"""The member sign-in pages have no dead ends: the way back to the code page, a used-up code that says when to ask
again, and our own message for a code of the wrong length, in Chinese and English."""

import datetime
import html
import zoneinfo

import pytest
import time_machine

from members.models import SignInCode, User

# transaction=True: the code SMS leaves on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+8613912345678"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def wrong_code(sms_outbox) -> str:
    return "111111" if sms_outbox.last_code_for(PHONE) != "111111" else "222222"


def test_a_visitor_with_a_code_can_always_get_back_to_the_code_page(client, sms_outbox):
    assert 'id="back-to-code"' not in client.get("/sign-in/").content.decode()
    client.post("/sign-in/", {"phone": "13912345678"})

    # "Use another number" leads to the phone page, which links back to the code page while the code is usable.
    phone_page = page_text(client.get("/sign-in/", HTTP_ACCEPT_LANGUAGE="en"))

    link = '<a href="/sign-in/code/" id="back-to-code">I already have a code for 139****5678: enter it</a>'
    assert link in phone_page
    chinese = page_text(client.get("/sign-in/"))
    assert "已收到 139****5678 的验证码？去输入" in chinese
    code_page = client.get("/sign-in/code/")
    assert code_page.status_code == 200
    assert "139****5678" in code_page.content.decode()


def test_no_way_back_once_the_code_is_used_up(client, sms_outbox, settings):
    client.post("/sign-in/", {"phone": "13912345678"})
    for _try in range(settings.OTP_MAX_ATTEMPTS):
        client.post("/sign-in/code/", {"phone": "x", "code": wrong_code(sms_outbox)})

    assert 'id="back-to-code"' not in client.get("/sign-in/").content.decode()


def test_asking_again_for_the_same_number_within_the_minute_goes_back_to_the_code_page(client, sms_outbox):
    client.post("/sign-in/", {"phone": "13912345678"})
    first_code = sms_outbox.last_code_for(PHONE)
    client.get("/sign-in/")  # "Use another number", then the same number again

    response = client.post("/sign-in/", {"phone": "13912345678"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert response.redirect_chain == [("/sign-in/code/", 302)]
    assert "A code was just sent. You can ask for a new one after 60 seconds." in page_text(response)
    assert len(sms_outbox.messages) == 1
    assert SignInCode.objects.filter(phone=PHONE).count() == 1
    signed_in = client.post("/sign-in/code/", {"phone": "x", "code": first_code, "accept_terms": "on"})  # sign-up
    assert signed_in.status_code == 302
    assert User.objects.filter(phone=PHONE).exists()


def test_a_new_session_asking_within_the_minute_reaches_the_code_page(client, sms_outbox):
    client.post("/sign-in/", {"phone": "13912345678"})
    client.cookies.clear()  # another tab or a restarted browser: nothing in the session

    response = client.post("/sign-in/", {"phone": "13912345678"}, follow=True)

    assert response.redirect_chain == [("/sign-in/code/", 302)]
    assert "139****5678" in page_text(response)
    assert len(sms_outbox.messages) == 1


def test_the_last_wrong_try_on_the_page_says_the_code_is_used_up_and_when(client, sms_outbox, settings):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 15, 10, tzinfo=SHANGHAI), tick=False):
        client.post("/sign-in/", {"phone": "13912345678"})
        wrong = wrong_code(sms_outbox)
        for _try in range(settings.OTP_MAX_ATTEMPTS - 1):
            client.post("/sign-in/code/", {"phone": "x", "code": wrong})
        last = client.post("/sign-in/code/", {"phone": "x", "code": wrong})

    assert last.status_code == 200
    assert "该验证码已输错 5 次，已失效。09:17 起可重新获取验证码。" in page_text(last)
    assert 'id="resend-button"' in last.content.decode()
    assert SignInCode.objects.get(phone=PHONE).status == "burned"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("code", ["12345", "1234567", "12a456"])
def test_a_code_of_the_wrong_length_gets_our_own_message(client, sms_outbox, code):
    client.post("/sign-in/", {"phone": "13912345678"})

    chinese = page_text(client.post("/sign-in/code/", {"phone": "x", "code": code}))
    english = page_text(client.post("/sign-in/code/", {"phone": "x", "code": code}, HTTP_ACCEPT_LANGUAGE="en"))

    assert '<p class="field__error" role="alert">验证码为 6 位数字，请核对后重新输入。</p>' in chinese
    assert (
        '<p class="field__error" role="alert">The sign-in code has 6 digits. Please check it and enter it again.</p>'
        in english
    )
    assert "Ensure this value" not in english
    assert SignInCode.objects.get(phone=PHONE).failed_attempts == 0


def test_failed_sign_ins_on_the_page_are_throttled(client, sms_outbox, settings):
    settings.OTP_LOGIN_FAILURES_PER_PHONE = 2
    client.post("/sign-in/", {"phone": "13912345678"})
    wrong = wrong_code(sms_outbox)
    for _try in range(2):
        client.post("/sign-in/code/", {"phone": "x", "code": wrong})

    response = client.post("/sign-in/code/", {"phone": "x", "code": sms_outbox.last_code_for(PHONE)})

    assert response.status_code == 200
    assert "该手机号登录失败次数过多，请稍候再试（最多等待 60 分钟）。" in page_text(response)
    assert "_auth_user_id" not in client.session
    assert SignInCode.objects.get(phone=PHONE).failed_attempts == 2
