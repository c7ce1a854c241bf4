"""Consents (PIPL): the user agreement and privacy policy at sign-up and again on a new version, the separate
consent before sensitive personal information is taken, and withdrawal."""

import pytest

from members.id_numbers import check_character
from members.models import Consent, Member, Qualification, SignInCode, User
from members.services import issue_access_token
from tests.members.factories import MemberFactory

# transaction=True: the code SMS leaves on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+8613912345678"
ID_FIRST_17 = "44010619900307128"
ID_NUMBER = ID_FIRST_17 + check_character(ID_FIRST_17)
QUALIFICATION = {
    "employment": "employed",
    "employer_name": "某科技有限公司",
    "monthly_income_band": "10k_20k",
    "years_at_job": 3,
    "has_driving_licence": True,
    "marital_status": "single",
}


def _code_for(api_client, sms_outbox, phone="13912345678") -> str:
    assert api_client.post("/api/v1/auth/otp/", {"phone": phone}, format="json").status_code == 202
    return sms_outbox.last_code_for(f"+86{phone}")


def _login(api_client, code, **body):
    return api_client.post(
        "/api/v1/auth/login/",
        {"phone": "13912345678", "code": code, **body},
        format="json",
        HTTP_USER_AGENT="MemberApp/3.1 (Android 14)",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _client_for(member, api_client):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=member.user)}")
    return api_client


def _consents(member) -> list[tuple[str, str, bool]]:
    rows = Consent.objects.filter(member=member).order_by("pk").values_list("kind", "version", "withdrawn_at")
    return [(kind, version, withdrawn_at is None) for kind, version, withdrawn_at in rows]


# Sign-up ---------------------------------------------------------------------------------------------------------


def test_sign_up_without_accepting_the_terms_is_refused_creates_nothing_and_keeps_the_code(api_client, sms_outbox):
    code = _code_for(api_client, sms_outbox)

    response = _login(api_client, code)

    assert response.status_code == 400
    assert response.json() == {
        "code": "consent_required",
        "detail": "Please read and agree to the User Agreement and the Privacy Policy to create your account.",
        "fields": {
            "accept_terms": [
                "Please read and agree to the User Agreement and the Privacy Policy to create your account."
            ]
        },
    }
    assert not User.objects.filter(phone=PHONE).exists()
    assert Member.objects.count() == 0
    assert Consent.objects.count() == 0
    assert SignInCode.objects.get(phone=PHONE).status == "active"  # the code stays usable

    response = _login(api_client, code, accept_terms=False)
    assert response.status_code == 400
    assert Member.objects.count() == 0


def test_sign_up_with_the_terms_records_both_policies_with_version_time_address_and_client(
    api_client, sms_outbox, settings
):
    settings.POLICY_VERSIONS = {**settings.POLICY_VERSIONS, "privacy_policy": "2026-03"}
    code = _code_for(api_client, sms_outbox)

    response = _login(api_client, code, accept_terms=True)

    assert response.status_code == 200
    body = response.json()
    assert body["created"] is True
    assert body["consents_required"] == []
    assert body["member"]["consents_required"] == []
    member = Member.objects.get(user__phone=PHONE)
    rows = list(Consent.objects.filter(member=member).order_by("kind"))
    assert [(row.kind, row.version, row.ip_address, row.user_agent, row.channel) for row in rows] == [
        ("privacy_policy", "2026-03", "127.0.0.1", "MemberApp/3.1 (Android 14)", "api"),
        ("user_agreement", "2026-01", "127.0.0.1", "MemberApp/3.1 (Android 14)", "api"),
    ]
    assert all(row.withdrawn_at is None and row.granted_at is not None for row in rows)
    # Sign-up does not include the sensitive-data consent: it is asked separately.
    assert not Consent.objects.filter(member=member, kind="sensitive_personal_info").exists()


def test_the_code_page_needs_the_checkbox_to_sign_up_and_then_records_it(client, sms_outbox):
    client.post("/sign-in/", {"phone": "13912345678"})
    code = sms_outbox.last_code_for(PHONE)

    response = client.post("/sign-in/code/", {"phone": "x", "code": code}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Please read and agree to the User Agreement and the Privacy Policy" in response.content.decode()
    assert 'id="id_accept_terms"' in response.content.decode()
    assert Member.objects.count() == 0

    response = client.post(
        "/sign-in/code/", {"phone": "x", "code": code, "accept_terms": "on"}, HTTP_USER_AGENT="Firefox/140"
    )

    assert response.status_code == 302
    assert response["Location"] == "/me/profile/"
    member = Member.objects.get(user__phone=PHONE)
    assert sorted(Consent.objects.filter(member=member).values_list("kind", "channel", "user_agent")) == [
        ("privacy_policy", "web", "Firefox/140"),
        ("user_agreement", "web", "Firefox/140"),
    ]


# A new version asks again ----------------------------------------------------------------------------------------


def test_a_new_policy_version_is_asked_at_the_next_api_sign_in_and_accepted_through_me_consents(
    api_client, sms_outbox, settings
):
    member = MemberFactory(user__phone=PHONE)
    settings.POLICY_VERSIONS = {**settings.POLICY_VERSIONS, "privacy_policy": "2026-07"}

    response = _login(api_client, _code_for(api_client, sms_outbox))

    assert response.status_code == 200
    assert response.json()["created"] is False
    assert response.json()["consents_required"] == ["privacy_policy"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert api_client.get("/api/v1/me/").json()["consents_required"] == ["privacy_policy"]

    response = api_client.post("/api/v1/me/consents/", {"kinds": ["privacy_policy"]}, format="json")

    assert response.status_code == 200
    assert response.json()["consents_required"] == []
    assert response.json()["current_versions"]["privacy_policy"] == "2026-07"
    assert api_client.get("/api/v1/me/").json()["consents_required"] == []
    # The old agreement stays in the history; the new version is a row of its own.
    assert sorted(row for row in _consents(member) if row[0] == "privacy_policy") == [
        ("privacy_policy", "2026-01", True),
        ("privacy_policy", "2026-07", True),
    ]
    # Agreeing again changes nothing.
    api_client.post("/api/v1/me/consents/", {"kinds": ["privacy_policy"]}, format="json")
    assert Consent.objects.filter(member=member, kind="privacy_policy").count() == 2


def test_accepting_at_sign_in_answers_the_new_version_too(api_client, sms_outbox, settings):
    member = MemberFactory(user__phone=PHONE)
    settings.POLICY_VERSIONS = {**settings.POLICY_VERSIONS, "user_agreement": "2027-01"}

    response = _login(api_client, _code_for(api_client, sms_outbox), accept_terms=True)

    assert response.json()["consents_required"] == []
    assert Consent.objects.filter(member=member, kind="user_agreement", version="2027-01").count() == 1


def test_a_new_policy_version_is_asked_on_the_page_after_sign_in(client, sms_outbox, settings):
    member = MemberFactory(user__phone=PHONE)
    settings.POLICY_VERSIONS = {**settings.POLICY_VERSIONS, "user_agreement": "2026-09"}
    client.get("/sign-in/?next=/points/")
    client.post("/sign-in/", {"phone": "13912345678"})

    response = client.post("/sign-in/code/", {"phone": "x", "code": sms_outbox.last_code_for(PHONE)})

    assert response.status_code == 302
    assert response["Location"] == "/me/policies/?next=%2Fpoints%2F"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/policies/user_agreement/"' in page
    assert "version 2026-09" in page

    refused = client.post("/me/policies/?next=/points/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert "Please tick the box to agree." in refused.content.decode()
    assert not Consent.objects.filter(member=member, version="2026-09").exists()

    response = client.post("/me/policies/?next=/points/", {"accept": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/points/"
    assert Consent.objects.filter(member=member, kind="user_agreement", version="2026-09").count() == 1
    assert client.get("/me/policies/")["Location"] == "/me/"


def test_policy_pages_show_the_current_version_in_both_languages(client, settings):
    settings.POLICY_VERSIONS = {**settings.POLICY_VERSIONS, "sensitive_personal_info": "2026-05"}
    chinese = client.get("/policies/sensitive_personal_info/").content.decode()
    english = client.get("/policies/sensitive_personal_info/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "单独同意" in chinese
    assert "2026-05" in chinese
    assert "separate consent" in english
    assert "2026-05" in english
    assert client.get("/policies/nothing/").status_code == 404


# Sensitive personal information -----------------------------------------------------------------------------------


@pytest.fixture
def member_without_sensitive_consent(db):
    return MemberFactory(consents=["user_agreement", "privacy_policy"], birthday=None)


def test_verification_without_the_sensitive_consent_is_refused_and_stores_nothing(
    api_client, member_without_sensitive_consent
):
    member = member_without_sensitive_consent
    client = _client_for(member, api_client)

    response = client.post(
        "/api/v1/me/verification/", {"real_name": "王芳", "id_number": ID_NUMBER}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip

    assert response.status_code == 400
    assert response.json()["code"] == "consent_required"
    assert response.json()["fields"] == {"accept_sensitive_data": [response.json()["detail"]]}
    member.refresh_from_db()
    assert (member.verification_status, member.real_name, member.id_number_hash, member.id_number_masked) == (
        "unverified", "", None, "",
    )  # fmt: skip
    assert member.id_number_encrypted == ""
    assert member.birthday is None
    assert not Consent.objects.filter(member=member, kind="sensitive_personal_info").exists()


def test_verification_with_the_sensitive_consent_records_it_and_verifies(api_client, member_without_sensitive_consent):
    member = member_without_sensitive_consent
    client = _client_for(member, api_client)

    response = client.post(
        "/api/v1/me/verification/",
        {"real_name": "王芳", "id_number": ID_NUMBER, "accept_sensitive_data": True},
        format="json",
        HTTP_USER_AGENT="MemberApp/3.1",
    )

    assert response.status_code == 200
    assert response.json() == {
        "verification_status": "verified",
        "real_name": "王芳",
        "id_number": ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:],
    }
    consent = Consent.objects.get(member=member, kind="sensitive_personal_info")
    assert (consent.version, consent.channel, consent.user_agent, consent.withdrawn_at) == (
        "2026-01", "api", "MemberApp/3.1", None,
    )  # fmt: skip


def test_qualification_without_the_sensitive_consent_is_refused_and_stores_nothing(
    api_client, member_without_sensitive_consent
):
    client = _client_for(member_without_sensitive_consent, api_client)

    response = client.put("/api/v1/me/qualification/", QUALIFICATION, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "consent_required"
    assert Qualification.objects.count() == 0

    response = client.put("/api/v1/me/qualification/", {**QUALIFICATION, "accept_sensitive_data": True}, format="json")

    assert response.status_code == 200
    assert "accept_sensitive_data" not in response.json()
    assert Qualification.objects.get().monthly_income_band == "10k_20k"


def test_the_verification_page_asks_the_separate_consent_and_stores_nothing_without_it(
    client, member_without_sensitive_consent
):
    member = member_without_sensitive_consent
    client.force_login(member.user)
    page = client.get("/me/verification/").content.decode()
    assert 'id="id_accept_sensitive_data"' in page
    assert 'href="/policies/sensitive_personal_info/"' in page

    response = client.post("/me/verification/", {"real_name": "王芳", "id_number": ID_NUMBER})

    assert response.status_code == 200
    assert 'id="id_accept_sensitive_data"' in response.content.decode()
    assert "field--error" in response.content.decode()
    member.refresh_from_db()
    assert (member.verification_status, member.id_number_hash) == ("unverified", None)

    response = client.post(
        "/me/verification/", {"real_name": "王芳", "id_number": ID_NUMBER, "accept_sensitive_data": "on"}
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.verification_status == "verified"
    assert Consent.objects.get(member=member, kind="sensitive_personal_info").channel == "web"


def test_the_qualification_page_stores_nothing_without_the_separate_consent(client, member_without_sensitive_consent):
    client.force_login(member_without_sensitive_consent.user)
    form = {**QUALIFICATION, "has_driving_licence": "yes"}

    response = client.post("/me/qualification/", form)

    assert response.status_code == 200
    assert Qualification.objects.count() == 0
    response = client.post("/me/qualification/", {**form, "accept_sensitive_data": "on"})
    assert response.status_code == 302
    assert Qualification.objects.count() == 1


def test_a_new_version_of_the_sensitive_consent_is_asked_before_more_sensitive_data(api_client, member, settings):
    settings.POLICY_VERSIONS = {**settings.POLICY_VERSIONS, "sensitive_personal_info": "2026-08"}
    client = _client_for(member, api_client)

    response = client.put("/api/v1/me/qualification/", QUALIFICATION, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "consent_required"
    assert Qualification.objects.count() == 0


# Withdrawal ------------------------------------------------------------------------------------------------------


def test_withdrawing_the_sensitive_consent_keeps_the_verification_and_takes_no_new_sensitive_data(api_client, member):
    client = _client_for(member, api_client)
    assert (
        client.post(
            "/api/v1/me/verification/", {"real_name": "王芳", "id_number": ID_NUMBER}, format="json"
        ).status_code
        == 200
    )

    response = client.post("/api/v1/me/consents/sensitive_personal_info/withdraw/")

    assert response.status_code == 200
    withdrawn = [row for row in response.json()["consents"] if row["kind"] == "sensitive_personal_info"]
    assert len(withdrawn) == 1
    assert withdrawn[0]["withdrawn_at"] is not None
    member.refresh_from_db()
    assert member.verification_status == "verified"
    assert member.id_number_encrypted == ID_NUMBER
    response = client.put("/api/v1/me/qualification/", QUALIFICATION, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "consent_required"
    assert Qualification.objects.count() == 0


def test_the_sign_up_policies_cannot_be_withdrawn_on_their_own(api_client, member):
    client = _client_for(member, api_client)
    before = _consents(member)

    response = client.post("/api/v1/me/consents/privacy_policy/withdraw/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {
        "code": "consent_not_withdrawable",
        "detail": "The User Agreement and the Privacy Policy are needed to keep an account. To withdraw them, "
        "close your account.",
    }
    assert _consents(member) == before
    assert client.post("/api/v1/me/consents/nothing/withdraw/").status_code == 404


def test_the_my_data_page_withdraws_the_sensitive_consent(client, member):
    client.force_login(member.user)
    page = client.get("/me/data/").content.decode()
    assert 'action="/me/consents/sensitive_personal_info/withdraw/"' in page
    assert 'action="/me/consents/privacy_policy/withdraw/"' not in page

    response = client.post("/me/consents/sensitive_personal_info/withdraw/")

    assert response.status_code == 302
    assert response["Location"] == "/me/data/"
    assert Consent.objects.get(member=member, kind="sensitive_personal_info").withdrawn_at is not None
    assert Consent.objects.filter(member=member, withdrawn_at__isnull=True).count() == 2
