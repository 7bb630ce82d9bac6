"""One clock for the whole app, so tests can move it and times stay timezone-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Xuchang."""
    return datetime.now(CHINA).date()


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands back naive UTC, PostgreSQL aware)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The Xuchang calendar date of a stored time (naive values are UTC, as SQLite returns)."""
    return as_utc(moment).astimezone(CHINA).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where this Xuchang day begins and the next one begins."""
    start = datetime.combine(day, time(0), tzinfo=CHINA)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)
