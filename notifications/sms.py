"""The SMS gateway: one small interface, three backends chosen by ``SMS_BACKEND``.

Transport only: it knows phone numbers and text, nothing of members or orders, so any app may send through it.
A deployment in mainland China swaps the Twilio backend for a local provider by adding a backend here.
"""

import abc
import json
import logging
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("member_center.sms")


@dataclass(frozen=True)
class SentSms:
    provider: str
    provider_message_id: str
    status: str


class SmsDeliveryError(Exception):
    """The provider refused or could not be reached. ``is_retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, is_retryable: bool, provider_code: str = "") -> None:
        super().__init__(message)
        self.is_retryable = is_retryable
        self.provider_code = provider_code


class SmsBackend(abc.ABC):
    name = "base"

    @abc.abstractmethod
    def send(self, *, to: str, body: str) -> SentSms:
        """Implemented by each provider."""


class ConsoleSmsBackend(SmsBackend):
    """Writes the message to the log, for development. The body may hold a sign-in code: never use in production."""

    name = "console"

    def send(self, *, to: str, body: str) -> SentSms:
        message_id = f"console-{uuid.uuid4().hex}"
        logger.info("sms to %s: %s", to, body)
        return SentSms(provider=self.name, provider_message_id=message_id, status="sent")


_file_lock = threading.Lock()


class FileSmsBackend(SmsBackend):
    """Appends one JSON line per message to ``SMS_FILE_PATH``: how demos and black-box tests read sign-in codes."""

    name = "file"

    def send(self, *, to: str, body: str) -> SentSms:
        message_id = f"file-{uuid.uuid4().hex}"
        line = json.dumps(
            {"to": to, "body": body, "sent_at": timezone.now().isoformat(), "message_id": message_id},
            ensure_ascii=False,
        )
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        with _file_lock, path.open("a", encoding="utf-8") as sms_file:
            sms_file.write(line + "\n")
        return SentSms(provider=self.name, provider_message_id=message_id, status="sent")


class TwilioSmsBackend(SmsBackend):
    """Sends through Twilio's Messages API with the official client."""

    name = "twilio"

    def _client(self):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT_SECONDS),
        )
        if settings.TWILIO_API_BASE_URL:
            # Tests and staging point the client at a stand-in server; the request it sends is unchanged.
            client.api.base_url = settings.TWILIO_API_BASE_URL
        return client

    def send(self, *, to: str, body: str) -> SentSms:
        from requests import RequestException
        from twilio.base.exceptions import TwilioRestException

        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        if settings.TWILIO_STATUS_CALLBACK_URL:
            sender["status_callback"] = settings.TWILIO_STATUS_CALLBACK_URL
        try:
            message = self._client().messages.create(to=to, body=body, **sender)
        except TwilioRestException as error:
            # 429 and 5xx are the provider's trouble and may pass; other 4xx are about this message.
            is_retryable = error.status == 429 or error.status >= 500
            raise SmsDeliveryError(
                f"Twilio answered {error.status}: {error.msg}", is_retryable=is_retryable, provider_code=str(error.code)
            ) from error
        except RequestException as error:
            raise SmsDeliveryError(f"Twilio could not be reached: {error}", is_retryable=True) from error
        return SentSms(provider=self.name, provider_message_id=message.sid, status=str(message.status or "queued"))


_BACKENDS = {backend.name: backend for backend in (ConsoleSmsBackend, FileSmsBackend, TwilioSmsBackend)}


def get_sms_backend() -> SmsBackend:
    try:
        return _BACKENDS[settings.SMS_BACKEND]()
    except KeyError:
        raise ValueError(f"Unknown SMS_BACKEND {settings.SMS_BACKEND!r}; use one of {sorted(_BACKENDS)}") from None


def send_sms(*, to: str, body: str) -> SentSms:
    return get_sms_backend().send(to=to, body=body)
