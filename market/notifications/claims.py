"""Claiming an email row before sending it, so that of two workers only one sends.

A notification's own email and a digest's email go through the same steps: one atomic UPDATE
moves the row from PENDING to SENDING (the winner gets rowcount 1); a failed attempt puts it
back to PENDING with the error; a claim older than the stale limit belongs to a dead worker
and is put back and queued again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from market import outbox
from market.extensions import db
from market.notifications.models import EmailStatus
from market.timeutil import utcnow


@dataclass(frozen=True)
class EmailClaim:
    """The columns of one kind of email row: its status, attempt counter and last error."""

    model: type
    status: str
    attempts: str
    error: str
    task: str  # the delivery task that takes the row's id

    def _column(self, name: str):
        return getattr(self.model, name)

    def claim(self, row_id: int) -> bool:
        """Take the row for sending (and commit); False when another worker has it."""
        claimed = db.session.execute(
            update(self.model)
            .where(self.model.id == row_id, self._column(self.status) == EmailStatus.PENDING)
            .values(
                {
                    self.status: EmailStatus.SENDING,
                    self.attempts: self._column(self.attempts) + 1,
                    "claimed_at": utcnow(),
                }
            )
        ).rowcount
        db.session.commit()
        return claimed == 1

    def release(self, row_id: int, error: str) -> None:
        """After a failed attempt: drop the half-done work, put the row back (committed)."""
        db.session.rollback()
        self.back_to_pending(row_id, error)
        db.session.commit()

    def back_to_pending(self, row_id: int, error: str) -> None:
        db.session.execute(
            update(self.model)
            .where(self.model.id == row_id, self._column(self.status) == EmailStatus.SENDING)
            .values({self.status: EmailStatus.PENDING, self.error: error[:2000]})
        )

    def requeue_stale(self, stale_after_seconds: int) -> int:
        """Put back rows claimed long ago by a worker that died, and queue their delivery."""
        cutoff = utcnow() - timedelta(seconds=stale_after_seconds)
        stale = db.session.scalars(
            select(self.model.id).where(
                self._column(self.status) == EmailStatus.SENDING,
                self.model.claimed_at < cutoff,
            )
        ).all()
        for row_id in stale:
            self.back_to_pending(row_id, "worker stopped during delivery")
            outbox.defer(self.task, row_id)
        return len(stale)
