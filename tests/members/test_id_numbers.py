import datetime
from pathlib import Path

import pytest
import stdnum.cn
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from members.exceptions import InvalidIdNumber
from members.id_numbers import check_character, mask_id_number, region_code_years, validate_id_number

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _english():
    # The reasons are asserted on their English source text; the zh-hans catalog has its own test.
    with translation.override("en"):
        yield


def test_check_character_matches_the_published_gb11643_example():
    # The standard's worked example: 11010519491231002 → X.
    assert check_character("11010519491231002") == "X"


def test_valid_id_number_with_x_check_character_is_accepted_and_normalized():
    assert validate_id_number(" 11010519491231002x ", today=TODAY) == "11010519491231002X"


def test_valid_id_number_with_digit_check_character_is_accepted():
    first_17 = "44010619900307128"
    assert validate_id_number(first_17 + check_character(first_17), today=TODAY) == first_17 + check_character(first_17)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("4401061990030712", "18 characters"),
        ("44010619900307128A", "18 characters"),
        ("99010619900307128" + "0", "region"),
        ("11999919900307128" + "0", "region"),  # Beijing has no county 9999
        ("11000019900307128" + "0", "region"),  # a province, not a county
        ("81000019900307128" + "0", "region"),  # a Hong Kong residence permit, not a resident ID
        ("44010619900230128" + "0", "does not exist"),
        ("44010620990101128" + "0", "does not exist"),
    ],
)
def test_malformed_id_numbers_are_refused_with_a_specific_reason(raw, fragment):
    with pytest.raises(InvalidIdNumber) as error:
        validate_id_number(raw, today=TODAY)
    assert fragment in str(error.value.message)


def test_wrong_check_character_is_refused():
    first_17 = "44010619900307128"
    wrong = "0" if check_character(first_17) != "0" else "1"
    with pytest.raises(InvalidIdNumber) as error:
        validate_id_number(first_17 + wrong, today=TODAY)
    assert "last character" in str(error.value.message)


def test_birth_date_must_match_the_given_birthday():
    first_17 = "44010619900307128"
    id_number = first_17 + check_character(first_17)
    assert validate_id_number(id_number, birthday=datetime.date(1990, 3, 7), today=TODAY) == id_number
    with pytest.raises(InvalidIdNumber) as error:
        validate_id_number(id_number, birthday=datetime.date(1990, 3, 8), today=TODAY)
    assert "birthday" in str(error.value.message)


def test_mask_keeps_first_four_and_last_four():
    assert mask_id_number("440106199001011234") == "4401**********1234"


def with_check_character(first_17: str) -> str:
    return first_17 + check_character(first_17)


def is_valid(id_number: str, today=TODAY) -> bool:
    try:
        validate_id_number(id_number, today=today)
    except InvalidIdNumber:
        return False
    return True


@pytest.mark.parametrize(
    ("region", "born", "why"),
    [
        ("110103", "19850312", "Chongwen district, merged into Dongcheng in 2010"),
        ("110224", "19750601", "Daxing county, a district with a new code since 2001"),
        ("120110", "19800101", "Tianjin's Dongjiao district, renamed Dongli in 1992 under the same code"),
        ("210106", "19700101", "Shenyang Tiexi: the list's records start in 1983, the district is older"),
        ("440106", "19800101", "Guangzhou Tianhe: the list says 1985, people born there earlier carry the code"),
        ("110115", "19800101", "Daxing district (2001): registered there after birth"),
    ],
)
def test_old_id_numbers_with_historical_region_codes_pass(region, born, why):
    id_number = with_check_character(f"{region}{born}123")
    assert validate_id_number(id_number, today=TODAY) == id_number, why


def test_digits_of_other_scripts_are_refused():
    # "٠" (Arabic-Indic zero) is a digit to Python's \\d and int(), but never part of an ID number.
    with pytest.raises(InvalidIdNumber):
        validate_id_number("4401061990030712\u06600", today=TODAY)
    first_17 = "4401061990030712\u0668"
    with pytest.raises(InvalidIdNumber):
        validate_id_number(first_17 + check_character(first_17), today=TODAY)


def test_a_region_code_retired_before_the_holder_was_born_is_refused():
    # Chongwen (110103) ceased to exist in 2010: nobody born in 2015 was registered there.
    with pytest.raises(InvalidIdNumber) as error:
        validate_id_number(with_check_character("11010320150101123"), today=TODAY)
    assert "region" in str(error.value.message)
    assert is_valid(with_check_character("11010320100101123"))


def _stdnum_is_valid(id_number: str) -> bool:
    """python-stdnum's verdict. Its ``is_valid`` raises KeyError (instead of answering False) for an unknown county
    in a known province, which is a "no" as well."""
    try:
        return ric.is_valid(id_number)
    except KeyError:
        return False


def _county_codes_in_stdnum() -> list[str]:
    codes, province = [], None
    for line in (Path(stdnum.cn.__file__).parent / "loc.dat").read_text(encoding="utf-8").splitlines():
        if line[:1].isdigit():
            province = line.split()[0]
        elif line.startswith("  ") and province and province < "70":
            code = province + line.split()[0]
            if code[2:] != "0000":
                codes.append(code)
    return codes


COUNTY_CODES = _county_codes_in_stdnum()
PROVINCES = sorted({code[:2] for code in COUNTY_CODES})
# Half the region codes are real ones, half any four digits under a real province (mostly codes that never existed).
regions = st.one_of(
    st.sampled_from(COUNTY_CODES),
    st.builds(lambda province, rest: province + rest, st.sampled_from(PROVINCES), st.from_regex(r"\A[0-9]{4}\Z")),
).filter(lambda region: region[2:] != "0000")
birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY)
sequences = st.from_regex(r"\A[0-9]{3}\Z")


@settings(max_examples=1500, deadline=None)
@given(region=regions, born_on=birth_dates, sequence=sequences)
def test_agrees_with_python_stdnum_except_for_first_years_of_region_codes(region, born_on, sequence):
    """A differential run against python-stdnum's ``cn.ric``: one answer, except where stdnum refuses a code only
    because the holder was born before the code's first recorded year (a refusal we do not share, on purpose).
    Province-level codes (``xx0000``), which stdnum takes, are refused by us and tested above."""
    id_number = with_check_character(f"{region}{born_on:%Y%m%d}{sequence}")
    ours, theirs = is_valid(id_number), _stdnum_is_valid(id_number)
    if theirs:
        assert ours, id_number
    elif ours:
        spans = region_code_years(region)
        assert spans is not None, id_number
        in_use_at_birth = [(start, end) for start, end in spans if (end is None or born_on.year <= end)]
        assert in_use_at_birth, id_number
        assert all(start is not None and born_on.year < start for start, _e in in_use_at_birth), id_number


@settings(max_examples=500, deadline=None)
@given(region=regions, born_on=birth_dates, sequence=sequences, wrong=st.sampled_from("0123456789X"))
def test_a_wrong_check_character_is_refused_whatever_the_rest(region, born_on, sequence, wrong):
    first_17 = f"{region}{born_on:%Y%m%d}{sequence}"
    if wrong != check_character(first_17):
        assert not is_valid(first_17 + wrong)
        assert not _stdnum_is_valid(first_17 + wrong)
