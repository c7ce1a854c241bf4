"""Phone numbers in, E.164 out. A bare 11-digit number is read as a mainland mobile number."""

import phonenumbers
from django.conf import settings

from members.exceptions import InvalidPhoneNumber, PhoneRegionNotAllowed

_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def normalize_mobile_number(raw: str) -> str:
    """Return the number as E.164 (``+8613800138000``), or raise if it is not a mobile number we may text."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise InvalidPhoneNumber()
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber() from None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhoneNumber()
    allowed = {region.strip().upper() for region in settings.OTP_ALLOWED_REGIONS}
    if phonenumbers.region_code_for_number(number) not in allowed:
        raise PhoneRegionNotAllowed()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """``+8613800138000`` → ``138****8000``, for places that need only to recognise a number."""
    national = e164[3:] if e164.startswith("+86") else e164
    return f"{national[:3]}****{national[-4:]}" if len(national) >= 8 else national
