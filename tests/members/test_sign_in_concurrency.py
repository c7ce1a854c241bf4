"""Two logins racing with the same code on real PostgreSQL connections: exactly one signs in."""

import threading

import pytest
from django.db import connection

from members.exceptions import InvalidSignInCode, TooManyRequests
from members.models import Member, SignInCode
from members.services import request_sign_in_code, sign_in_with_code
from tests.helpers import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+8613955556666"


def _race(workers: int, target) -> list:
    """``target()`` in ``workers`` threads at once: ("ok", result) or ("refused", code) each; anything else fails."""
    results, errors = run_at_once(target, times=workers, timeout=30)
    unexpected = [error for error in errors if not isinstance(error, InvalidSignInCode)]
    assert unexpected == []
    return [("ok", result) for result in results] + [("refused", error.code) for error in errors]


def test_two_logins_with_the_same_code_exactly_one_succeeds(sms_outbox):
    request_sign_in_code(phone=PHONE, requested_ip="127.0.0.1")
    code = sms_outbox.last_code_for(PHONE)

    outcomes = _race(2, lambda: sign_in_with_code(phone=PHONE, code=code, accept_terms=True))

    assert sorted(kind for kind, _value in outcomes) == ["ok", "refused"]
    assert Member.objects.filter(user__phone=PHONE).count() == 1
    assert SignInCode.objects.get(phone=PHONE).status == "consumed"


def test_ten_logins_with_the_same_code_exactly_one_succeeds(sms_outbox):
    request_sign_in_code(phone=PHONE, requested_ip="127.0.0.1")
    code = sms_outbox.last_code_for(PHONE)

    outcomes = _race(10, lambda: sign_in_with_code(phone=PHONE, code=code, accept_terms=True))

    assert [kind for kind, _value in outcomes].count("ok") == 1
    assert [kind for kind, _value in outcomes].count("refused") == 9
    assert Member.objects.count() == 1


def test_concurrent_wrong_guesses_are_all_counted(sms_outbox, settings):
    settings.OTP_MAX_ATTEMPTS = 100
    request_sign_in_code(phone=PHONE, requested_ip="127.0.0.1")
    right = sms_outbox.last_code_for(PHONE)
    wrong = "111111" if right != "111111" else "222222"

    outcomes = _race(8, lambda: sign_in_with_code(phone=PHONE, code=wrong))

    assert [kind for kind, _value in outcomes] == ["refused"] * 8
    # Under the row lock no wrong try is lost, so guessing in parallel does not buy extra tries.
    assert SignInCode.objects.get(phone=PHONE).failed_attempts == 8


def test_two_code_requests_in_the_same_second_send_one_sms(sms_outbox):
    def ask():
        try:
            request_sign_in_code(phone=PHONE, requested_ip="127.0.0.1")
        except Exception as error:  # noqa: BLE001
            return type(error).__name__
        return "sent"

    results = []
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        results.append(ask())
        connection.close()

    threads = [threading.Thread(target=run) for _unused in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["TooManyRequests", "sent"]
    assert len(sms_outbox.messages) == 1
    assert SignInCode.objects.filter(phone=PHONE).count() == 1


def test_a_burst_from_one_address_gets_no_more_codes_than_its_daily_limit(sms_outbox, settings):
    settings.OTP_PER_IP_DAILY = 5
    phones = iter(f"+86139555570{index:02d}" for index in range(20))
    lock = threading.Lock()

    def ask():
        with lock:
            phone = next(phones)
        return request_sign_in_code(phone=phone, requested_ip="203.0.113.7")

    outcomes = []
    barrier = threading.Barrier(20)

    def run():
        try:
            barrier.wait()
            ask()
            outcome = "sent"
        except TooManyRequests:
            outcome = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _unused in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused"] * 15 + ["sent"] * 5
    assert SignInCode.objects.filter(requested_ip="203.0.113.7").count() == 5


def test_a_parallel_burst_of_wrong_codes_gets_no_more_tries_than_the_phone_limit(sms_outbox, settings):
    settings.OTP_MAX_ATTEMPTS = 100
    settings.OTP_LOGIN_FAILURES_PER_PHONE = 4
    request_sign_in_code(phone=PHONE, requested_ip="127.0.0.1")
    right = sms_outbox.last_code_for(PHONE)
    wrong = "111111" if right != "111111" else "222222"
    lock = threading.Lock()
    outcomes = []
    barrier = threading.Barrier(12)

    def run(index):
        try:
            barrier.wait()
            sign_in_with_code(phone=PHONE, code=wrong, requested_ip=f"198.51.100.{index}")
        except TooManyRequests:
            outcome = "throttled"
        except InvalidSignInCode:
            outcome = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # The slot is taken before the code is looked at, so a burst cannot all pass the check together.
    assert sorted(outcomes) == ["refused"] * 4 + ["throttled"] * 8
    assert SignInCode.objects.get(phone=PHONE).failed_attempts == 4
