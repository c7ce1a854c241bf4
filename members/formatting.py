"""How the product writes money and phone numbers, the same on every page and in both languages."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import phonenumbers


def format_money(value, *, symbol: bool = True) -> str:
    """¥189,800 for whole yuan and ¥3,256.40 with fen: grouped by thousands in Chinese and English alike (as banks
    and car dealers print prices), cents only when there are some."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{abs(amount):,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{text}" if symbol else f"{sign}{text}"


def format_phone(value) -> str:
    """A Chinese mobile as people write it (138 0013 8000), other numbers in international form; '' for none."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(str(value), "CN")
    except phonenumbers.NumberParseException:
        return str(value)
    if number.country_code == 86:
        national = str(number.national_number)
        if len(national) == 11 and national.startswith("1"):
            return f"{national[:3]} {national[3:7]} {national[7:]}"
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def format_percent(ratio) -> str:
    """A ratio as a percentage to one decimal, without a trailing ".0": 0.3 → "30", 0.125 → "12.5"."""
    return f"{Decimal(str(ratio)) * 100:.1f}".removesuffix(".0")
