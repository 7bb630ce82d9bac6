"""Exact money in 万元: Decimal in Python, integer hundredths of a 万元 in the database.

SQLAlchemy's Numeric goes through float on SQLite, so amounts are stored as BIGINT counts of
0.01 万元 and converted at the boundary. SUM over that column is exact on every backend.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, types

CENT = Decimal("0.01")
# 100 亿元: larger than any single technology contract this market will see.
MAX_AMOUNT = Decimal("1000000.00")
_AMOUNT_PATTERN = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$")


class AmountError(ValueError):
    """An amount entered by a person is not a valid sum of 万元."""


def parse_amount(text: str | None, *, required: bool = True) -> Decimal | None:
    """Turn what a person typed into an exact amount of 万元, or raise AmountError."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip().replace(" ", "")
    cleaned = cleaned.removesuffix("万元")
    if not cleaned:
        if required:
            raise AmountError(_l("请填写金额（万元）。"))
        return None
    if cleaned.startswith("-"):
        raise AmountError(_l("金额必须大于零。"))
    if not _AMOUNT_PATTERN.match(cleaned):
        raise AmountError(_l("金额格式不正确：请填写数字，例如 12.50（单位：万元）。"))
    try:
        amount = Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes these
        raise AmountError(_l("金额格式不正确。")) from exc
    if amount.as_tuple().exponent < -2:
        raise AmountError(_l("金额最多保留两位小数（单位：万元）。"))
    if amount <= 0:
        raise AmountError(_l("金额必须大于零。"))
    if amount > MAX_AMOUNT:
        raise AmountError(_l("金额超出合理范围（不超过 1,000,000.00 万元）。"))
    return amount.quantize(CENT)


def to_cents(amount: Decimal) -> int:
    """Exact count of 0.01 万元 units; refuses anything finer than a cent."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise TypeError(f"money must be a finite Decimal, got {amount!r}")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    """Decimal 万元 with exactly two decimals."""
    return (Decimal(int(cents)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def format_amount(amount: Decimal | None) -> str:
    """Two decimals with thousands separators, as on the bureau's reports: 4,098.22."""
    if amount is None:
        return ""
    return f"{amount.quantize(CENT):,.2f}"


class Money(types.TypeDecorator):
    """A Decimal of 万元 stored exactly as BIGINT hundredths."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else to_cents(value)

    def process_result_value(self, value, dialect):
        return None if value is None else from_cents(value)
