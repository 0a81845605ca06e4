"""The check digit catches every single-digit error and every adjacent transposition, and input may
carry the spaces and dashes printed on cards."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaikukanta.cards.rules import normalise_card_number
from kaikukanta.core import damm
from kaikukanta.core.errors import Code, Refusal

bodies = st.text(alphabet="0123456789", min_size=9, max_size=9)


def with_check_digit(body: str) -> str:
    return body + damm.check_digit(body)


@given(bodies)
def test_a_number_with_its_check_digit_is_valid(body):
    assert damm.is_valid(with_check_digit(body))


@given(bodies)
def test_every_single_digit_substitution_is_detected(body):
    number = with_check_digit(body)
    for position, digit in enumerate(number):
        for other in "0123456789".replace(digit, ""):
            assert not damm.is_valid(number[:position] + other + number[position + 1:])


@given(bodies)
def test_every_adjacent_transposition_is_detected(body):
    number = with_check_digit(body)
    for position in range(len(number) - 1):
        first, second = number[position], number[position + 1]
        if first != second:
            swapped = number[:position] + second + first + number[position + 2:]
            assert not damm.is_valid(swapped)


@given(bodies, st.lists(st.sampled_from(["", " ", "-", "  "]), min_size=11, max_size=11))
def test_spaces_and_dashes_are_ignored(body, separators):
    number = with_check_digit(body)
    typed = "".join(separator + digit for separator, digit in zip(separators, number, strict=False))
    typed += separators[-1]
    assert normalise_card_number(typed) == number


def test_printed_forms_of_a_number_are_read():
    number = with_check_digit("123456789")
    for typed in (f"{number[:5]} {number[5:]}", f"{number[:5]}-{number[5:]}", f" {number} "):
        assert normalise_card_number(typed) == number


@pytest.mark.parametrize(("typed", "code"), [
    ("123456789", Code.INVALID), ("12345678901", Code.INVALID), ("12345x7890", Code.INVALID),
    ("１２３４５６７８９０", Code.INVALID), ("", Code.INVALID)])
def test_anything_but_ten_digits_is_invalid(typed, code):
    with pytest.raises(Refusal) as refused:
        normalise_card_number(typed)
    assert refused.value.code == code


def test_a_wrong_check_digit_is_number_invalid():
    number = with_check_digit("123456789")
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    with pytest.raises(Refusal) as refused:
        normalise_card_number(wrong)
    assert refused.value.code == Code.NUMBER_INVALID


def test_random_numbers_carry_a_valid_check_digit_and_are_not_sequential():
    numbers = [damm.random_number() for _ in range(200)]
    assert all(damm.is_valid(number) for number in numbers)
    assert len(set(numbers)) == 200
    gaps = {int(b[:9]) - int(a[:9]) for a, b in zip(numbers, numbers[1:], strict=False)}
    assert len(gaps) > 100
