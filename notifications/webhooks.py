"""Twilio webhooks: delivery status callbacks and inbound SMS (the opt-out keyword). Both check Twilio's signature
with the client library's validator; an unsigned or wrongly signed request is refused and changes nothing, and so is
every request while no ``TWILIO_AUTH_TOKEN`` is configured."""

import logging
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from notifications import services

logger = logging.getLogger("member_center.notifications")

OPT_OUT_KEYWORDS = {"TD", "T", "STOP", "UNSUBSCRIBE", "退订", "取消"}


def _is_signed_by_twilio(request) -> bool:
    if not settings.TWILIO_AUTH_TOKEN:
        # With an empty key anyone can compute a valid signature: without a token nothing is Twilio's.
        return False
    # Behind a proxy the URL Twilio signed is the public one, so it can be configured.
    base = settings.TWILIO_WEBHOOK_BASE_URL.rstrip("/")
    url = f"{base}{request.get_full_path()}" if base else request.build_absolute_uri()
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    return validator.validate(url, request.POST.dict(), request.headers.get("X-Twilio-Signature", ""))


@csrf_exempt
@require_POST
def twilio_status_callback(request):
    if not _is_signed_by_twilio(request):
        logger.warning("twilio status callback with a bad signature refused")
        return HttpResponseForbidden("invalid signature")
    services.record_provider_status(
        provider_message_id=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound_sms(request):
    if not _is_signed_by_twilio(request):
        logger.warning("twilio inbound sms with a bad signature refused")
        return HttpResponseForbidden("invalid signature")
    body = request.POST.get("Body", "").strip().upper()
    reply = ""
    if body in OPT_OUT_KEYWORDS:
        services.record_sms_opt_out(phone=request.POST.get("From", ""))
        user = get_user_model().objects.filter(phone=request.POST.get("From", "")).first()
        if user is not None:
            services.save_preferences(user=user, choices={"marketing": {"sms": False}})
        with translation.override(settings.LANGUAGE_CODE):
            reply = _("You will no longer receive marketing SMS from Member Center.")
    message = f"<Message>{escape(reply)}</Message>" if reply else ""
    return HttpResponse(
        f"<?xml version='1.0' encoding='UTF-8'?><Response>{message}</Response>", content_type="application/xml"
    )
