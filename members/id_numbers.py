"""Mainland China resident ID numbers (GB 11643-1999): validation and masking. Pure functions, no I/O.

Region codes come from python-stdnum's ``cn/loc`` list (GB/T 2260 with the historical county codes and the years
each was in use), so a number issued under a county code that has since been merged or renamed still passes."""

import datetime
import re

from django.utils.translation import gettext_lazy as _
from stdnum import numdb

from members.exceptions import InvalidIdNumber

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: \d would take other scripts' digits
# First two digits: the 31 provinces, autonomous regions and municipalities of the mainland. Residence permits of
# Hong Kong, Macao and Taiwan residents (81, 82, 83) and foreigners' permanent residence cards (9x) are other
# documents and not accepted here.
_PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    }
)  # fmt: skip
_ERA = re.compile(r"^\[(?P<start>\d*)-(?P<end>\d*)\]")


def check_character(first_17_digits: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_17_digits, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def normalize_id_number(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def birth_date_of(id_number: str) -> datetime.date:
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def region_code_years(region_code: str) -> list[tuple[int | None, int | None]] | None:
    """The (first year, last year) spans in which the six-digit ``region_code`` named a county; None if it never did.

    ``None`` inside a span means "open": in use before the list's records start, or still in use."""
    found = {key: value for _part, props in numdb.get("cn/loc").info(region_code) for key, value in props.items()}
    if "county" not in found:
        return None
    spans = []
    for entry in found["county"].split(","):
        era = _ERA.match(entry)
        if era is None:
            spans.append((None, None))
        else:
            spans.append((int(era["start"]) if era["start"] else None, int(era["end"]) if era["end"] else None))
    return spans


def is_known_region_code(region_code: str, *, born_in: int) -> bool:
    """A real county-level code that was not already retired when the holder was born.

    The list's first years are not used: the code is where the holder was registered when the number was assigned,
    which can be years after birth (a move, a county that became a district), and many first years in the list are
    only where its records begin (Tianhe, 440106, shows 1985, yet people born there earlier carry it)."""
    if region_code[:2] not in _PROVINCE_CODES or region_code[2:] == "0000":
        return False
    spans = region_code_years(region_code)
    return spans is not None and any(end is None or born_in <= end for _start, end in spans)


def validate_id_number(raw: str, *, birthday: datetime.date | None = None, today: datetime.date) -> str:
    """Return the normalized ID number, or raise ``InvalidIdNumber`` saying what is wrong with it."""
    id_number = normalize_id_number(raw)
    if not _PATTERN.match(id_number):
        raise InvalidIdNumber(_("An ID number has 18 characters: 17 digits, then a digit or X."))
    try:
        born_on = birth_date_of(id_number)
    except ValueError:
        raise InvalidIdNumber(_("The date of birth in this ID number does not exist.")) from None
    if born_on > today or born_on.year < 1900:
        raise InvalidIdNumber(_("The date of birth in this ID number does not exist."))
    if not is_known_region_code(id_number[:6], born_in=born_on.year):
        raise InvalidIdNumber(_("The region code at the start of this ID number does not exist."))
    if check_character(id_number[:17]) != id_number[17]:
        raise InvalidIdNumber(_("This ID number is not valid: its last character does not match. Please check it."))
    if birthday is not None and birthday != born_on:
        raise InvalidIdNumber(_("The date of birth in this ID number does not match the birthday in your profile."))
    return id_number


def mask_id_number(id_number: str) -> str:
    """``440106199001011234`` → ``4401**********1234``."""
    return f"{id_number[:4]}{'*' * (len(id_number) - 8)}{id_number[-4:]}"
