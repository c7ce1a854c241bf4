"""Member-center pages through Django's test client: flow, errors next to fields, scoping, query counts."""

import datetime

import pytest
from django.urls import reverse

from members.id_numbers import check_character
from members.models import Member
from tests.members.factories import MemberFactory, StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in_client(client, member):
    client.force_login(member.user)
    return client


def test_landing_page_renders_in_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_landing_page_in_english_when_the_browser_asks(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in response.content.decode()


def test_sign_in_flow_creates_a_member_and_signs_them_in(client, sms_outbox):
    response = client.post("/sign-in/", {"phone": "13912345678"})
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/code/"
    code = sms_outbox.last_code_for("+8613912345678")

    page = client.get("/sign-in/code/")
    assert "139****5678" in page.content.decode()
    assert 'id="resend-button"' in page.content.decode()
    response = client.post("/sign-in/code/", {"phone": "ignored", "code": code, "accept_terms": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/me/profile/"
    member = Member.objects.get(user__phone="+8613912345678")
    assert client.session["_auth_user_id"] == str(member.user.pk)


def test_wrong_code_shows_the_error_next_to_the_field(client, sms_outbox):
    client.post("/sign-in/", {"phone": "13912345678"})
    right = sms_outbox.last_code_for("+8613912345678")
    wrong = "111111" if right != "111111" else "222222"
    response = client.post("/sign-in/code/", {"phone": "x", "code": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert response.status_code == 200
    assert 'class="field field--error"' in content
    assert "The code is wrong or has expired" in content
    assert "_auth_user_id" not in client.session


def test_malformed_phone_shows_the_error_next_to_the_field(client, sms_outbox):
    response = client.post("/sign-in/", {"phone": "12345"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Please enter a valid mobile phone number." in response.content.decode()
    assert sms_outbox.messages == []


def test_invite_link_prefills_the_invite_code(client, sms_outbox):
    referrer = MemberFactory(invite_code="ABCD2345")
    client.get("/sign-in/?invite=ABCD2345")
    client.post("/sign-in/", {"phone": "13912345678"})
    page = client.get("/sign-in/code/").content.decode()
    assert 'value="ABCD2345"' in page
    client.post(
        "/sign-in/code/",
        {
            "phone": "x",
            "code": sms_outbox.last_code_for("+8613912345678"),
            "invite_code": "ABCD2345",
            "accept_terms": "on",
        },
    )
    assert Member.objects.get(user__phone="+8613912345678").referred_by == referrer


def test_member_pages_need_sign_in(client):
    for name in ("dashboard", "profile", "verification", "qualification", "invite"):
        response = client.get(reverse(f"members:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")


def test_dashboard_runs_at_most_ten_queries(signed_in_client, member, django_assert_max_num_queries):
    for number in range(5):
        MemberFactory(referred_by=member, user__phone=f"+86139111100{number:02d}")
    with django_assert_max_num_queries(10):
        response = signed_in_client.get("/me/")
    assert response.status_code == 200


def test_profile_page_saves_and_completes_the_profile(signed_in_client, member):
    store = StoreFactory()
    response = signed_in_client.post(
        "/me/profile/",
        {
            "name": "张伟",
            "gender": "male",
            "birthday": "1988-05-20",
            "email": "",
            "city": "深圳",
            "preferred_store": store.pk,
        },  # fmt: skip
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_profile_completed
    dashboard = signed_in_client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hello, 张伟" in dashboard


def test_profile_page_shows_field_errors(signed_in_client, member):
    response = signed_in_client.post("/me/profile/", {"email": "nope", "birthday": "1988-13-40"})
    assert response.status_code == 200
    assert response.content.decode().count("field__error") == 2
    member.refresh_from_db()
    assert member.email == ""


def test_verification_page_masks_the_id_number(signed_in_client, member):
    first_17 = "44010619900307128"
    id_number = first_17 + check_character(first_17)
    response = signed_in_client.post("/me/verification/", {"real_name": "王芳", "id_number": id_number}, follow=True)
    assert response.status_code == 200
    page = signed_in_client.get("/me/verification/").content.decode()
    assert f"{id_number[:4]}**********{id_number[-4:]}" in page
    assert id_number not in page


def test_verification_page_shows_bad_id_number_next_to_the_field(signed_in_client, member):
    response = signed_in_client.post(
        "/me/verification/", {"real_name": "王芳", "id_number": "440106199003071281"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "field--error" in response.content.decode()
    member.refresh_from_db()
    assert member.verification_status == "unverified"


def test_qualification_page_saves(signed_in_client, member):
    response = signed_in_client.post(
        "/me/qualification/",
        {
            "employment": "employed",
            "employer_name": "某公司",
            "monthly_income_band": "5k_10k",
            "years_at_job": "2",
            "has_driving_licence": "yes",
            "marital_status": "single",
        },  # fmt: skip
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.qualification.has_driving_licence is True
    assert member.qualification.employer_name == "某公司"


def test_invite_page_shows_code_link_and_invitees(signed_in_client, member):
    MemberFactory(referred_by=member, user__phone="+8613911112222")
    page = signed_in_client.get("/me/invite/").content.decode()
    assert member.invite_code in page
    assert f"/sign-in/?invite={member.invite_code}" in page
    assert "139****2222" in page


def test_sign_out_needs_post(signed_in_client):
    assert signed_in_client.get("/sign-out/").status_code == 405
    assert signed_in_client.post("/sign-out/").status_code == 302
    assert "_auth_user_id" not in signed_in_client.session


def test_language_switch_sets_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert '<html lang="en">' in response.content.decode()
    assert ">中文<" in response.content.decode()


def test_birthday_before_and_after_verification(signed_in_client, member):
    member.birthday = datetime.date(1990, 3, 7)
    member.save()
    assert signed_in_client.get("/me/profile/").status_code == 200
