"""Money is exact: Decimal in, Decimal out, integer hundredths in the database."""

from decimal import Decimal

import pytest

from market.money import AmountError, format_amount, from_cents, parse_amount, to_cents


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12.5", Decimal("12.50")),
        ("4098.22", Decimal("4098.22")),
        ("1,234.56", Decimal("1234.56")),
        ("１２３．４５", Decimal("123.45")),  # full-width digits from a Chinese IME
        (" 30万元 ", Decimal("30.00")),
        ("0.01", Decimal("0.01")),
    ],
)
def test_parse_amount_accepts_what_people_type(typed, expected):
    assert parse_amount(typed) == expected
    assert parse_amount(typed).as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "大于零"),
        ("0", "大于零"),
        ("abc", "格式不正确"),
        ("NaN", "格式不正确"),
        ("Infinity", "格式不正确"),
        ("1e5", "格式不正确"),
        ("12.345", "两位小数"),
        ("99999999", "合理范围"),
        ("", "请填写金额"),
    ],
)
def test_parse_amount_refuses_bad_amounts_in_chinese(typed, message):
    with pytest.raises(AmountError) as error:
        parse_amount(typed)
    assert message in str(error.value)


def test_optional_amount_may_be_empty():
    assert parse_amount("  ", required=False) is None


def test_cents_round_trip_is_exact():
    for text in ("0.01", "4098.22", "999999.99", "0.10"):
        amount = Decimal(text)
        assert from_cents(to_cents(amount)) == amount
    with pytest.raises(ValueError):
        to_cents(Decimal("0.001"))
    with pytest.raises(TypeError):
        to_cents(0.1)  # floats never reach the database


def test_format_amount_uses_thousands_separators():
    assert format_amount(Decimal("4098.22")) == "4,098.22"
    assert format_amount(Decimal("5")) == "5.00"
