"""In-app notifications and email over real SMTP: each recipient and event exactly once."""

import pytest
from sqlalchemy import func, select

from market import outbox
from market.accounts.models import Role
from market.extensions import db
from market.notifications.models import EmailStatus, Notification
from market.notifications.services import deliver_email, notify
from tests.live import SmtpSink
from worker.tasks import EMAIL_MAX_RETRIES, deliver_notification


@pytest.fixture
def smtp(app):
    with SmtpSink() as server:
        app.config.update(MARKET_MAIL_SERVER="127.0.0.1", MARKET_MAIL_PORT=server.port)
        yield server


def test_a_publish_emails_the_poster_once_in_chinese(smtp, make_posting):
    problem = make_posting("problem", publish=True)
    mail = smtp.to(problem.author.email)
    review_mail = [m for m in mail if "已通过审核" in m["Subject"]]
    assert len(review_mail) == 1
    message = review_mail[0]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert problem.title in message["Subject"]
    assert "您好" in text and f"/postings/{problem.id}" in text
    assert "查看详情" in html
    note = db.session.scalar(select(Notification).where(Notification.event_key.like("review:%")))
    assert note.email_status == EmailStatus.SENT


def test_a_repeated_delivery_sends_nothing_more(smtp, make_user):
    user = make_user(Role.ENTERPRISE)
    [note] = notify([user], event_key="test:1", subject="测试通知", body="内容")
    outbox.commit()
    assert len(smtp.to(user.email)) == 1
    assert deliver_email(note.id) is False  # a retried or duplicated task
    assert len(smtp.to(user.email)) == 1
    assert notify([user], event_key="test:1", subject="测试通知", body="内容") == []
    outbox.commit()
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def retry(note_id: int, attempt: int) -> None:
    """Run the worker's n-th retry; in eager mode its own further retries run inline too."""
    deliver_notification.apply(args=[note_id], retries=attempt, throw=False)
    db.session.expire_all()


def test_a_mail_server_failure_is_retried_then_delivered(smtp, make_user):
    smtp.refuse_next(2)  # two temporary failures, then success
    user = make_user(Role.INSTITUTE)
    [note] = notify([user], event_key="test:retry", subject="重试通知", body="内容")
    outbox.commit()
    assert note.email_status == EmailStatus.PENDING  # first try refused, retry scheduled
    retry(note.id, 1)  # refused once more, then delivered on the next retry
    assert len(smtp.to(user.email)) == 1
    assert note.email_status == EmailStatus.SENT
    assert note.email_attempts == 3
    retry(note.id, 3)  # a duplicate of the last retry
    assert len(smtp.to(user.email)) == 1


def test_after_the_last_retry_the_email_is_marked_failed_for_the_bureau(
    smtp, client, auth, make_user
):
    smtp.refuse_next(100)
    user = make_user(Role.INSTITUTE)
    [note] = notify([user], event_key="test:fail", subject="失败通知", body="内容")
    outbox.commit()
    retry(note.id, EMAIL_MAX_RETRIES)  # the last retry: no further one is scheduled
    assert note.email_status == EmailStatus.FAILED
    assert note.email_attempts == 2  # the first try, then the last retry
    assert "451" in note.email_error
    assert smtp.to(user.email) == []
    auth.login(make_user(Role.BUREAU))
    assert "发送失败的邮件通知" in client.get("/bureau/dashboard").text


def test_without_a_mail_server_notifications_are_in_app_only(client, auth, make_posting):
    problem = make_posting("problem", publish=True)
    note = db.session.scalar(select(Notification).where(Notification.user_id == problem.author_id))
    assert note.email_status == EmailStatus.NOT_NEEDED
    auth.login(problem.author)
    home = client.get("/").text
    assert 'data-testid="unread"' in home
    inbox = client.get("/notifications/").text
    assert "已通过审核" in inbox
    client.post("/notifications/read")
    assert 'data-testid="unread"' not in client.get("/").text


def test_an_email_whose_worker_died_mid_delivery_is_sent_again(smtp, make_user):
    from datetime import timedelta

    from market.notifications.services import requeue_stale_emails
    from market.timeutil import utcnow

    smtp.refuse_next(1)  # the first attempt fails and leaves the row pending
    user = make_user(Role.ENTERPRISE)
    [note] = notify([user], event_key="test:died", subject="中断的通知", body="内容")
    outbox.commit()
    # Simulate a worker killed after claiming the row: SENDING, claimed 20 minutes ago.
    note.email_status = EmailStatus.SENDING
    note.claimed_at = utcnow() - timedelta(minutes=20)
    db.session.commit()
    assert deliver_email(note.id) is False  # nobody else may send a claimed row
    assert requeue_stale_emails(600) == 1
    outbox.commit()
    db.session.expire_all()
    assert note.email_status == EmailStatus.SENT
    assert len(smtp.to(user.email)) == 1
    assert requeue_stale_emails(600) == 0
