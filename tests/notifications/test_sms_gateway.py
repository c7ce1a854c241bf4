"""The SMS gateway's backends. Twilio is exercised with the official client against a local stand-in server."""

import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications.sms import SmsDeliveryError, get_sms_backend, send_sms

ACCOUNT_SID = "AC" + "0" * 32


class StandInTwilio:
    """Answers POST /2010-04-01/Accounts/<sid>/Messages.json like Twilio does, with the answer a test chooses."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answer_status = 201
        self.answer_body: dict = {}
        self.delay_seconds = 0.0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                stand_in.requests.append(
                    {"path": self.path, "form": form, "authorization": self.headers.get("Authorization", "")}
                )
                time.sleep(stand_in.delay_seconds)  # a slow provider: the request has arrived, the answer has not
                body = stand_in.answer_body or {
                    "sid": "SM" + "a" * 32,
                    "status": "queued",
                    "to": form["To"][0],
                    "body": form["Body"][0],
                    "account_sid": ACCOUNT_SID,
                }
                payload = json.dumps(body).encode()
                self.send_response(stand_in.answer_status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A client that timed out closes the socket under a slow answer; that is the point of the test, not noise.
        self.server.handle_error = lambda request, client_address: None
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def twilio(settings):
    with StandInTwilio() as stand_in:
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
        settings.TWILIO_AUTH_TOKEN = "test-auth-token"
        settings.TWILIO_FROM_NUMBER = "+15005550006"
        settings.TWILIO_MESSAGING_SERVICE_SID = ""
        settings.TWILIO_API_BASE_URL = stand_in.base_url
        settings.TWILIO_TIMEOUT_SECONDS = 2
        yield stand_in


def test_twilio_backend_sends_through_the_messages_endpoint(twilio):
    sent = send_sms(to="+8613912345678", body="【会员中心】您的验证码是 123456")

    assert sent.provider == "twilio"
    assert sent.provider_message_id == "SM" + "a" * 32
    assert sent.status == "queued"
    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["form"]["To"] == ["+8613912345678"]
    assert request["form"]["From"] == ["+15005550006"]
    assert request["form"]["Body"] == ["【会员中心】您的验证码是 123456"]
    assert request["authorization"].startswith("Basic ")


def test_twilio_messaging_service_is_used_when_configured(twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    send_sms(to="+8613912345678", body="hi")
    assert twilio.requests[0]["form"]["MessagingServiceSid"] == ["MG" + "1" * 32]
    assert "From" not in twilio.requests[0]["form"]


def test_twilio_client_error_is_not_retryable(twilio):
    twilio.answer_status = 400
    twilio.answer_body = {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}

    with pytest.raises(SmsDeliveryError) as error:
        send_sms(to="+8613912345678", body="hi")

    assert error.value.is_retryable is False
    assert error.value.provider_code == "21211"
    assert "400" in str(error.value)


def test_twilio_server_error_is_retryable(twilio):
    twilio.answer_status = 503
    twilio.answer_body = {"code": 20500, "message": "Service unavailable", "status": 503}
    with pytest.raises(SmsDeliveryError) as error:
        send_sms(to="+8613912345678", body="hi")
    assert error.value.is_retryable is True


def test_twilio_unreachable_is_retryable(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = "x"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # the discard port: nothing listens
    with pytest.raises(SmsDeliveryError) as error:
        send_sms(to="+8613912345678", body="hi")
    assert error.value.is_retryable is True


def test_file_backend_appends_one_json_line_per_message(sms_outbox):
    send_sms(to="+8613900000001", body="第一条")
    send_sms(to="+8613900000002", body="second")
    messages = sms_outbox.messages
    assert [(message["to"], message["body"]) for message in messages] == [
        ("+8613900000001", "第一条"),
        ("+8613900000002", "second"),
    ]
    assert all(message["sent_at"] and message["message_id"].startswith("file-") for message in messages)


def test_console_backend_logs_the_message(settings, caplog):
    settings.SMS_BACKEND = "console"
    with caplog.at_level("INFO", logger="member_center.sms"):
        sent = send_sms(to="+8613900000001", body="hello")
    assert sent.provider == "console"
    assert "+8613900000001" in caplog.text


def test_unknown_backend_is_a_clear_configuration_error(settings):
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ValueError, match="carrier-pigeon"):
        get_sms_backend()


@pytest.mark.django_db(transaction=True)
def test_sign_in_code_goes_out_through_twilio(twilio, api_client):
    response = api_client.post("/api/v1/auth/otp/", {"phone": "13912345678"}, format="json")
    assert response.status_code == 202
    [request] = twilio.requests
    assert request["form"]["To"] == ["+8613912345678"]
    assert re.search(r"\d{6}", request["form"]["Body"][0])


@pytest.mark.django_db(transaction=True)
def test_a_twilio_refusal_does_not_turn_the_code_request_into_a_500(twilio, api_client):
    twilio.answer_status = 400
    twilio.answer_body = {"code": 21211, "message": "invalid To", "status": 400}
    response = api_client.post("/api/v1/auth/otp/", {"phone": "13912345678"}, format="json")
    assert response.status_code == 202


def test_twilio_timeout_is_retryable(twilio, settings):
    settings.TWILIO_TIMEOUT_SECONDS = 0.5
    twilio.delay_seconds = 2
    started = time.monotonic()
    with pytest.raises(SmsDeliveryError) as error:
        send_sms(to="+8613912345678", body="hi")
    assert error.value.is_retryable is True
    assert time.monotonic() - started < 2
