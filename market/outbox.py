"""Tasks written in the same transaction as the change they depend on, published after commit.

A web request never calls `.delay()` inside an open transaction: it adds an OutboxTask row; the
unit of work commits, then publishes. If the broker is down the row stays unpublished and the
periodic relay publishes it later. Tasks are idempotent, so publishing twice is harmless.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery.exceptions import Retry
from flask import current_app
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError
from sqlalchemy import JSON, DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from market.extensions import db
from market.timeutil import utcnow

log = logging.getLogger(__name__)

BROKER_ERRORS = (OperationalError, RedisError, OSError, TimeoutError)


class OutboxTask(db.Model):
    __tablename__ = "outbox_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(120))
    args: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


def defer(task: str, *args) -> OutboxTask:
    """Queue `task(*args)` to run once the current transaction has committed."""
    row = OutboxTask(task=task, args=list(args))
    db.session.add(row)
    pending = db.session.info.setdefault("outbox", [])
    pending.append(row)
    return row


def commit() -> None:
    """Commit the session, then publish the tasks it deferred."""
    rows = db.session.info.pop("outbox", [])
    db.session.commit()
    if rows:
        publish([row.id for row in rows])


def rollback() -> None:
    """Roll back and forget the tasks deferred in this transaction."""
    db.session.info.pop("outbox", None)
    db.session.rollback()


def publish(row_ids: list[int]) -> int:
    """Send these outbox rows to the broker; rows that fail stay for the relay.

    One commit for the batch: an import of a thousand postings defers a thousand tasks, and a
    commit per row cost 16 ms each on SQLite. A crash before the commit leaves rows unmarked,
    so the relay sends them again; tasks are idempotent.
    """
    rows = db.session.scalars(
        select(OutboxTask)
        .where(OutboxTask.id.in_(row_ids), OutboxTask.published_at.is_(None))
        .order_by(OutboxTask.id)
    ).all()
    sent = 0
    try:
        for row in rows:
            row.attempts += 1
            _send(row)
            row.published_at = utcnow()
            sent += 1
    except BROKER_ERRORS:  # broker down or hung: the relay will try again
        log.warning(
            "broker unavailable; %d task(s) stay in the outbox", len(rows) - sent, exc_info=True
        )
    finally:
        db.session.commit()
    return sent


def relay(older_than_seconds: int = 0) -> int:
    """Publish outbox rows that were never sent (broker outage, crash after commit)."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    ids = db.session.scalars(
        select(OutboxTask.id)
        .where(OutboxTask.published_at.is_(None), OutboxTask.created_at <= cutoff)
        .order_by(OutboxTask.id)
        .limit(500)
    ).all()
    return publish(list(ids))


def _send(row: OutboxTask) -> None:
    celery = current_app.extensions["celery"]
    try:
        # One attempt, no publish retries: the row stays for the relay, which is the retry.
        # With Celery's default retry policy a hung Redis held a commit for 25 s here, one
        # socket timeout per attempt; without it, one socket timeout.
        celery.tasks[row.task].apply_async(args=row.args, retry=False)
    except Retry:
        pass  # eager mode (tests) only: the task ran and scheduled its own retry
