"""Legal names as printed on a mainland resident ID card. Pure functions, no I/O.

The card prints the legal name in Chinese characters; names of ethnic minorities and transliterated names put the
middle dot U+00B7 between their parts (买买提·艾力). Names in other scripts (Latin letters, Uyghur, Tibetan) are not
accepted here: the mainland resident ID is the only document this check takes, and its name line is always in
Chinese characters. Holders of other documents verify at a store."""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from members.exceptions import InvalidName

MIDDLE_DOT = "\u00b7"
# What people type for the middle dot on common keyboards and input methods; all become U+00B7.
_DOT_LOOKALIKES = "\u00b7\u0387\u2022\u2027\u2219\u22c5\u30fb\uff65\u2e31\u2024\u002e\uff0e"
_HAN = (
    "\u3007"  # 〇, used in a few names
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # the unified ideographs
    "\U00020000-\U000323af"  # extensions B to H: rare characters that appear in names
)
_NAME = re.compile(rf"^[{_HAN}]+(?:{MIDDLE_DOT}[{_HAN}]+)*$")
_SPACES = re.compile(r"\s+")
MIN_LENGTH = 2
MAX_LENGTH = 30


def normalize_real_name(raw: str) -> str:
    """NFC, no spaces, and every middle-dot look-alike as U+00B7."""
    name = unicodedata.normalize("NFC", raw or "")
    name = _SPACES.sub("", name)
    return "".join(MIDDLE_DOT if character in _DOT_LOOKALIKES else character for character in name)


def validate_real_name(raw: str) -> str:
    """Return the normalized legal name, or raise ``InvalidName`` saying what is wrong with it."""
    name = normalize_real_name(raw)
    if not MIN_LENGTH <= len(name) <= MAX_LENGTH:
        raise InvalidName(_("A legal name has %(min)s to %(max)s characters.") % {"min": MIN_LENGTH, "max": MAX_LENGTH})
    if not _NAME.match(name):
        raise InvalidName(
            _(
                "Please enter your name exactly as on your resident ID card, in Chinese characters; put a middle "
                "dot (·) between the parts of a multi-part name. For other documents, please verify at a store."
            )
        )
    return name
