"""The Simplified Chinese catalog: complete, compiled, and actually used.

The msgids are English and English is shown as the msgids themselves, so only ``locale/zh_Hans`` exists.
After ``makemessages`` and translating, run ``compilemessages``: the committed ``django.mo`` must match ``django.po``.
"""

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.utils import translation

LC_MESSAGES = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# str.format() fields, in entries xgettext flags python-brace-format (filled in later, e.g. per recipient).
BRACE_PLACEHOLDER = re.compile(r"\{\w+\}")
HTML_TAG = re.compile(r"<[^<>]+>")


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


@pytest.fixture(scope="module")
def mo() -> polib.MOFile:
    return polib.mofile(str(MO_PATH))


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def _key(entry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _translations(entry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _catalog(entries) -> dict[tuple[str, str, str], tuple[str, ...]]:
    return {_key(entry): tuple(_translations(entry)) for entry in entries if entry.msgid}


def test_the_header_declares_simplified_chinese_with_one_plural_form(po):
    assert po.metadata["Language"] == "zh_Hans"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"


def test_every_entry_is_translated_and_none_is_fuzzy(po):
    entries = _entries(po)
    assert entries, f"{PO_PATH} has no entries: run makemessages"
    untranslated = [entry.msgid for entry in entries if not all(text.strip() for text in _translations(entry))]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    problems = {"untranslated": untranslated, "fuzzy (check the translation, then drop the flag)": fuzzy}
    problems = {kind: msgids for kind, msgids in problems.items() if msgids}
    assert not problems, f"{PO_PATH.name} is not fully translated: {problems}"


def test_plural_entries_have_exactly_one_form(po):
    wrong = [entry.msgid for entry in _entries(po) if entry.msgid_plural and sorted(entry.msgstr_plural) != [0]]
    assert not wrong, f"zh_Hans has one plural form (msgstr[0] only): {wrong}"


def test_the_committed_mo_is_compiled_from_the_current_po(po, mo):
    # What msgfmt compiles: translated, non-fuzzy entries.
    compiled_from_po = _catalog(
        entry for entry in _entries(po) if "fuzzy" not in entry.flags and all(_translations(entry))
    )
    in_mo = _catalog(mo)
    stale = sorted(key[1] for key in compiled_from_po.keys() - in_mo.keys())
    leftover = sorted(key[1] for key in in_mo.keys() - compiled_from_po.keys())
    changed = sorted(key[1] for key in compiled_from_po.keys() & in_mo.keys() if compiled_from_po[key] != in_mo[key])
    problems = {"missing from the .mo": stale, "only in the .mo": leftover, "translated differently": changed}
    problems = {kind: msgids for kind, msgids in problems.items() if msgids}
    assert not problems, f"django.mo is out of date, run `manage.py compilemessages --ignore=.venv`: {problems}"
    assert mo.metadata.get("Plural-Forms") == po.metadata["Plural-Forms"]


def _placeholders(entry, text: str) -> set[str]:
    found = set(PLACEHOLDER.findall(text))
    if "python-brace-format" in entry.flags:
        found |= set(BRACE_PLACEHOLDER.findall(text))
    return found


def test_placeholders_survive_translation(po):
    broken = []
    for entry in _entries(po):
        expected = _placeholders(entry, entry.msgid) | _placeholders(entry, entry.msgid_plural or "")
        for text in _translations(entry):
            found = _placeholders(entry, text)
            if text and found != expected:
                broken.append(
                    f"{entry.msgid!r}: missing {sorted(expected - found)}, unknown {sorted(found - expected)}"
                )
    assert not broken, "placeholders differ between msgid and msgstr:\n" + "\n".join(broken)


def test_markup_survives_translation(po):
    # blocktranslate may carry HTML (ids that pages and scripts look up): the translation keeps every tag as is.
    broken = []
    for entry in _entries(po):
        expected = sorted(HTML_TAG.findall(entry.msgid))
        for text in _translations(entry):
            found = sorted(HTML_TAG.findall(text))
            if text and found != expected:
                broken.append(f"{entry.msgid!r}: expected tags {expected}, found {found}")
    assert not broken, "HTML differs between msgid and msgstr:\n" + "\n".join(broken)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_msgfmt_accepts_the_catalog():
    result = subprocess.run(
        ["msgfmt", "--check-format", "--check-header", "--check-domain", "-o", "/dev/null", str(PO_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_domain_errors_speak_chinese_by_default_and_english_on_request():
    from members.exceptions import InvalidSignInCode

    with translation.override("zh-hans"):
        chinese = str(InvalidSignInCode().message)
    with translation.override("en"):
        english = str(InvalidSignInCode().message)

    assert "验证码" in chinese
    assert english == "The code is wrong or has expired. Please request a new one."


def test_choices_and_plurals_come_out_in_chinese():
    from members.enums import StaffRole

    with translation.override("zh-hans"):
        assert str(StaffRole.CALL_CENTER.label) == "客服专员"
        assert str(StaffRole.STORE_MANAGER.label) == "门店经理"
        invited = translation.ngettext(
            "You have invited %(counter)s friend.", "You have invited %(counter)s friends.", 3
        ) % {"counter": 3}
        assert invited == "您已邀请 3 位好友。"
    with translation.override("en"):
        assert str(StaffRole.CALL_CENTER.label) == "Call-center agent"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_sign_in_sms_carries_a_code_the_outbox_can_read(language, sms_outbox, settings):
    # The outbox (and any client) finds the code with \b\d{6}\b; Chinese characters are word characters,
    # so a translation that glues the code to them would hide it.
    from members.services import deliver_sign_in_code

    settings.OTP_TTL_SECONDS = 300
    with translation.override(language):
        deliver_sign_in_code(phone="+8613912345678", code="482913")

    [message] = sms_outbox.messages
    assert sms_outbox.last_code_for("+8613912345678") == "482913"
    assert "5" in message["body"]
    if language == "zh-hans":
        assert message["body"].startswith("【会员中心】")


def test_the_resend_countdown_keeps_the_placeholder_its_script_fills_in():
    # {% translate %} doubles "%" in the msgid ("%%(seconds)s"); the msgstr must double it too, or the
    # sign-in page's countdown script finds no "%(seconds)s" to replace.
    from django.template import Context, Template

    template = Template('{% load i18n %}{% translate "Send a new code in %(seconds)s s" %}')
    with translation.override("zh-hans"):
        rendered = template.render(Context())

    assert "%(seconds)s" in rendered
    assert "%%" not in rendered
    assert not rendered.startswith("Send")
