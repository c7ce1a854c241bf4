"""What a member can see and download about themselves, and closing the account (API.md "The member")."""

import datetime
import json
import pathlib

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from members.id_numbers import check_character
from members.models import AccessToken, Consent, Member, Qualification, SignInCode, User
from members.personal_data import purge_expired_retained_identities
from members.services import issue_access_token, save_member_qualification, verify_member_identity
from notifications.models import Notification
from notifications.services import queue_notification
from orders.enums import DocumentKind, OrderState
from orders.models import Installment, Loan, Order, OrderDocument
from points.services import earn_points
from tests.members.factories import MemberFactory, unverified

pytestmark = pytest.mark.django_db

ID_FIRST_17 = "44010619900307128"
ID_NUMBER = ID_FIRST_17 + check_character(ID_FIRST_17)
MASKED = ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]


def _client_for(member, api_client):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=member.user)}")
    return api_client


def _fill(member, *, name="王芳", id_first_17=ID_FIRST_17, message_key: str = "hello") -> Member:
    """A member with something in every part: profile, verified identity, qualification, points, a message."""
    birthday = datetime.date(int(id_first_17[6:10]), int(id_first_17[10:12]), int(id_first_17[12:14]))
    Member.objects.filter(pk=member.pk).update(
        name=name, gender="female", birthday=birthday, email="wang@example.com", city="广州"
    )
    member = unverified(member)  # the cast's applicant comes verified by the factory, without a real number
    verify_member_identity(member=member, real_name=name, id_number=id_first_17 + check_character(id_first_17))
    save_member_qualification(
        member=member, employment="employed", employer_name="某科技有限公司", monthly_income_band="10k_20k",
        years_at_job=3, has_driving_licence=True, marital_status="married",
    )  # fmt: skip
    earn_points(member_id=member.pk, event="registration", idempotency_key=f"registration:{member.pk}")
    queue_notification(
        recipient_id=member.user_id, event="test.hello", subject="欢迎", body="王芳，欢迎加入会员中心",
        dedupe_key=f"{message_key}:{member.pk}",
    )  # fmt: skip
    member.refresh_from_db()
    return member


# My data ---------------------------------------------------------------------------------------------------------


def test_my_data_holds_everything_about_the_member_with_the_id_number_masked(cast, api_client):
    member = _fill(cast.member)
    order = cast.new_order()
    other = _fill(
        MemberFactory(user__phone="+8613955556666"), name="李雷", id_first_17="11010519850612123", message_key="other"
    )
    client = _client_for(member, api_client)

    response = client.get("/api/v1/me/data/")

    assert response.status_code == 200
    data = response.json()
    assert data["profile"] == {
        "phone": str(member.user.phone),
        "name": "王芳",
        "gender": "female",
        "birthday": "1990-03-07",
        "email": "wang@example.com",
        "city": "广州",
        "preferred_store": "SZ01",
        "invite_code": member.invite_code,
        "invited_by": None,
        "tier": "normal",
        "channel": "online",
        "registered_at": member.created_at.isoformat(),
    }
    assert data["identity"] == {
        "verification_status": "verified",
        "real_name": "王芳",
        "id_number": MASKED,
        "verified_at": member.verified_at.isoformat(),
    }
    assert data["qualification"]["monthly_income_band"] == "10k_20k"
    assert data["qualification"]["employer_name"] == "某科技有限公司"
    assert [(row["kind"], row["version"], row["withdrawn_at"]) for row in data["consents"]] == [
        ("user_agreement", "2026-01", None),
        ("privacy_policy", "2026-01", None),
        ("sensitive_personal_info", "2026-01", None),
    ]
    assert [(row["number"], row["state"], row["loan"]) for row in data["orders"]] == [(order.number, "draft", None)]
    assert data["cars"] == []
    assert data["points"]["balance"] == 100
    assert [(row["kind"], row["points"]) for row in data["points"]["entries"]] == [("earn", 100)]
    assert [(row["subject"], row["body"]) for row in data["messages"]] == [
        ("欢迎", "王芳，欢迎加入会员中心"),
        ("您获得了 100 积分", "注册会员：+100 积分，当前余额 100 积分。"),
    ]
    text = response.content.decode()
    assert ID_NUMBER not in text
    assert "李雷" not in text
    assert "+8613955556666" not in text
    assert other.invite_code not in text


def test_my_data_costs_a_fixed_number_of_queries(cast, api_client, django_assert_num_queries):
    member = _fill(cast.member)
    order = cast.new_order()
    client = _client_for(member, api_client)
    client.get("/api/v1/me/data/")  # warm-up: content types, sessions

    # token, member, consents, qualification, orders with their loans, cars, points (2) and coupons, messages
    with django_assert_num_queries(11):
        response = client.get("/api/v1/me/data/")

    assert [row["number"] for row in response.json()["orders"]] == [order.number]


def test_my_data_needs_a_member(api_client, cast):
    assert api_client.get("/api/v1/me/data/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=cast.store_staff)}")
    assert api_client.get("/api/v1/me/data/").status_code == 403


def test_the_my_data_page_shows_the_data_masked_and_downloads_it_as_json(client, member, api_client):
    member = _fill(member)
    client.force_login(member.user)

    page = client.get("/me/data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert MASKED in page
    assert ID_NUMBER not in page
    assert 'href="/me/data/download/"' in page
    assert 'href="/me/close/"' in page
    response = client.get("/me/data/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    downloaded = json.loads(response.content)
    assert downloaded == _client_for(member, api_client).get("/api/v1/me/data/").json()
    assert ID_NUMBER not in response.content.decode()


# Closing the account ---------------------------------------------------------------------------------------------


def test_closing_erases_personal_data_ends_every_token_and_session_and_frees_the_phone(
    member, api_client, client, sms_outbox, django_capture_on_commit_callbacks
):
    member = _fill(member)
    phone = str(member.user.phone)
    SignInCode.objects.create(phone=phone, code_hash="x", expires_at=timezone.now(), status="consumed")
    client.force_login(member.user)
    second_token = issue_access_token(user=member.user)
    api = _client_for(member, api_client)
    assert LogEntry.objects.get_for_object(member).exists()

    response = api.delete("/api/v1/me/")

    assert response.status_code == 204
    assert api.get("/api/v1/me/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {second_token}")
    assert api.get("/api/v1/me/").status_code == 401
    assert client.get("/me/")["Location"] == "/sign-in/?next=/me/"
    member.refresh_from_db()
    user = User.objects.get(pk=member.user_id)
    assert (user.phone, user.username, user.email, user.is_active, user.has_usable_password()) == (
        None, f"closed-member-{user.pk}", "", False, False,
    )  # fmt: skip
    assert (member.name, member.gender, member.birthday, member.email, member.city, member.preferred_store) == (
        "", "", None, "", "", None,
    )  # fmt: skip
    assert (member.real_name, member.id_number_encrypted, member.id_number_masked, member.id_number_hash) == (
        "", "", "", None,
    )  # fmt: skip
    assert member.verification_status == "unverified"
    assert member.closed_at is not None
    assert member.retained_identity == ""  # no loan: nothing to keep
    assert member.retained_until is None
    assert AccessToken.objects.filter(user=user).count() == 0
    assert Qualification.objects.filter(member=member).count() == 0
    assert Notification.objects.filter(recipient=user).count() == 0
    assert SignInCode.objects.filter(phone=phone).count() == 0
    assert not LogEntry.objects.get_for_object(member).exists()
    assert not LogEntry.objects.get_for_object(user).exists()
    consents = Consent.objects.filter(member=member)
    assert consents.count() == 3
    assert list(
        consents.filter(withdrawn_at__isnull=False).values_list("ip_address", "user_agent").order_by().distinct()
    ) == [(None, "")]

    # The phone can sign up again, as a new member.
    api.credentials()
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/auth/otp/", {"phone": phone}, format="json")
    answer = api.post(
        "/api/v1/auth/login/",
        {"phone": phone, "code": sms_outbox.last_code_for(phone), "accept_terms": True},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["created"] is True
    assert Member.objects.get(user__phone=phone).pk != member.pk


def test_an_active_application_keeps_the_account_open_and_changes_nothing(cast, api_client):
    member = _fill(cast.member)
    order = cast.new_order()
    api = _client_for(member, api_client)
    before = Member.objects.filter(pk=member.pk).values().get()
    messages_before = Notification.objects.filter(recipient_id=member.user_id).count()
    consents_before = list(Consent.objects.filter(member=member).values())

    response = api.delete("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert response.json() == {
        "code": "account_has_obligations",
        "detail": "Your account cannot be closed while an application is in progress or a loan is not fully repaid.",
    }
    assert Member.objects.filter(pk=member.pk).values().get() == before
    assert User.objects.get(pk=member.user_id).phone == member.user.phone
    assert api.get("/api/v1/me/").status_code == 200  # the token still works
    assert Qualification.objects.filter(member=member).count() == 1
    assert Notification.objects.filter(recipient_id=member.user_id).count() == messages_before > 0
    assert list(Consent.objects.filter(member=member).values()) == consents_before
    assert Order.objects.get(pk=order.pk).state == OrderState.DRAFT


def test_an_unpaid_loan_keeps_the_account_open(cast, api_client):
    member = _fill(cast.member)
    cast.advance(cast.new_order(), OrderState.DELIVERED)
    api = _client_for(member, api_client)
    Installment.objects.filter(loan__order__member=member).exclude(number=1).update(
        status="paid", paid_at=timezone.now()
    )

    response = api.delete("/api/v1/me/")

    assert response.status_code == 409
    assert response.json()["code"] == "account_has_obligations"
    member.refresh_from_db()
    assert (member.closed_at, member.name, member.id_number_masked) == (None, "王芳", MASKED)


def test_a_repaid_borrower_closes_with_loan_records_kept_and_identity_kept_encrypted(cast, api_client, settings):
    member = _fill(cast.member)
    phone = str(member.user.phone)
    order = cast.advance(cast.new_order(), OrderState.DELIVERED)
    Installment.objects.filter(loan__order=order).update(status="paid", paid_at=timezone.now())
    documents_before = OrderDocument.objects.filter(order=order).count()

    response = _client_for(member, api_client).delete("/api/v1/me/")

    assert response.status_code == 204
    member.refresh_from_db()
    assert json.loads(member.retained_identity) == {"real_name": "王芳", "id_number": ID_NUMBER, "phone": phone}
    years = settings.CLOSED_ACCOUNT_IDENTITY_RETENTION_YEARS
    assert member.retained_until == timezone.localdate() + datetime.timedelta(days=365 * years + years // 4)
    assert member.real_name == ""
    # Loan and accounting records stay, pointing at the anonymised member.
    assert Order.objects.get(pk=order.pk).member_id == member.pk
    assert Loan.objects.filter(order=order).count() == 1
    assert OrderDocument.objects.filter(order=order).count() == documents_before > 0
    # Kept encrypted: the column holds no readable name or number.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT retained_identity FROM members_member WHERE id = %s", [member.pk])
        raw = cursor.fetchone()[0]
    assert ID_NUMBER not in raw
    assert "王芳" not in raw


def test_documents_of_an_application_that_never_became_a_loan_are_erased(
    cast, api_client, django_capture_on_commit_callbacks
):
    member = cast.member
    order = cast.new_order()
    document = cast.upload(order, DocumentKind.ID_FRONT)
    stored = pathlib.Path(document.file.path)
    order = cast.advance(order, OrderState.SUBMITTED)
    cast.step(order, "cancel", cast.member_user, reason="换车型")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _client_for(member, api_client).delete("/api/v1/me/").status_code == 204
    assert OrderDocument.objects.filter(order=order).count() == 0
    assert stored.exists()  # the file goes only once the closing has committed
    for callback in callbacks:
        callback()

    assert not stored.exists()
    assert Order.objects.get(pk=order.pk).state == OrderState.TERMINATED


def test_the_close_page_states_what_is_kept_and_needs_a_confirmation(client, member):
    client.force_login(member.user)
    page = client.get("/me/close/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "kept encrypted for 5 years" in page
    assert "accounting" in page

    refused = client.post("/me/close/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert "Please confirm that you want to close your account." in refused.content.decode()
    assert Member.objects.get(pk=member.pk).closed_at is None

    response = client.post("/me/close/", {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert Member.objects.get(pk=member.pk).closed_at is not None
    assert client.get("/me/")["Location"] == "/sign-in/?next=/me/"


def test_the_close_page_explains_the_refusal_with_an_active_application(client, cast):
    cast.new_order()
    client.force_login(cast.member_user)
    response = client.post("/me/close/", {"confirm": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "cannot be closed while an application is in progress" in response.content.decode()
    assert Member.objects.get(pk=cast.member.pk).closed_at is None


def test_a_kept_identity_is_erased_the_day_after_its_retention_ends(cast, api_client):
    member = _fill(cast.member)
    order = cast.advance(cast.new_order(), OrderState.DELIVERED)
    Installment.objects.filter(loan__order=order).update(status="paid", paid_at=timezone.now())
    other = _fill(MemberFactory(), name="李雷", id_first_17="11010519850612123", message_key="other")
    assert _client_for(member, api_client).delete("/api/v1/me/").status_code == 204
    member.refresh_from_db()
    last_day = member.retained_until

    assert purge_expired_retained_identities(today=last_day) == 0
    member.refresh_from_db()
    assert json.loads(member.retained_identity)["id_number"] == ID_NUMBER

    assert purge_expired_retained_identities(today=last_day + datetime.timedelta(days=1)) == 1
    member.refresh_from_db()
    assert (member.retained_identity, member.retained_until) == ("", None)
    other.refresh_from_db()
    assert other.id_number_encrypted == "11010519850612123" + check_character("11010519850612123")
