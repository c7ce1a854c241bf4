"""A full ID number is shown to staff only as an explicit step with a reason, and every view is logged."""

import pytest

from members.id_numbers import check_character
from members.models import IdNumberView
from members.services import verify_member_identity
from tests.members.factories import unverified

pytestmark = pytest.mark.django_db

ID_FIRST_17 = "44010619900307128"
ID_NUMBER = ID_FIRST_17 + check_character(ID_FIRST_17)
MASKED = ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]


@pytest.fixture
def verified(cast):
    verify_member_identity(member=unverified(cast.member), real_name="王芳", id_number=ID_NUMBER)
    return cast.member


def _url(member) -> str:
    return f"/admin/members/member/{member.pk}/full-id-number/"


def test_the_member_page_shows_the_masked_number_and_a_button_never_the_full_number(client, cast, verified):
    client.force_login(cast.head_office)
    page = client.get(f"/admin/members/member/{verified.pk}/change/").content.decode()
    assert MASKED in page
    assert f'href="{_url(verified)}"' in page
    assert ID_NUMBER not in page


def test_seeing_the_full_number_asks_a_reason_logs_who_when_whose_and_why(client, cast, verified):
    client.force_login(cast.reviewer)
    form = client.get(_url(verified))
    assert form.status_code == 200
    assert ID_NUMBER not in form.content.decode()
    assert IdNumberView.objects.count() == 0

    response = client.post(_url(verified), {"reason": "核对申请 MC0042 的合同"}, REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    assert f'<strong id="full-id-number">{ID_NUMBER}</strong>' in response.content.decode()
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    view = IdNumberView.objects.get()
    assert (view.staff, view.member, view.reason, view.ip_address) == (
        cast.reviewer, verified, "核对申请 MC0042 的合同", "10.1.2.3",
    )  # fmt: skip
    assert view.viewed_at is not None


def test_without_a_reason_nothing_is_shown_or_logged(client, cast, verified):
    client.force_login(cast.head_office)
    for reason in ("", "   ", "ok"):
        response = client.post(_url(verified), {"reason": reason}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert ID_NUMBER not in response.content.decode()
    assert "Please say why you need to see the full ID number." in response.content.decode()
    assert IdNumberView.objects.count() == 0


def test_a_role_that_does_not_need_the_full_number_never_sees_it(client, cast, verified):
    client.force_login(cast.call_center)
    response = client.post(_url(verified), {"reason": "客户来电核对身份"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Your role may not see full ID numbers." in response.content.decode()
    assert ID_NUMBER not in response.content.decode()

    client.force_login(cast.store_staff)
    response = client.post(_url(verified), {"reason": "客户来电核对身份"}, HTTP_ACCEPT_LANGUAGE="en")
    assert ID_NUMBER not in response.content.decode()
    assert IdNumberView.objects.count() == 0


def test_head_office_reads_the_log_and_nobody_edits_it(client, cast, verified):
    client.force_login(cast.finance)
    client.post(_url(verified), {"reason": "放款前核对借款人身份"})
    view = IdNumberView.objects.get()

    client.force_login(cast.head_office)
    listing = client.get("/admin/members/idnumberview/")
    assert listing.status_code == 200
    assert "放款前核对借款人身份" in listing.content.decode()
    assert ID_NUMBER not in listing.content.decode()
    assert client.post(f"/admin/members/idnumberview/{view.pk}/delete/", {"post": "yes"}).status_code == 403
    assert IdNumberView.objects.count() == 1

    client.force_login(cast.reviewer)
    assert client.get("/admin/members/idnumberview/").status_code == 403
