"""One clock for the whole app, so tests can move it and times stay timezone-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Xuchang."""
    return datetime.now(CHINA).date()
