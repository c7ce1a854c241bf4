"""Real-name verification: legal names, the provider's three answers, retries and the daily limit."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from common.exceptions import DomainError
from members.enums import IdentityCheckOutcome
from members.exceptions import InvalidName
from members.models import Member, VerificationAttempt
from members.names import validate_real_name
from members.services import (
    ensure_role_groups,
    issue_access_token,
    reset_member_verification,
    update_member_profile,
    verify_member_identity,
)
from members.verification import IdentityCheckResult, IdentityProvider, LocalIdentityProvider
from tests.members.factories import MemberFactory, StaffFactory
from tests.members.test_member_api import make_id_number

VERIFY = "/api/v1/me/verification/"
# Before anything, is there a standing sensitive-data consent. First transaction: lock the member, is the number
# taken, count today's attempts, insert the attempt. Second: lock again, record the answer, the consent again (it may
# have been withdrawn while the provider answered), then the member's save (audit log reads the old row, writes its
# entry, updates) and the identity-verified domain event row. Plus the two transactions' and the inner save's
# savepoint and release statements (BEGIN/COMMIT outside a test).
QUERIES_PER_VERIFICATION = 18


class UnavailableProvider(IdentityProvider):
    """A provider in an outage: it answers, and the answer is that it cannot check."""

    name = "down"

    def check(self, *, real_name, id_number):
        return IdentityCheckResult(outcome=IdentityCheckOutcome.UNAVAILABLE, provider=self.name)


class BrokenProvider(IdentityProvider):
    """A provider that breaks its promise and raises (a timeout in its client library)."""

    name = "broken"

    def check(self, *, real_name, id_number):
        raise TimeoutError("read timed out")


def verify(client, body):
    return client.post(VERIFY, body, format="json", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张伟", "张伟"),
        (" 张 伟 ", "张伟"),
        ("欧阳\u3000娜娜", "欧阳娜娜"),
        ("买买提·艾力", "买买提·艾力"),
        ("买买提•艾力", "买买提·艾力"),  # bullet
        ("买买提・艾力", "买买提·艾力"),  # katakana middle dot, from Japanese input methods
        ("买买提･艾力", "买买提·艾力"),  # half-width katakana middle dot
        ("买买提.艾力", "买买提·艾力"),
        ("买买提．艾力", "买买提·艾力"),
        ("买买提‧艾力", "买买提·艾力"),  # hyphenation point, from Taiwanese input methods
        ("阿依古丽·买买提·吐尔逊", "阿依古丽·买买提·吐尔逊"),
        ("\U00020bb7野", "\U00020bb7野"),  # 𠮷, extension B
        ("王〇", "王〇"),
    ],
)
def test_legal_names_are_accepted_and_normalized(raw, expected):
    assert validate_real_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("Zhang", "Chinese characters"),
        ("Zhang Wei", "Chinese characters"),
        ("张Wei", "Chinese characters"),
        ("ｚｈａｎｇ", "Chinese characters"),
        ("김철수", "Chinese characters"),
        ("张伟1", "Chinese characters"),
        ("·张伟", "Chinese characters"),
        ("张伟·", "Chinese characters"),
        ("买买提··艾力", "Chinese characters"),
        ("张-伟", "Chinese characters"),
        ("张", "2 to 30 characters"),
        ("", "2 to 30 characters"),
        ("张" * 31, "2 to 30 characters"),
    ],
)
def test_names_that_cannot_be_a_mainland_legal_name_are_refused(raw, fragment):
    with pytest.raises(InvalidName) as error:
        validate_real_name(raw)
    assert fragment in str(error.value.message)


def test_local_provider_says_no_match_exactly_for_sequence_000():
    provider = LocalIdentityProvider()
    assert provider.check(real_name="王芳", id_number=make_id_number(sequence="000")).outcome == "no_match"
    for sequence in ("001", "999", "128"):
        assert provider.check(real_name="王芳", id_number=make_id_number(sequence=sequence)).outcome == "match"


def test_a_latin_name_against_a_chinese_id_number_is_400_invalid_name_and_nothing_is_recorded(member_client, member):
    response = verify(member_client, {"real_name": "Zhang", "id_number": make_id_number()})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_name"
    assert list(response.json()["fields"]) == ["real_name"]
    member.refresh_from_db()
    assert (member.verification_status, member.real_name, member.id_number_hash) == ("unverified", "", None)
    assert not VerificationAttempt.objects.exists()


def test_an_id_number_with_a_county_that_does_not_exist_is_400(member_client, member):
    first_17 = "11999919900307128"
    response = member_client.post(
        VERIFY, {"real_name": "王芳", "id_number": make_id_number(region="119999")}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_id_number"
    assert first_17 not in response.content.decode()
    assert not VerificationAttempt.objects.exists()


def test_a_name_with_a_look_alike_dot_is_stored_with_the_middle_dot(member_client, member):
    response = member_client.post(
        VERIFY, {"real_name": "买买提・艾力", "id_number": make_id_number(region="650102")}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["real_name"] == "买买提·艾力"
    member.refresh_from_db()
    assert member.real_name == "买买提\u00b7艾力"


def test_a_mismatch_is_recorded_and_a_retry_with_the_right_pair_verifies(member_client, member):
    wrong = make_id_number(sequence="000")
    response = verify(member_client, {"real_name": "张伟", "id_number": wrong})
    assert response.status_code == 400
    assert response.json() == {
        "code": "identity_mismatch",
        "detail": "The name and ID number do not belong together. Please check both and try again.",
    }
    assert wrong not in response.content.decode()
    member.refresh_from_db()
    assert (member.verification_status, member.real_name, member.id_number_hash) == ("failed", "", None)
    attempt = VerificationAttempt.objects.get()
    assert (attempt.member_id, attempt.outcome, attempt.id_number_masked, attempt.provider) == (
        member.pk, "no_match", wrong[:4] + "*" * 10 + wrong[-4:], "local"
    )  # fmt: skip
    admin_client = Client()
    admin_client.force_login(StaffFactory(role="admin", is_superuser=True))
    change_page = admin_client.get(f"/admin/members/member/{member.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert wrong[:4] + "*" * 10 + wrong[-4:] in change_page.content.decode()
    assert wrong not in change_page.content.decode()

    right = make_id_number(sequence="128")
    response = verify(member_client, {"real_name": "张伟", "id_number": right})
    assert response.status_code == 200
    assert response.json() == {
        "verification_status": "verified",
        "real_name": "张伟",
        "id_number": right[:4] + "*" * 10 + right[-4:],
    }
    member.refresh_from_db()
    assert (member.verification_status, member.real_name, member.id_number_encrypted) == ("verified", "张伟", right)
    assert list(VerificationAttempt.objects.order_by("pk").values_list("outcome", flat=True)) == ["no_match", "match"]


def test_the_daily_limit_answers_429_and_asks_the_provider_nothing(member_client, member, settings):
    settings.VERIFICATION_DAILY_ATTEMPTS = 2
    for _attempt in range(2):
        body = {"real_name": "张伟", "id_number": make_id_number(sequence="000")}
        assert verify(member_client, body).json()["code"] == "identity_mismatch"

    # Even the right pair waits until tomorrow: the limit is on checks, not on failures to come.
    response = verify(member_client, {"real_name": "张伟", "id_number": make_id_number()})
    assert response.status_code == 429
    assert response.json() == {
        "code": "too_many_requests",
        "detail": "Too many verification attempts today. Please try again tomorrow, or verify at a store.",
    }
    assert VerificationAttempt.objects.count() == 2
    member.refresh_from_db()
    assert (member.verification_status, member.id_number_hash) == ("failed", None)

    # Attempts of an earlier day no longer count.
    VerificationAttempt.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))
    response = verify(member_client, {"real_name": "张伟", "id_number": make_id_number()})
    assert response.status_code == 200
    assert response.json()["verification_status"] == "verified"


@pytest.mark.parametrize("provider", [UnavailableProvider, BrokenProvider])
def test_a_provider_that_cannot_check_is_503_and_does_not_use_up_an_attempt(member_client, member, settings, provider):
    settings.VERIFICATION_DAILY_ATTEMPTS = 1
    settings.IDENTITY_VERIFICATION_PROVIDER = f"{__name__}.{provider.__name__}"
    body = {"real_name": "张伟", "id_number": make_id_number()}
    for _attempt in range(2):
        response = verify(member_client, body)
        assert response.status_code == 503
        assert response.json()["code"] == "verification_unavailable"
    member.refresh_from_db()
    assert (member.verification_status, member.real_name, member.id_number_hash) == ("unverified", "", None)
    assert list(VerificationAttempt.objects.values_list("outcome", "provider")) == [("unavailable", provider.name)] * 2

    settings.IDENTITY_VERIFICATION_PROVIDER = "members.verification.LocalIdentityProvider"
    assert verify(member_client, body).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_cannot_pass_the_daily_limit(settings):
    settings.VERIFICATION_DAILY_ATTEMPTS = 1
    member = MemberFactory()
    barrier = threading.Barrier(2)
    codes = []

    def attempt(sequence):
        try:
            barrier.wait()
            verify_member_identity(member=member, real_name="张伟", id_number=make_id_number(sequence=sequence))
            codes.append("verified")
        except DomainError as error:
            codes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(sequence,)) for sequence in ("000", "000")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(codes) == ["identity_mismatch", "too_many_requests"]
    assert VerificationAttempt.objects.filter(member=member).count() == 1


def test_staff_see_the_verified_real_name_and_the_member_keeps_their_profile_name(client, member):
    update_member_profile(member=member, name="小张")
    verify_member_identity(member=member, real_name="张伟", id_number=make_id_number())
    member = Member.objects.get(pk=member.pk)
    assert (member.name, member.real_name, member.display_name, str(member)) == ("小张", "张伟", "张伟", "张伟")

    client.force_login(StaffFactory(role="call_center", is_superuser=True))
    changelist = client.get("/admin/members/member/").content.decode()
    assert "张伟" in changelist
    assert "小张" not in changelist

    client.force_login(member.user)
    page = client.get("/me/verification/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "张伟" in page
    assert "“小张” from your profile is only how we greet you." in page
    assert "Hello, 小张" in client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_unverified_member_is_shown_to_staff_by_profile_name(db):
    member = MemberFactory(name="小张", real_name="")
    assert (member.display_name, str(member)) == ("小张", "小张")


def test_the_member_api_shows_the_profile_name_beside_the_verified_real_name(api_client, member):
    verify_member_identity(member=member, real_name="张伟", id_number=make_id_number())
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=member.user)}")
    body = api_client.get("/api/v1/me/").json()
    assert (body["name"], body["real_name"], body["verification_status"]) == ("", "张伟", "verified")


def test_a_verification_costs_a_fixed_number_of_queries(member, django_assert_num_queries):
    with django_assert_num_queries(QUERIES_PER_VERIFICATION):
        verify_member_identity(member=member, real_name="张伟", id_number=make_id_number())
    member.refresh_from_db()
    assert member.verification_status == "verified"


def test_head_office_resets_a_wrong_verification_and_the_member_verifies_again(client, member_client, member):
    wrong_person = make_id_number(sequence="128")
    verify_member_identity(member=member, real_name="章伟", id_number=wrong_person)
    agent = StaffFactory(role="call_center")
    agent.groups.set([ensure_role_groups()["call_center"]])
    client.force_login(agent)
    changelist = client.get("/admin/members/member/").content.decode()
    assert "reset_verification" not in changelist
    with pytest.raises(DomainError) as error:
        reset_member_verification(member_id=member.pk, actor=agent)
    assert (error.value.code, error.value.status_code) == ("permission_denied", 403)
    member.refresh_from_db()
    assert (member.verification_status, member.real_name) == ("verified", "章伟")

    head_office = StaffFactory(role="head_office")
    head_office.groups.set([ensure_role_groups()["head_office"]])
    client.force_login(head_office)
    response = client.post("/admin/members/member/", {"action": "reset_verification", "_selected_action": [member.pk]})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.verification_status, member.real_name, member.id_number_hash, member.id_number_masked) == (
        "unverified", "", None, ""
    )  # fmt: skip
    assert member.id_number_encrypted == ""

    response = verify(member_client, {"real_name": "张伟", "id_number": make_id_number(sequence="129")})
    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.verification_status, member.real_name) == ("verified", "张伟")
