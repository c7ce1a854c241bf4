"""Mainland China resident ID numbers (GB 11643-1999): validation and masking. Pure functions, no I/O."""

import datetime
import re

from django.utils.translation import gettext_lazy as _

from members.exceptions import InvalidIdNumber

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")
# First two digits: provinces, autonomous regions and municipalities (GB/T 2260).
_PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    }
)  # fmt: skip


def check_character(first_17_digits: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_17_digits, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def normalize_id_number(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def birth_date_of(id_number: str) -> datetime.date:
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def validate_id_number(raw: str, *, birthday: datetime.date | None = None, today: datetime.date) -> str:
    """Return the normalized ID number, or raise ``InvalidIdNumber`` saying what is wrong with it."""
    id_number = normalize_id_number(raw)
    if not _PATTERN.match(id_number):
        raise InvalidIdNumber(_("An ID number has 18 characters: 17 digits, then a digit or X."))
    if id_number[:2] not in _PROVINCE_CODES or id_number[2:6] == "0000":
        raise InvalidIdNumber(_("The region code at the start of this ID number does not exist."))
    try:
        born_on = birth_date_of(id_number)
    except ValueError:
        raise InvalidIdNumber(_("The date of birth in this ID number does not exist.")) from None
    if born_on > today or born_on.year < 1900:
        raise InvalidIdNumber(_("The date of birth in this ID number does not exist."))
    if check_character(id_number[:17]) != id_number[17]:
        raise InvalidIdNumber(_("This ID number is not valid: its last character does not match. Please check it."))
    if birthday is not None and birthday != born_on:
        raise InvalidIdNumber(_("The date of birth in this ID number does not match the birthday in your profile."))
    return id_number


def mask_id_number(id_number: str) -> str:
    """``440106199001011234`` → ``4401**********1234``."""
    return f"{id_number[:4]}{'*' * (len(id_number) - 8)}{id_number[-4:]}"
