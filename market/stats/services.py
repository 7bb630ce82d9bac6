"""The bureau's figures, summed by SQL over the ledger (never in Python loops)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import extract, func, select, type_coerce

from market.agreements.models import LedgerEntry
from market.extensions import db
from market.money import Money, from_cents


@dataclass(frozen=True)
class Totals:
    count: int
    amount: Decimal  # 万元, exactly two decimals


def agreement_totals(year: int | None = None) -> Totals:
    """Number of agreements and their total amount, optionally for one signing year."""
    query = select(
        func.coalesce(func.sum(LedgerEntry.count), 0),
        type_coerce(func.coalesce(func.sum(LedgerEntry.amount), 0), Money),
    )
    if year is not None:
        query = query.where(
            LedgerEntry.signed_on >= date(year, 1, 1), LedgerEntry.signed_on <= date(year, 12, 31)
        )
    count, amount = db.session.execute(query).one()
    return Totals(int(count), amount if amount is not None else from_cents(0))


def totals_by_year() -> list[tuple[int, Totals]]:
    """Count and amount per signing year, oldest first."""
    year = extract("year", LedgerEntry.signed_on)
    rows = db.session.execute(
        select(
            year,
            func.sum(LedgerEntry.count),
            type_coerce(func.sum(LedgerEntry.amount), Money),
        )
        .group_by(year)
        .order_by(year)
    )
    return [(int(y), Totals(int(c), a)) for y, c, a in rows]
