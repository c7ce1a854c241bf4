import datetime

import pytest
from django.utils import translation

from members.exceptions import InvalidIdNumber
from members.id_numbers import check_character, mask_id_number, validate_id_number

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
