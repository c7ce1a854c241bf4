"""Finance enters the bank card a loan is debited from (its last four digits), the bank and the debit day, on the
back office's order page or in the admin: checked the same way in both, audited on the application's history, and
out of reach of staff who do not see the loan."""

import pytest
from django.test import Client

from orders import repayments
from orders.exceptions import InvalidBankCard, LoanNotFound
from orders.models import OrderEvent
from tests.members.factories import StaffFactory
from tests.orders.cast import login

CARD = {"bank_name": "招商银行", "bank_card_last4": "6789", "debit_day": "15"}


def _card(loan) -> tuple:
    loan.refresh_from_db()
    return (loan.bank_name, loan.bank_card_last4, loan.debit_day)


def test_finance_enters_the_card_on_the_order_page_and_it_is_audited(cast, funded):
    client = login(cast.finance)
    assert 'id="bank-card-form"' in client.get(f"/backoffice/orders/{funded.pk}/").content.decode()
    response = client.post(f"/backoffice/orders/{funded.pk}/bank-card/", CARD, follow=True)
    page = response.content.decode()
    assert "The repayment card is saved." in page
    assert "招商银行 **** **** **** 6789, debited on day 15 of each month." in page
    assert _card(funded.loan) == ("招商银行", "6789", 15)
    event = OrderEvent.objects.get(order=funded, transition="bank_card")
    assert (event.actor, event.from_state, event.to_state) == (cast.finance, "funded", "funded")
    assert event.reason == "Repayment card: 招商银行 card ending 6789, debited on day 15"

    # A new card says what it replaced; the same details again change nothing and add no entry.
    client.post(f"/backoffice/orders/{funded.pk}/bank-card/", {**CARD, "bank_card_last4": "1234", "debit_day": "3"})
    client.post(f"/backoffice/orders/{funded.pk}/bank-card/", {**CARD, "bank_card_last4": "1234", "debit_day": "3"})
    reasons = list(OrderEvent.objects.filter(order=funded, transition="bank_card").values_list("reason", flat=True))
    assert reasons[1:] == [
        "Repayment card changed from 招商银行 card ending 6789, debited on day 15 to 招商银行 card ending 1234, "
        "debited on day 3"
    ]
    # The member's bills page shows the masked card.
    member_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    member_client.force_login(cast.member_user)
    assert "**** **** **** 1234" in member_client.get("/me/loans/").content.decode()


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({**CARD, "bank_name": "  "}, "Please enter the bank&#x27;s name."),
        ({**CARD, "bank_card_last4": "67a9"}, "Please enter the last 4 digits of the card, e.g. 6789."),
        ({**CARD, "bank_card_last4": "678"}, "Please enter the last 4 digits of the card, e.g. 6789."),
        ({**CARD, "debit_day": "31"}, "Select a valid choice. 31 is not one of the available choices."),
        ({**CARD, "debit_day": ""}, "The debit day is a day of the month from 1 to 28."),
    ],
)
def test_bad_input_is_a_form_error_and_changes_nothing(cast, funded, posted, message):
    response = login(cast.finance).post(f"/backoffice/orders/{funded.pk}/bank-card/", posted, follow=True)
    assert message in response.content.decode()
    assert _card(funded.loan) == ("", "", funded.loan.debit_day)
    assert not OrderEvent.objects.filter(transition="bank_card").exists()


def test_the_message_is_in_chinese_for_chinese_staff(cast, funded):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(cast.finance)
    page = client.post(f"/backoffice/orders/{funded.pk}/bank-card/", {**CARD, "bank_card_last4": "x"}, follow=True)
    assert "请输入银行卡号的后 4 位，例如 6789。" in page.content.decode()


def test_staff_of_another_store_get_404_and_store_staff_may_not(cast, funded):
    before = _card(funded.loan)
    response = login(cast.other_store_staff).post(f"/backoffice/orders/{funded.pk}/bank-card/", CARD)
    assert response.status_code == 404
    # The loan's own store sees the card but does not enter it: finance does.
    client = login(cast.store_staff)
    assert 'id="bank-card-form"' not in client.get(f"/backoffice/orders/{funded.pk}/").content.decode()
    response = client.post(f"/backoffice/orders/{funded.pk}/bank-card/", CARD, follow=True)
    assert "Only finance may change how a loan is collected." in response.content.decode()
    assert _card(funded.loan) == before
    # The service itself answers the same way, whoever calls it.
    with pytest.raises(LoanNotFound):
        repayments.record_bank_card(loan_id=funded.loan.pk, actor=cast.other_store_staff, **_typed(CARD))
    with pytest.raises(InvalidBankCard):
        repayments.record_bank_card(loan_id=funded.loan.pk, actor=cast.finance, **_typed({**CARD, "debit_day": 29}))


def _typed(card: dict) -> dict:
    return {**card, "debit_day": int(card["debit_day"])}


def test_finance_edits_the_card_in_the_admin(cast, funded):
    loan = funded.loan
    url = f"/admin/orders/loan/{loan.pk}/change/"
    client = login(cast.finance)
    page = client.get(url).content.decode()
    assert 'name="bank_card_last4"' in page
    assert 'name="principal"' not in page  # the contract's figures are read-only

    bad = client.post(url, {**CARD, "bank_card_last4": "12345", "debit_day": "30"})
    assert bad.status_code == 200  # the form again, with its errors
    assert "Ensure this value has at most 4 characters (it has 5)." in bad.content.decode()
    assert "The debit day is a day of the month from 1 to 28." in bad.content.decode()
    assert _card(loan) == ("", "", loan.debit_day)

    assert client.post(url, {**CARD, "debit_day": "8"}).status_code == 302
    assert _card(loan) == ("招商银行", "6789", 8)
    assert OrderEvent.objects.filter(order=funded, transition="bank_card", actor=cast.finance).count() == 1


def test_the_admin_hides_the_loan_from_other_stores_and_read_only_roles(cast, funded):
    url = f"/admin/orders/loan/{funded.loan.pk}/change/"
    other = login(cast.other_store_staff).get(url)
    assert other.status_code in (302, 403, 404)
    assert "6789" not in other.content.decode()
    head_office = login(cast.head_office)
    head_office.post(url, CARD)
    assert _card(funded.loan)[1] == ""
    reviewer = StaffFactory(role="reviewer")
    assert login(reviewer).post(url, CARD).status_code in (302, 403, 404)
    assert _card(funded.loan)[1] == ""
