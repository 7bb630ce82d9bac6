"""Claiming an email row before sending it, so that of two workers only one sends.

A notification's own email and a digest's email go through the same steps: one atomic UPDATE
moves the row from PENDING to SENDING (the winner gets rowcount 1); a failed attempt puts it
back to PENDING with the error; a claim older than the stale limit belongs to a dead worker
and is put back and queued again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select, update

from market import outbox
from market.extensions import db
from market.notifications import mail
from market.notifications.models import EmailStatus
from market.timeutil import utcnow


class TransientMailError(Exception):
    """The mail server could not take the message now; try again later."""


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

    def send(self, row_id: int, compose: Callable[[object], EmailMessage]):
        """Claim the row and send compose(row); the row (for the caller to mark sent), or None
        when another worker has it. A failed attempt puts the row back and raises
        TransientMailError for the network, the error itself for a bug."""
        if not self.claim(row_id):
            return None
        row = db.session.get(self.model, row_id)
        try:
            mail.send(compose(row))
        except mail.TRANSIENT_ERRORS as exc:
            self.release(row_id, str(exc))
            raise TransientMailError(str(exc)) from exc
        except Exception as exc:  # a bug, not the network: keep the row visible, never stuck
            self.release(row_id, repr(exc))
            raise
        return row

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
