"""Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from market import outbox
from market.agreements import services as agreements
from market.dockings import services as dockings
from market.events import services as events
from market.freshness import services as freshness
from market.matching import services as matching
from market.notifications import digests
from market.notifications import services as notifications

log = logging.getLogger(__name__)

EMAIL_MAX_RETRIES = 5


@shared_task(name="worker.tasks.index_posting")
def index_posting(posting_id: int) -> None:
    """Bring one posting's index document up to date (runs on the single-writer queue)."""
    matching.sync_posting_index(posting_id)
    outbox.commit()


@shared_task(name="worker.tasks.index_postings")
def index_postings(posting_ids: list[int]) -> None:
    """Index a batch of postings in one commit (bulk imports; also the single-writer queue)."""
    matching.sync_postings_index(posting_ids)
    outbox.commit()


@shared_task(name="worker.tasks.match_posting")
def match_posting(posting_id: int) -> None:
    """Compute and store one (new or changed) posting's matches, notifying both sides of new
    strong ones; counterparts whose matches with it went unconfirmed are matched again."""
    matching.compute_matches(posting_id, recheck_counterparts=True)
    outbox.commit()


@shared_task(name="worker.tasks.rematch_postings")
def rematch_postings(posting_ids: list[int]) -> int:
    """Recompute a batch of postings' matches (after a withdrawal or a thesaurus change)."""
    count = matching.rematch_postings(posting_ids)
    outbox.commit()
    return count


@shared_task(name="worker.tasks.withdraw_matches")
def withdraw_matches(posting_id: int) -> None:
    """Take a no longer visible posting out of match lists and re-match its counterparts."""
    matching.withdraw_matches(posting_id)
    outbox.commit()


@shared_task(name="worker.tasks.rematch_for_thesaurus")
def rematch_for_thesaurus() -> int:
    """When the thesaurus changed since matches were computed, re-match demands in batches."""
    count = matching.rematch_if_thesaurus_changed()
    outbox.commit()
    return count


@shared_task(name="worker.tasks.deliver_notification", bind=True, max_retries=EMAIL_MAX_RETRIES)
def deliver_notification(self, notification_id: int) -> None:
    """Email one notification once; retry with backoff, then mark it failed for the bureau."""
    try:
        notifications.deliver_email(notification_id)
    except notifications.TransientMailError as exc:
        if self.request.retries >= self.max_retries:
            notifications.mark_email_failed(notification_id, str(exc))
            return
        countdown = min(600, 10 * 2**self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="worker.tasks.record_agreement")
def record_agreement(agreement_id: int) -> None:
    """Enter one submitted agreement into the ledger and notify its parties."""
    agreements.record_in_ledger(agreement_id)
    outbox.commit()


@shared_task(name="worker.tasks.apply_agreement_correction")
def apply_agreement_correction(correction_id: int) -> None:
    """Write one correction or cancellation into the ledger (reversal, replacement) once."""
    agreements.apply_correction(correction_id)
    outbox.commit()


@shared_task(name="worker.tasks.requeue_stale_emails")
def requeue_stale_emails() -> int:
    """Send again the emails whose worker died mid-delivery (at least once beats never)."""
    stale_seconds = current_app.config["MARKET_EMAIL_STALE_SECONDS"]
    count = notifications.requeue_stale_emails(stale_seconds)
    count += digests.requeue_stale_digests(stale_seconds)
    outbox.commit()
    return count


@shared_task(name="worker.tasks.send_digests")
def send_digests(frequency: str) -> int:
    """Make this period's daily or weekly digests (once per user and period) and mail them."""
    made = digests.prepare_digests(frequency)
    outbox.commit()
    return len(made)


@shared_task(name="worker.tasks.deliver_digest", bind=True, max_retries=EMAIL_MAX_RETRIES)
def deliver_digest(self, digest_id: int) -> None:
    """Email one digest once; retry with backoff, then mark it failed for the bureau."""
    try:
        digests.deliver_digest(digest_id)
    except notifications.TransientMailError as exc:
        if self.request.retries >= self.max_retries:
            digests.mark_digest_failed(digest_id, str(exc))
            return
        countdown = min(600, 10 * 2**self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="worker.tasks.remind_docking_deadlines")
def remind_docking_deadlines() -> int:
    """Remind the party who must act on a 对接 before its deadline (once per deadline)."""
    count = dockings.remind_due_dockings()
    outbox.commit()
    return count


@shared_task(name="worker.tasks.relay_outbox")
def relay_outbox() -> int:
    """Publish outbox tasks the broker never received."""
    seconds = current_app.config["MARKET_OUTBOX_RELAY_SECONDS"]
    return outbox.relay(older_than_seconds=seconds)


@shared_task(name="worker.tasks.remind_expiring_postings")
def remind_expiring_postings() -> int:
    """Ask owners to reconfirm postings about to expire (once per posting and expiry date)."""
    count = freshness.remind_expiring_postings()
    outbox.commit()
    return count


@shared_task(name="worker.tasks.archive_expired_postings")
def archive_expired_postings() -> int:
    """Archive postings past their valid-until date and take them out of the index."""
    count = freshness.archive_expired_postings()
    outbox.commit()
    return count


@shared_task(name="worker.tasks.remind_event_registrants")
def remind_event_registrants() -> int:
    """Remind registered organisations of tomorrow's events (once per registration)."""
    count = events.remind_registrants()
    outbox.commit()
    return count
