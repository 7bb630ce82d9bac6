"""The production shape: a real Celery worker on Redis, PostgreSQL and a real SMTP server.

The test process is the "web side": it calls the services and commits with the outbox, as a
request would; the worker subprocess indexes, matches, emails and keeps the ledger. Every
check waits (bounded) for the worker by polling the database, the index or the mail server.

Needs PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379 (database 15, flushed): a
missing service fails the test in CI (CI=true) and skips it elsewhere.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from market import create_app, outbox
from market.accounts.models import Role, User
from market.accounts.services import create_user
from market.agreements.models import Agreement, AgreementStatus, LedgerEntry
from market.agreements.services import submit_agreement
from market.config import celery_config
from market.dockings.models import Docking, DockingStatus
from market.dockings.services import accept_docking, request_docking
from market.extensions import db
from market.matching.models import Match
from market.notifications.models import Channel, EmailStatus, Frequency, Notification
from market.notifications.preferences import set_preference
from market.outbox import OutboxTask
from market.postings import services as postings
from market.postings.models import Posting, PostingStatus
from market.review.services import publish_posting
from market.stats.services import Totals, agreement_totals
from market.timeutil import today
from search_index import IndexStore
from tests import live
from tests.conftest import PASSWORD, PROBLEM_DATA, REDIS_URL, RESULT_DATA, posting_data

pytestmark = pytest.mark.services

BROKER_URL = REDIS_URL  # redis://127.0.0.1:6379/15 unless MARKET_TEST_REDIS says otherwise
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
SETTLE_SECONDS = 60
AGREEMENT_AMOUNT = "1,268.45"  # as the bureau types it
AGREEMENT_TOTAL = Decimal("1268.45")


@pytest.fixture
def broker():
    client = live.redis_db(BROKER_URL)  # flushed
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def pg_url():
    with live.fresh_postgres_database("market_svc") as url:
        yield url


@pytest.fixture
def smtp():
    sink = live.SmtpSink().start()
    yield sink
    sink.stop()


class Stack:
    """The running pieces and a few ways to look at the shared state."""

    def __init__(self, tmp_path: Path, env: dict, smtp: live.SmtpSink, broker, worker):
        self.tmp_path = tmp_path
        self.env = env
        self.smtp = smtp
        self.broker = broker
        self.worker = worker
        self.apps = []
        self.app = self.make_app(BROKER_URL)

    def make_app(self, broker_url: str):
        """The web side, on the same database, index and mail server as the worker (not eager)."""
        app = create_app(
            {
                "SECRET_KEY": self.env["MARKET_SECRET_KEY"],
                "SQLALCHEMY_DATABASE_URI": self.env["MARKET_DATABASE_URL"],
                "MARKET_INDEX_DIR": self.env["MARKET_INDEX_DIR"],
                "MARKET_JIEBA_CACHE_DIR": self.env["MARKET_JIEBA_CACHE_DIR"],
                "MARKET_BROKER_URL": broker_url,
                "MARKET_MAIL_SERVER": "127.0.0.1",
                "MARKET_MAIL_PORT": self.smtp.port,
                # config.py derives CELERY from the environment before overrides are applied, so a
                # MARKET_BROKER_URL override alone would not move the broker: pass the whole block.
                "CELERY": celery_config(broker_url, self.tmp_path / "instance"),
            }
        )
        assert app.extensions["celery"].conf.broker_url == broker_url
        self.apps.append(app)
        return app

    def query(self, fn, app=None):
        """Run fn in a fresh app context (a new session: sees what the worker committed)."""
        with (app or self.app).app_context():
            return fn()

    def indexed_ids(self) -> set[int]:
        store = IndexStore(self.env["MARKET_INDEX_DIR"])
        try:
            return set(store.stamps())
        finally:
            store.close()

    def settle(self, check, what: str, timeout: float = SETTLE_SECONDS):
        def poll():
            self.worker.check_alive()
            return self.query(check)

        return live.wait_for(
            poll, timeout=timeout, what=what, interval=0.3, diagnostics=self.worker.tail
        )

    def close(self):
        for app in self.apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            app.extensions["celery"].close()


@pytest.fixture
def stack(tmp_path, pg_url, broker, smtp, monkeypatch):
    env = live.market_env(tmp_path, database_url=pg_url, broker_url=BROKER_URL, mail_port=smtp.port)
    # create_app also reads the environment: make it this test's, not the developer's shell's.
    for name in [k for k in os.environ if k.startswith("MARKET_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    live.run_market(["db", "upgrade"], env, cwd=tmp_path)
    worker = live.start_worker(tmp_path, env)
    stack = None
    try:
        stack = Stack(tmp_path, env, smtp, broker, worker)
        yield stack
    finally:
        worker.stop()
        if stack is not None:
            stack.close()


def make_people():
    """Two members of a Xuchang company, an institute liaison and a bureau officer."""
    company = [
        create_user(
            email="zhang.gong@ruixiang-dianqi.cn",
            password=PASSWORD,
            name="张工",
            role=Role.ENTERPRISE,
            org_name="许昌瑞祥电气有限公司",
            county="魏都区",
        ),
        create_user(
            email="wang.jingli@ruixiang-dianqi.cn",
            password=PASSWORD,
            name="王经理",
            role=Role.ENTERPRISE,
            org_name="许昌瑞祥电气有限公司",
            county="魏都区",
        ),
    ]
    liaison = create_user(
        email="liu.lx@mail.iee.ac.cn",
        password=PASSWORD,
        name="刘联络",
        role=Role.INSTITUTE,
        org_name="中国科学院电工研究所",
    )
    bureau = create_user(
        email="li.kz@kjj.xuchang.gov.cn",
        password=PASSWORD,
        name="李科长",
        role=Role.BUREAU,
        org_name="许昌市科学技术局",
    )
    # Match emails default to the daily digest; these tests follow immediate delivery.
    for user in (*company, liaison):
        set_preference(user, "match", Channel.EMAIL, Frequency.IMMEDIATE)
    outbox.commit()
    return company, liaison, bureau


def subject_of(message) -> str:
    return str(message["Subject"])


def test_publish_match_notify_and_record_once(stack):
    app = stack.app
    strong = app.config["MARKET_STRONG_MATCH"]

    # The web side: accounts, two postings, the bureau publishes both.
    with app.app_context():
        company, liaison, bureau = make_people()
        problem = postings.create_problem(company[0], posting_data("problem"))
        result = postings.create_result(liaison, posting_data("result"))
        outbox.commit()
        for posting in (problem, result):
            publish_posting(bureau, posting.id)
            outbox.commit()
        pid, rid = problem.id, result.id
        company_ids = [u.id for u in company]
        liaison_id, bureau_id = liaison.id, bureau.id
        emails = {u.id: u.email for u in (*company, liaison)}

    # The worker indexes both, matches them and tells both sides.
    def matched():
        match = db.session.scalar(
            select(Match).where(Match.demand_id == pid, Match.supply_id == rid)
        )
        return match is not None and match.strength >= strong and match

    live.wait_for(
        lambda: {pid, rid} <= stack.indexed_ids(),
        timeout=SETTLE_SECONDS,
        what="both postings in the index",
        diagnostics=stack.worker.tail,
    )
    stack.settle(matched, f"a match of strength >= {strong} between #{pid} and #{rid}")

    # 对接: the liaison asks, the company accepts; the bureau records the agreement twice
    # (a double click), with one submission key.
    with app.app_context():
        liaison, company_user, bureau = (
            db.session.get(User, i) for i in (liaison_id, company_ids[0], bureau_id)
        )
        docking = request_docking(
            liaison, pid, rid, "我们的声表面波测温方案可直接用于贵公司开关柜。"
        )
        outbox.commit()
        accept_docking(company_user, docking.id)
        outbox.commit()
        docking_id = docking.id
        form = {
            "submission_key": "agreement-form-7f3a9c",
            "title": "开关柜无源无线测温技术许可合同",
            "amount": AGREEMENT_AMOUNT,
            "signed_on": today() - timedelta(days=1),
            "docking_id": str(docking_id),
        }
        first = submit_agreement(bureau, dict(form))
        outbox.commit()
        second = submit_agreement(bureau, dict(form))
        outbox.commit()
        assert first.id == second.id
        agreement_id = first.id

    def recorded_and_mailed():
        entries = db.session.scalar(select(func.count(LedgerEntry.id)))
        statuses = set(db.session.scalars(select(Notification.email_status)))
        total = db.session.scalar(select(func.count(Notification.id)))
        return entries >= 1 and statuses == {EmailStatus.SENT} and stack.smtp.count() >= total

    stack.settle(recorded_and_mailed, "the agreement in the ledger and every email sent")

    match_key = f"match:{pid}:{rid}"
    expected_subjects = {
        **{uid: f"新的匹配：“{RESULT_DATA['title']}”" for uid in company_ids},
        liaison_id: f"新的匹配：“{PROBLEM_DATA['title']}”",
    }

    def check_state():
        match = db.session.scalar(
            select(Match).where(Match.demand_id == pid, Match.supply_id == rid)
        )
        assert match.strength >= strong, match.strength
        assert {"开关柜", "测温"} <= set(match.terms), match.terms

        # One in-app notification per user of each side for this match; none for the bureau.
        per_user = Counter(
            db.session.scalars(
                select(Notification.user_id).where(Notification.event_key == match_key)
            )
        )
        assert per_user == Counter({uid: 1 for uid in expected_subjects}), per_user

        # One email each, with the Chinese subject encoded for the wire and decoding back.
        by_recipient = Counter()
        for rcpts, raw, message in stack.smtp.messages:
            if subject_of(message).startswith("新的匹配"):
                by_recipient.update(rcpts)
                owner = next(uid for uid, address in emails.items() if rcpts == [address])
                assert subject_of(message) == expected_subjects[owner]
                assert b"=?utf-8?" in raw.split(b"\n\n", 1)[0].lower(), "subject not RFC 2047"
                body = message.get_body(("plain",)).get_content()
                assert "高度匹配" in body and "/postings/" in body
        assert by_recipient == Counter(emails.values()), by_recipient

        # Every notification emailed exactly once: review 3, match 3, 对接 2 + 1, contract 3.
        notifications = db.session.scalars(select(Notification)).all()
        assert len(notifications) == 12, " ".join(
            f"{n.event_key}@{n.user_id}" for n in notifications
        )
        assert stack.smtp.count() == 12
        assert all(
            n.email_status == EmailStatus.SENT and n.email_attempts == 1 for n in notifications
        )
        assert bureau_id not in {n.user_id for n in notifications}

        # The double submission: one agreement, one ledger line, exact money.
        agreement = db.session.get(Agreement, agreement_id)
        assert db.session.scalar(select(func.count(Agreement.id))) == 1
        entries = db.session.scalars(select(LedgerEntry)).all()
        assert len(entries) == 1 and entries[0].agreement_id == agreement_id
        assert entries[0].amount == AGREEMENT_TOTAL and str(entries[0].amount) == "1268.45"
        assert agreement.status == AgreementStatus.RECORDED
        assert db.session.get(Docking, docking_id).status == DockingStatus.SIGNED
        totals = agreement_totals()
        assert totals == Totals(1, AGREEMENT_TOTAL)
        assert str(totals.amount) == "1268.45"
        return {
            "agreements": db.session.scalar(select(func.count(Agreement.id))),
            "ledger": db.session.scalar(select(func.count(LedgerEntry.id))),
            "matches": db.session.scalar(select(func.count(Match.id))),
            "dockings": db.session.scalar(select(func.count(Docking.id))),
            "outbox": db.session.scalar(select(func.count(OutboxTask.id))),
            "notifications": sorted(
                (n.id, n.event_key, n.email_status.value, n.email_attempts) for n in notifications
            ),
            "match_notification_ids": sorted(
                n.id for n in notifications if n.event_key == match_key
            ),
            "totals": totals,
            "emails": stack.smtp.count(),
        }

    before = stack.query(check_state)

    # Idempotency: the same tasks again, by hand, straight to the broker.
    celery_app = app.extensions["celery"]
    resent = [
        celery_app.send_task("worker.tasks.record_agreement", [agreement_id]),
        celery_app.send_task("worker.tasks.record_agreement", [agreement_id]),
        *(
            celery_app.send_task("worker.tasks.deliver_notification", [nid])
            for nid in before["match_notification_ids"]
        ),
        celery_app.send_task("worker.tasks.match_posting", [pid]),
        celery_app.send_task("worker.tasks.match_posting", [rid]),
    ]
    live.wait_tasks_succeeded(stack.worker, [r.id for r in resent], timeout=SETTLE_SECONDS)
    live.wait_for(
        lambda: live.broker_is_idle(stack.broker),
        timeout=30,
        what="the broker queues to drain",
        diagnostics=stack.worker.tail,
    )
    time.sleep(0.5)  # a mail a duplicate delivery might send would arrive by now

    after = stack.query(check_state)
    assert after == before


def test_publish_survives_a_dead_broker_and_the_relay_delivers(stack):
    dead_app = stack.make_app(DEAD_BROKER_URL)

    with stack.app.app_context():
        company, liaison, bureau = make_people()
        problem = postings.create_problem(company[0], posting_data("problem"))
        outbox.commit()
        pid, bureau_id = problem.id, bureau.id

    # Publishing while the broker is unreachable: the decision commits; the tasks wait.
    with dead_app.app_context():
        started = time.monotonic()
        publish_posting(db.session.get(User, bureau_id), pid)
        outbox.commit()  # must not raise
        elapsed = time.monotonic() - started
    assert elapsed < 20, f"publishing against a dead broker took {elapsed:.1f} s"

    def stranded():
        posting = db.session.get(Posting, pid)
        assert posting.status == PostingStatus.PUBLISHED and posting.published_at is not None
        rows = db.session.scalars(select(OutboxTask).order_by(OutboxTask.id)).all()
        assert [r.task for r in rows] == [
            "worker.tasks.index_posting",
            "worker.tasks.deliver_notification",
            "worker.tasks.deliver_notification",
        ], rows
        assert rows[0].args == [pid]
        assert all(r.published_at is None for r in rows)
        assert rows[0].attempts == 1  # tried once, then left for the relay
        return [r.id for r in rows]

    row_ids = stack.query(stranded, app=stack.app)
    assert live.broker_is_idle(stack.broker), "a task reached the real broker"
    time.sleep(1.0)
    assert pid not in stack.indexed_ids()

    # The relay, with the real broker, publishes them; the worker indexes the posting.
    with stack.app.app_context():
        assert outbox.relay() == len(row_ids)
    with stack.app.app_context():
        assert outbox.relay() == 0
        assert (
            db.session.scalar(
                select(func.count(OutboxTask.id)).where(OutboxTask.published_at.is_(None))
            )
            == 0
        )

    live.wait_for(
        lambda: pid in stack.indexed_ids(),
        timeout=SETTLE_SECONDS,
        what=f"posting #{pid} in the index after the relay",
        diagnostics=stack.worker.tail,
    )
    stack.settle(
        lambda: (
            stack.smtp.count() == 2
            and set(db.session.scalars(select(Notification.email_status))) == {EmailStatus.SENT}
        ),
        "both company members' review emails after the relay",
    )
    subjects = {subject_of(m) for _r, _raw, m in stack.smtp.messages}
    assert subjects == {f"您发布的“{PROBLEM_DATA['title']}”已通过审核并公开"}
