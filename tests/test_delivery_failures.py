"""Email under failure, with a real Celery worker and beat on real Redis, PostgreSQL and SMTP.

Each test breaks something and then counts what the mail server received:
- Redis hung (SIGSTOP) and then dead (SIGKILL) while notifications are posted: posting still
  succeeds quickly; once Redis is back on its port the beat's relay drains the outbox.
- The worker SIGKILLed while the mail server holds its delivery before DATA: a new worker and
  the stale-claim requeue deliver it.
- The remaining window, shown rather than hidden: the worker SIGKILLed after the mail server
  accepted a message but before the worker recorded it as sent. The claim goes stale, the
  requeue sends it again, and the recipient gets it twice (at least once, not exactly once).
- Duplicated and retried tasks (deliveries, digests) are no-ops.

The counts are printed (run with -s) for the closing note. The test process is the web side,
as in tests/test_worker_services.py. Needs PostgreSQL and redis-server (the Redis-outage test
starts its own on a free port; the others use MARKET_TEST_REDIS's database, flushed).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from market import create_app, outbox
from market.accounts.models import Role, User
from market.accounts.services import create_user
from market.config import celery_config
from market.extensions import db
from market.notifications.models import (
    Channel,
    EmailStatus,
    Frequency,
    Notification,
    NotificationDigest,
)
from market.notifications.preferences import set_preference
from market.notifications.services import notify
from market.outbox import OutboxTask
from tests import live
from tests.conftest import PASSWORD, REDIS_URL

pytestmark = pytest.mark.services

SETTLE_SECONDS = 90
STALE_SECONDS = 4  # a claim this old belongs to a dead worker (production: 600)
POST_SECONDS = 12  # a post must commit within this even with Redis hung (socket timeout 5 s)


@pytest.fixture
def pg_url():
    with live.fresh_postgres_database("market_fail") as url:
        yield url


@pytest.fixture
def smtp():
    sink = live.HoldingSmtpSink().start()
    yield sink
    sink.stop()


class Portal:
    """The web side (this process) and the worker side (subprocesses) on one broker."""

    def __init__(self, tmp_path: Path, env: dict, smtp: live.HoldingSmtpSink):
        self.tmp_path = tmp_path
        self.env = env
        self.smtp = smtp
        self.services: list[live.Service] = []
        self.app = create_app(
            {
                "SECRET_KEY": env["MARKET_SECRET_KEY"],
                "SQLALCHEMY_DATABASE_URI": env["MARKET_DATABASE_URL"],
                "MARKET_INDEX_DIR": env["MARKET_INDEX_DIR"],
                "MARKET_JIEBA_CACHE_DIR": env["MARKET_JIEBA_CACHE_DIR"],
                "MARKET_BROKER_URL": env["MARKET_BROKER_URL"],
                "MARKET_MAIL_SERVER": "127.0.0.1",
                "MARKET_MAIL_PORT": smtp.port,
                "CELERY": celery_config(env["MARKET_BROKER_URL"], tmp_path / "instance"),
            }
        )

    def start_worker(self, name: str = "worker") -> live.Service:
        worker = live.start_worker(self.tmp_path, self.env, name)
        self.services.append(worker)
        return worker

    def start_beat(self) -> live.Service:
        beat = live.launch_beat(self.tmp_path, self.env)
        self.services.append(beat)
        return beat

    def logs(self) -> str:
        return "\n".join(s.tail(40) for s in self.services)

    def query(self, fn):
        with self.app.app_context():
            return fn()

    def settle(self, check, what: str, timeout: float = SETTLE_SECONDS):
        def poll():
            for service in self.services:
                if not service.stopped:
                    service.check_alive()
            return self.query(check)

        return live.wait_for(poll, timeout=timeout, what=what, interval=0.3, diagnostics=self.logs)

    def close(self):
        for service in reversed(self.services):
            service.stop()
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        self.app.extensions["celery"].close()


@pytest.fixture
def make_portal(tmp_path, pg_url, smtp, monkeypatch):
    portals = []

    def make(broker_url: str) -> Portal:
        env = live.market_env(
            tmp_path, database_url=pg_url, broker_url=broker_url, mail_port=smtp.port
        )
        env.update(
            MARKET_INSTANCE_DIR=str(tmp_path / "instance"),  # not the repository's instance/
            MARKET_OUTBOX_RELAY_SECONDS="1",
            MARKET_EMAIL_STALE_SECONDS=str(STALE_SECONDS),
        )
        for name in [k for k in os.environ if k.startswith("MARKET_")]:
            monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        live.run_market(["db", "upgrade"], env, cwd=tmp_path)
        portal = Portal(tmp_path, env, smtp)
        portals.append(portal)
        return portal

    yield make
    for portal in portals:
        portal.close()


def make_recipients(count: int) -> list[int]:
    """Company liaisons, each in their own company, who want 对接 email at once (the default)."""
    users = [
        create_user(
            email=f"lianluo{i}@xuchang-qiye{i}.cn",
            password=PASSWORD,
            name=f"联络人{i}",
            role=Role.ENTERPRISE,
            org_name=f"许昌测试企业{i}有限公司",
            county="魏都区",
        )
        for i in range(count)
    ]
    outbox.commit()
    return [u.id for u in users]


def post_request(user_id: int, number: int) -> float:
    """What a web request does for a new 对接 request: notify and commit; returns seconds."""
    started = time.monotonic()
    notify(
        [db.session.get(User, user_id)],
        event_key=f"docking:{number}:requested",
        subject=f"收到新的对接请求（第 {number} 号）",
        body="刘联络希望就开关柜测温技术与贵公司对接，请在 7 天内答复。",
        link="/dockings/",
        category="docking",
    )
    outbox.commit()  # must not raise, and must not hang
    return time.monotonic() - started


def mail_per_recipient(smtp: live.SmtpSink) -> Counter:
    return Counter(r for rcpts, _raw, _m in smtp.messages for r in rcpts)


def all_sent(count: int):
    def check():
        statuses = list(db.session.scalars(select(Notification.email_status)))
        return len(statuses) == count and set(statuses) == {EmailStatus.SENT}

    return check


def emails_of(user_ids: list[int]) -> list[str]:
    return [db.session.get(User, i).email for i in user_ids]


def report(name: str, **figures) -> None:
    print(f"\n[delivery-failures] {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def test_redis_hung_then_dead_while_posting_each_email_arrives_once(tmp_path, make_portal):
    redis = live.RedisServer(tmp_path).start()
    try:
        portal = make_portal(redis.url)
        portal.start_worker()
        portal.start_beat()
        with portal.app.app_context():
            user_ids = make_recipients(6)
            addresses = emails_of(user_ids)

        # Hung: the port accepts connections and never answers (the socket timeouts' case).
        redis.hang()
        with portal.app.app_context():
            hung = [post_request(uid, n) for n, uid in enumerate(user_ids[:3], start=1)]
        # Dead: connections refused.
        redis.kill()
        with portal.app.app_context():
            dead = [post_request(uid, n) for n, uid in enumerate(user_ids[3:], start=4)]
        assert max(hung + dead) < POST_SECONDS, (hung, dead)

        def stranded():
            rows = db.session.scalars(select(OutboxTask)).all()
            notes = db.session.scalars(select(Notification)).all()
            assert len(notes) == 6 and {n.email_status for n in notes} == {EmailStatus.PENDING}
            return sum(1 for r in rows if r.published_at is None)

        assert portal.query(stranded) == 6  # every delivery task waits in the outbox
        assert portal.smtp.count() == 0

        # Redis back on the same port: the worker and beat reconnect, the relay publishes.
        redis.start()
        portal.settle(all_sent(6), "all six emails sent after Redis came back")
        time.sleep(2.0)  # a duplicate would arrive by now
        counts = mail_per_recipient(portal.smtp)
        unpublished = portal.query(
            lambda: db.session.scalar(
                select(func.count(OutboxTask.id)).where(OutboxTask.published_at.is_(None))
            )
        )
        report(
            "redis hung then dead while posting",
            posted=6,
            post_seconds_hung=[round(s, 2) for s in hung],
            post_seconds_dead=[round(s, 2) for s in dead],
            emails=portal.smtp.count(),
            per_recipient=sorted(counts.values()),
            unpublished_after=unpublished,
        )
        assert counts == Counter({a: 1 for a in addresses})
        assert unpublished == 0
    finally:
        redis.stop()


def test_a_worker_killed_mid_delivery_leaves_each_email_sent_once(make_portal, smtp):
    broker = live.redis_db(REDIS_URL)  # flushed
    try:
        portal = make_portal(REDIS_URL)
        worker = portal.start_worker()
        portal.start_beat()
        with portal.app.app_context():
            user_ids = make_recipients(4)
            addresses = emails_of(user_ids)

        smtp.hold("rcpt")  # the server holds the conversation before DATA
        with portal.app.app_context():
            for n, uid in enumerate(user_ids, start=1):
                post_request(uid, n)

        def claimed_and_held():
            sending = db.session.scalars(
                select(Notification.id).where(Notification.email_status == EmailStatus.SENDING)
            ).all()
            return smtp.held() == 1 and len(sending) == 1 and sending[0]

        held_id = portal.settle(claimed_and_held, "the worker to be inside an SMTP delivery")
        live.kill_now(worker)
        smtp.release()
        assert smtp.count() == 0

        portal.start_worker("worker2")
        portal.settle(all_sent(4), "all four emails sent by the new worker")
        time.sleep(2.0)
        counts = mail_per_recipient(smtp)
        attempts = portal.query(lambda: db.session.get(Notification, held_id).email_attempts)
        report(
            "worker SIGKILLed while the mail server held a delivery before DATA",
            notifications=4,
            emails=smtp.count(),
            per_recipient=sorted(counts.values()),
            killed_delivery_attempts=attempts,
        )
        assert counts == Counter({a: 1 for a in addresses})
        assert attempts == 2  # claimed by the killed worker, requeued once stale, sent
    finally:
        broker.flushdb()
        broker.close()


def test_the_window_after_smtp_accepted_and_before_the_commit_sends_twice(make_portal, smtp):
    """The one case not covered: the mail server accepted the message (250) and the worker
    died before committing SENT. The row stays SENDING; after MARKET_EMAIL_STALE_SECONDS the
    requeue sends it again. The system chooses at least once: a duplicate here, never a loss.
    The window is one SMTP reply plus one commit. The copy carries the same Message-ID (stable
    per notification), so a receiving server or client that deduplicates drops it; nothing on
    our side can close the window, since SMTP has no way to ask "did you already take this?"."""
    broker = live.redis_db(REDIS_URL)
    try:
        portal = make_portal(REDIS_URL)
        worker = portal.start_worker()
        portal.start_beat()
        with portal.app.app_context():
            [user_id] = make_recipients(1)
            [address] = emails_of([user_id])

        smtp.hold("data")  # keep the message, hold the final 250
        with portal.app.app_context():
            post_request(user_id, 1)
        live.wait_for(lambda: smtp.held() == 1, timeout=30, what="the held DATA reply")
        live.kill_now(worker)
        smtp.release()

        portal.start_worker("worker2")
        portal.settle(all_sent(1), "the requeued email sent")
        time.sleep(2.0)
        counts = mail_per_recipient(smtp)
        ids = {str(m["Message-ID"]) for _r, _raw, m in smtp.messages}
        report(
            "worker SIGKILLed after the server accepted, before the commit",
            notifications=1,
            emails=smtp.count(),
            per_recipient=sorted(counts.values()),
            distinct_message_ids=len(ids),
        )
        assert counts == Counter({address: 2})
        assert len(ids) == 1  # the copy carries the first one's Message-ID
    finally:
        broker.flushdb()
        broker.close()


def test_duplicated_and_retried_tasks_send_nothing_more(make_portal, smtp):
    broker = live.redis_db(REDIS_URL)
    try:
        portal = make_portal(REDIS_URL)
        worker = portal.start_worker()
        with portal.app.app_context():
            user_ids = make_recipients(3)
            for n, uid in enumerate(user_ids, start=1):
                post_request(uid, n)
            # One recipient also has two event notices waiting for the daily digest.
            first_user = db.session.get(User, user_ids[0])
            set_preference(first_user, "event", Channel.EMAIL, Frequency.DAILY)
            for n in (1, 2):
                notify(
                    [first_user],
                    event_key=f"event:{n}:published",
                    subject=f"新活动：产学研专题对接会（第 {n} 场）",
                    body="欢迎报名参加。",
                    category="event",
                )
            outbox.commit()
        portal.settle(
            lambda: (
                db.session.scalar(
                    select(func.count(Notification.id)).where(
                        Notification.email_status == EmailStatus.SENT
                    )
                )
                == 3
            ),
            "the three immediate emails",
        )
        celery_app = portal.app.extensions["celery"]
        ids = portal.query(lambda: db.session.scalars(select(Notification.id)).all())
        resent = [
            celery_app.send_task("worker.tasks.deliver_notification", [nid])
            for nid in ids
            for _twice in range(2)
        ]
        resent += [celery_app.send_task("worker.tasks.send_digests", ["daily"]) for _ in range(2)]
        live.wait_tasks_succeeded(worker, [r.id for r in resent], timeout=SETTLE_SECONDS)
        [digest_id] = portal.query(lambda: db.session.scalars(select(NotificationDigest.id)).all())
        portal.settle(
            lambda: db.session.get(NotificationDigest, digest_id).status == EmailStatus.SENT,
            "the digest sent",
        )
        again = [celery_app.send_task("worker.tasks.deliver_digest", [digest_id]) for _ in range(2)]
        live.wait_tasks_succeeded(worker, [r.id for r in again], timeout=SETTLE_SECONDS)
        time.sleep(1.0)
        counts = mail_per_recipient(smtp)
        report(
            "duplicated deliveries and digest runs",
            duplicate_tasks=len(resent) + len(again),
            emails=smtp.count(),
            per_recipient=sorted(counts.values()),
            digests=portal.query(
                lambda: db.session.scalar(select(func.count(NotificationDigest.id)))
            ),
        )
        first = portal.query(lambda: db.session.get(User, user_ids[0]).email)
        assert smtp.count() == 4  # three immediate emails and one digest
        assert counts[first] == 2 and sorted(counts.values()) == [1, 1, 2]
    finally:
        broker.flushdb()
        broker.close()
