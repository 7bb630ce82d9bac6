"""Preferences per category and channel, digests, unsubscribe links and the settings page."""

from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from market import outbox
from market.accounts.models import Role
from market.extensions import db
from market.matching.models import Match
from market.notifications import digests, preferences
from market.notifications.models import (
    Channel,
    EmailStatus,
    Frequency,
    Notification,
    NotificationDigest,
    NotificationPreference,
)
from market.notifications.services import notifications_for, notify, unread_count
from tests.live import SmtpSink
from worker.tasks import EMAIL_MAX_RETRIES, deliver_digest, send_digests

MONDAY = date(2026, 11, 30)


@pytest.fixture
def smtp(app):
    with SmtpSink() as server:
        app.config.update(MARKET_MAIL_SERVER="127.0.0.1", MARKET_MAIL_PORT=server.port)
        yield server


@pytest.fixture
def mail_folder(app, tmp_path):
    """Development mode: no mail server, mail written to a folder."""
    folder = tmp_path / "mail"
    app.config.update(MARKET_MAIL_SERVER=None, MARKET_MAIL_FOLDER=str(folder))
    return folder


@pytest.fixture
def company_user(make_user):
    return make_user(Role.ENTERPRISE, name="张工")


@pytest.fixture
def make_matches(make_posting, make_user, company_user):
    """A problem of company_user's and `count` results matched to it, with these strengths;
    each match announced to company_user as the matching engine does (category "match")."""
    state = {}

    def make(strengths: list[float]) -> list[Match]:
        if "problem" not in state:
            state["problem"] = make_posting("problem", author=company_user)
            state["liaison"] = make_user(Role.INSTITUTE, name="刘联络")
        problem, liaison = state["problem"], state["liaison"]
        made = []
        for strength in strengths:
            result = make_posting("result", author=liaison, title=f"成果 {strength:.2f}")
            match = Match(
                demand=problem, supply=result, score=strength * 10, strength=strength, terms=[]
            )
            db.session.add(match)
            db.session.flush()
            announce(company_user, match)
            made.append(match)
        outbox.commit()
        return made

    return make


def announce(user, match: Match) -> list[Notification]:
    return notify(
        [user],
        event_key=f"match:{match.demand_id}:{match.supply_id}",
        subject=f"新的匹配：“{match.supply.title}”",
        body=f"您发布的“{match.demand.title}”与“{match.supply.title}”高度匹配。",
        link=f"/postings/{match.demand_id}",
        category="match",
    )


def choose(user, category: str, channel: Channel, frequency: Frequency) -> None:
    preferences.set_preference(user, category, channel, frequency)
    outbox.commit()


def run_digests(frequency: str, day: date) -> list[int]:
    made = digests.prepare_digests(Frequency(frequency), today=day)
    outbox.commit()  # eager: each digest's delivery runs here
    db.session.expire_all()
    return made


def listed_titles(message) -> list[str]:
    text = message.get_body(("plain",)).get_content()
    return [line.split("“")[1].split("”")[0] for line in text.splitlines() if ". 新的匹配" in line]


# --- the preference matrix -------------------------------------------------------------------


def test_defaults_mail_matches_in_a_daily_digest_and_the_rest_at_once(mail_folder, company_user):
    chosen = preferences.preferences_of(company_user)
    assert chosen[("match", Channel.EMAIL)] == Frequency.DAILY
    assert chosen[("docking", Channel.EMAIL)] == Frequency.IMMEDIATE
    assert chosen[("review", Channel.EMAIL)] == Frequency.IMMEDIATE
    assert chosen[("agreement", Channel.EMAIL)] == Frequency.IMMEDIATE
    assert all(chosen[(c, Channel.IN_APP)] == Frequency.IMMEDIATE for c in preferences.CATEGORIES)
    assert db.session.scalar(select(func.count(NotificationPreference.id))) == 0  # not stored


@pytest.mark.parametrize(
    ("in_app", "by_email", "expected"),
    [
        (Frequency.IMMEDIATE, Frequency.IMMEDIATE, (True, EmailStatus.SENT, 1)),
        (Frequency.IMMEDIATE, Frequency.DAILY, (True, EmailStatus.DIGEST, 0)),
        (Frequency.IMMEDIATE, Frequency.WEEKLY, (True, EmailStatus.DIGEST, 0)),
        (Frequency.IMMEDIATE, Frequency.OFF, (True, EmailStatus.NOT_NEEDED, 0)),
        (Frequency.OFF, Frequency.IMMEDIATE, (False, EmailStatus.SENT, 1)),
        (Frequency.OFF, Frequency.DAILY, (False, EmailStatus.DIGEST, 0)),
        (Frequency.OFF, Frequency.OFF, None),  # no row at all
    ],
)
def test_notify_honours_the_users_choice_per_channel(
    mail_folder, company_user, in_app, by_email, expected
):
    choose(company_user, "docking", Channel.IN_APP, in_app)
    choose(company_user, "docking", Channel.EMAIL, by_email)
    created = notify(
        [company_user], event_key="docking:7:requested", subject="对接请求", body="内容"
    )
    outbox.commit()
    db.session.expire_all()
    files = list(mail_folder.glob("*.eml")) if mail_folder.exists() else []
    if expected is None:
        assert created == []
        assert db.session.scalar(select(func.count(Notification.id))) == 0
        assert files == []
        return
    shown, status, mails = expected
    [note] = created
    assert (note.category, note.in_app, note.email_status) == ("docking", shown, status)
    assert len(files) == mails
    assert unread_count(company_user) == (1 if shown else 0)
    assert [n.id for n in notifications_for(company_user)] == ([note.id] if shown else [])
    # Another category keeps its default: in the inbox, emailed at once.
    [other] = notify([company_user], event_key="review:1:1", subject="审核结果", body="内容")
    outbox.commit()
    assert other.in_app and other.email_status == EmailStatus.SENT


def test_the_email_master_switch_turns_every_email_off(mail_folder, company_user):
    company_user.email_notifications = False
    choose(company_user, "docking", Channel.EMAIL, Frequency.IMMEDIATE)
    [note] = notify([company_user], event_key="docking:1:requested", subject="对接", body="内容")
    outbox.commit()
    assert note.email_status == EmailStatus.NOT_NEEDED and note.in_app
    assert not mail_folder.exists() or list(mail_folder.glob("*.eml")) == []


def test_callers_without_a_category_get_the_one_their_event_key_names(app, company_user):
    keys = {
        "docking:3:accepted": "docking",
        "review:4:9": "review",
        "agreement:5": "agreement",
        "freshness:remind:6:2027-01-01": "reminder",
        "match:1:2": "match",
        "something:else": "general",
    }
    for key in keys:
        notify([company_user], event_key=key, subject="通知", body="内容")
    outbox.commit()
    stored = dict(db.session.execute(select(Notification.event_key, Notification.category)).all())
    assert stored == keys
    # Without any mail transport (the unit tests' default) nothing waits for email.
    assert set(db.session.scalars(select(Notification.email_status))) == {EmailStatus.NOT_NEEDED}


def test_development_mode_writes_each_email_to_the_mail_folder(mail_folder, company_user, caplog):
    caplog.set_level("INFO", logger="market.notifications.mail")
    [note] = notify(
        [company_user], event_key="review:1:1", subject="您发布的“测温”已通过审核", body="内容"
    )
    outbox.commit()
    [path] = mail_folder.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert str(message["Subject"]) == "您发布的“测温”已通过审核"
    assert message["To"] == company_user.email
    assert "您好" in message.get_body(("plain",)).get_content()
    assert note.email_status == EmailStatus.SENT
    assert f"mail to {company_user.email}" in caplog.text and str(path) in caplog.text


# --- digests ---------------------------------------------------------------------------------


def test_a_daily_digest_lists_the_ten_best_of_eleven_matches_best_first(
    smtp, company_user, make_matches
):
    strengths = [0.41, 0.93, 0.55, 0.62, 0.38, 0.87, 0.71, 0.36, 0.79, 0.48, 0.66]
    make_matches(strengths)
    assert smtp.count() == 0  # matches wait for the digest by default
    assert len(run_digests("daily", MONDAY)) == 1

    [message] = smtp.to(company_user.email)
    assert str(message["Subject"]) == "许昌科技大市场每日汇总：11 条新消息"
    best_ten = sorted(strengths, reverse=True)[:10]
    assert listed_titles(message) == [f"成果 {s:.2f}" for s in best_ten]
    text = message.get_body(("plain",)).get_content()
    assert "匹配度 93%" in text and "成果 0.36" not in text
    assert "另有 1 条消息未列出" in text
    html = message.get_body(("html",)).get_content()
    assert html.index("成果 0.93") < html.index("成果 0.87") < html.index("成果 0.38")
    assert "成果 0.36" not in html and "退订全部邮件" in html
    # One-click unsubscribe: in the headers (RFC 8058) and in the body.
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert "/notifications/unsubscribe/" in unsubscribe and unsubscribe in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    digest = db.session.scalar(select(NotificationDigest))
    assert (digest.status, digest.more, len(digest.items)) == (EmailStatus.SENT, 1, 10)
    statuses = dict(db.session.execute(select(Notification.id, Notification.email_status)).all())
    assert sorted(statuses.values()).count(EmailStatus.SENT) == 10
    assert list(statuses.values()).count(EmailStatus.NOT_NEEDED) == 1  # the 11th, in the inbox
    assert unread_count(company_user) == 11


def test_no_match_is_sent_twice_across_digests(smtp, company_user, make_matches):
    first = make_matches([0.9, 0.8])
    run_digests("daily", MONDAY)
    # The next day: two new matches; an old one is announced again (a re-match) and skipped.
    second = make_matches([0.7, 0.6])
    assert announce(company_user, first[0]) == []
    outbox.commit()
    run_digests("daily", MONDAY + timedelta(days=1))
    run_digests("daily", MONDAY + timedelta(days=2))  # nothing new: no email

    day1, day2 = smtp.to(company_user.email)
    assert listed_titles(day1) == [m.supply.title for m in first]
    assert listed_titles(day2) == [m.supply.title for m in second]
    assert smtp.count() == 2
    assert db.session.scalar(select(func.count(NotificationDigest.id))) == 2


def test_running_the_digest_task_twice_sends_one_digest(smtp, company_user, make_matches):
    make_matches([0.8])
    assert len(run_digests("daily", MONDAY)) == 1
    assert run_digests("daily", MONDAY) == []  # the same day again
    make_matches([0.7])  # arrives after today's digest: waits for tomorrow's
    assert run_digests("daily", MONDAY) == []
    digest = db.session.scalar(select(NotificationDigest))
    assert digests.deliver_digest(digest.id) is False  # a duplicated delivery task
    deliver_digest.apply(args=[digest.id])
    assert smtp.count() == 1
    assert len(run_digests("daily", MONDAY + timedelta(days=1))) == 1
    assert smtp.count() == 2


def test_the_beat_task_uses_xuchangs_date(smtp, company_user, make_matches, monkeypatch):
    make_matches([0.8])
    monkeypatch.setattr("market.timeutil.today", lambda: MONDAY)
    assert send_digests.apply(args=["daily"]).get() == 1
    assert send_digests.apply(args=["daily"]).get() == 0
    assert db.session.scalar(select(NotificationDigest.period)) == "2026-11-30"
    assert smtp.count() == 1


def test_weekly_digests_wait_for_the_weekly_run(smtp, company_user, make_matches):
    choose(company_user, "match", Channel.EMAIL, Frequency.WEEKLY)
    make_matches([0.8, 0.6])
    assert run_digests("daily", MONDAY) == []
    assert len(run_digests("weekly", MONDAY)) == 1
    assert run_digests("weekly", MONDAY + timedelta(days=3)) == []  # same ISO week
    [message] = smtp.to(company_user.email)
    assert str(message["Subject"]) == "许昌科技大市场每周汇总：2 条新消息"
    assert db.session.scalar(select(NotificationDigest.period)) == "2026-W49"


def test_a_match_emailed_at_once_never_appears_in_a_digest(smtp, company_user, make_matches):
    choose(company_user, "match", Channel.EMAIL, Frequency.IMMEDIATE)
    make_matches([0.8])
    assert smtp.count() == 1
    choose(company_user, "match", Channel.EMAIL, Frequency.DAILY)
    make_matches([0.7])
    run_digests("daily", MONDAY)
    immediate, digest = smtp.to(company_user.email)
    assert str(immediate["Subject"]).startswith("新的匹配")
    assert listed_titles(digest) == ["成果 0.70"]


def test_a_digest_carries_other_categories_and_drops_withdrawn_matches(
    smtp, company_user, make_matches
):
    choose(company_user, "docking", Channel.EMAIL, Frequency.DAILY)
    kept, withdrawn = make_matches([0.8, 0.9])
    notify([company_user], event_key="docking:5:requested", subject="新的对接请求", body="请回复")
    db.session.delete(withdrawn)  # the result expired before the digest
    outbox.commit()
    run_digests("daily", MONDAY)
    [message] = smtp.to(company_user.email)
    text = message.get_body(("plain",)).get_content()
    assert listed_titles(message) == [kept.supply.title]
    assert "其他消息" in text and "新的对接请求" in text
    assert "退订“新的匹配”邮件" in text and "退订“对接进展”邮件" in text


def test_a_digest_that_keeps_failing_is_marked_failed_for_the_bureau(
    smtp, company_user, make_matches
):
    make_matches([0.8, 0.7])
    smtp.refuse_next(100)
    [digest_id] = run_digests("daily", MONDAY)
    deliver_digest.apply(args=[digest_id], retries=EMAIL_MAX_RETRIES, throw=False)
    db.session.expire_all()
    digest = db.session.get(NotificationDigest, digest_id)
    assert digest.status == EmailStatus.FAILED and "451" in digest.error
    statuses = set(db.session.scalars(select(Notification.email_status)))
    assert statuses == {EmailStatus.FAILED}
    assert smtp.count() == 0
    assert run_digests("daily", MONDAY + timedelta(days=1)) == []  # never sent again silently


# --- unsubscribe -----------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_then_turns_the_category_off(client, company_user):
    token = preferences.unsubscribe_token(company_user, "match")
    page = client.get(f"/notifications/unsubscribe/{token}")
    assert page.status_code == 200 and "确认退订" in page.text and "“新的匹配”邮件" in page.text
    assert db.session.scalar(select(func.count(NotificationPreference.id))) == 0  # GET: nothing

    done = client.post(f"/notifications/unsubscribe/{token}")  # no login needed
    assert done.status_code == 200 and "已退订“新的匹配”邮件" in done.text
    assert preferences.frequency_for(company_user, "match", Channel.EMAIL) == Frequency.OFF
    assert preferences.frequency_for(company_user, "match", Channel.IN_APP) == Frequency.IMMEDIATE
    assert preferences.frequency_for(company_user, "docking", Channel.EMAIL) == Frequency.IMMEDIATE

    again = client.get(f"/notifications/unsubscribe/{token}")
    assert "您已退订" in again.text
    assert client.post(f"/notifications/unsubscribe/{token}").status_code == 200
    assert db.session.scalar(select(func.count(NotificationPreference.id))) == 1


def test_a_mail_clients_one_click_post_needs_no_csrf_token(app, client, company_user):
    app.config["WTF_CSRF_ENABLED"] = True
    token = preferences.unsubscribe_token(company_user, preferences.ALL)
    response = client.post(
        f"/notifications/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200 and "已退订全部邮件通知" in response.text
    assert company_user.email_notifications is False


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("damage", ["garbage", "tampered", "expired", "other-salt"])
def test_a_bad_unsubscribe_link_explains_in_chinese_and_changes_nothing(
    app, client, company_user, method, damage
):
    token = preferences.unsubscribe_token(company_user, "match")
    if damage == "garbage":
        token = "not-a-token"
    elif damage == "tampered":
        payload, rest = token.split(".", 1)
        token = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest
    elif damage == "expired":
        app.config["MARKET_UNSUBSCRIBE_LINK_DAYS"] = -1
    else:  # signed with the app's key for another purpose (the reconfirmation links)
        from itsdangerous import URLSafeTimedSerializer

        token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="market.freshness.confirm")
        token = token.dumps({"u": company_user.id, "c": "match"})
    response = getattr(client, method)(f"/notifications/unsubscribe/{token}")
    assert response.status_code == 400
    expected = "退订链接已过期" if damage == "expired" else "退订链接无效"
    assert expected in response.text
    assert db.session.scalar(select(func.count(NotificationPreference.id))) == 0
    assert company_user.email_notifications is True


def test_an_unsubscribed_category_is_no_longer_emailed(client, mail_folder, company_user):
    token = preferences.unsubscribe_token(company_user, "docking")
    client.post(f"/notifications/unsubscribe/{token}")
    [note] = notify([company_user], event_key="docking:2:requested", subject="对接", body="内容")
    outbox.commit()
    assert note.email_status == EmailStatus.NOT_NEEDED and note.in_app
    assert not mail_folder.exists() or list(mail_folder.glob("*.eml")) == []


# --- the settings page -----------------------------------------------------------------------


def settings_form(**changes) -> dict:
    form = {
        preferences.field_name(c, ch): preferences.default_frequency(c, ch).value
        for c in preferences.CATEGORIES
        for ch in Channel
    }
    form["email_notifications"] = "y"
    form.update(changes)
    return form


def test_the_settings_page_shows_and_saves_choices(client, auth, company_user):
    assert client.get("/notifications/settings").status_code == 302  # login first
    auth.login(company_user)
    assert 'href="/notifications/settings"' in client.get("/notifications/").text
    page = client.get("/notifications/settings").text
    assert "通知设置" in page and "每日汇总" in page and "每周汇总" in page
    assert '<option value="daily" selected>' in page  # matches by email, the default

    response = client.post(
        "/notifications/settings",
        data=settings_form(**{"match-email": "weekly", "review-in_app": "off"}),
    )
    assert response.status_code == 302
    assert "通知设置已保存" in client.get(response.location).text
    assert preferences.frequency_for(company_user, "match", Channel.EMAIL) == Frequency.WEEKLY
    assert preferences.frequency_for(company_user, "review", Channel.IN_APP) == Frequency.OFF

    # Unticking the master switch turns every email off.
    form = settings_form()
    del form["email_notifications"]
    client.post("/notifications/settings", data=form)
    assert company_user.email_notifications is False
    assert preferences.frequency_for(company_user, "docking", Channel.EMAIL) == Frequency.OFF


@pytest.mark.parametrize(
    "bad",
    [
        {"match-email": "hourly"},  # not a choice
        {"docking-in_app": "daily"},  # in-app has no digest
        {"review-email": ""},
        {"agreement-email": None},  # missing field
    ],
)
def test_bad_settings_input_is_refused_in_chinese_and_nothing_changes(
    client, auth, company_user, bad
):
    auth.login(company_user)
    form = settings_form(**{"match-email": "off", **bad})
    form = {k: v for k, v in form.items() if v is not None}
    response = client.post("/notifications/settings", data=form)
    assert response.status_code == 400
    assert "通知设置无效" in response.text and "请选择有效的选项" in response.text
    assert db.session.scalar(select(func.count(NotificationPreference.id))) == 0
    assert preferences.frequency_for(company_user, "match", Channel.EMAIL) == Frequency.DAILY
    assert company_user.email_notifications is True


# --- queries per recipient and per digest ----------------------------------------------------


class Statements:
    """The SQL statements the application sends while in the `with` block."""

    def __enter__(self):
        self.sent = []
        event.listen(db.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args):
        self.sent.append(" ".join(statement.split()))

    def reading(self, table: str) -> int:
        return sum(1 for s in self.sent if s.startswith("SELECT") and f"FROM {table}" in s)


def test_notify_reads_each_recipients_choices_once(mail_folder, company_user, make_user):
    other = make_user(Role.INSTITUTE, name="刘联络")
    choose(other, "docking", Channel.IN_APP, Frequency.OFF)
    with Statements() as seen:
        created = notify(
            [company_user, other], event_key="docking:1:test", subject="对接", body="内容"
        )
    assert seen.reading("notification_preferences") == 2  # one per recipient, both channels
    by_user = {n.user_id: n for n in created}
    assert by_user[company_user.id].in_app and not by_user[other.id].in_app
    assert by_user[other.id].email_status == EmailStatus.PENDING
    outbox.commit()


def test_a_digest_reads_choices_once_per_user_and_its_matches_in_one_query(
    smtp, company_user, make_matches
):
    make_matches([0.9, 0.8, 0.7, 0.6, 0.5])
    withdrawn = db.session.scalar(select(Match).where(Match.strength == 0.8))
    db.session.delete(withdrawn)
    outbox.commit()
    with Statements() as seen:
        made = digests.prepare_digests(Frequency.DAILY, today=MONDAY)
    assert len(made) == 1
    assert seen.reading("notification_preferences") == 1
    assert seen.reading("matches") == 1  # not one per match notification
    assert seen.reading("users") <= 1
    with Statements() as seen:
        outbox.commit()  # eager: the digest's delivery runs here
    assert seen.reading("matches") == 1
    [message] = smtp.to(company_user.email)
    assert listed_titles(message) == ["成果 0.90", "成果 0.70", "成果 0.60", "成果 0.50"]


def test_a_digest_whose_worker_died_mid_delivery_is_sent_again(smtp, company_user, make_matches):
    from market.timeutil import utcnow

    make_matches([0.9])
    [digest_id] = digests.prepare_digests(Frequency.DAILY, today=MONDAY)
    smtp.refuse_next(1)  # the first attempt fails and leaves the digest pending
    outbox.commit()
    digest = db.session.get(NotificationDigest, digest_id)
    # Simulate a worker killed after claiming it: SENDING, claimed 20 minutes ago.
    digest.status, digest.claimed_at = EmailStatus.SENDING, utcnow() - timedelta(minutes=20)
    db.session.commit()
    assert digests.deliver_digest(digest_id) is False  # nobody else may send a claimed digest
    assert digests.requeue_stale_digests(600) == 1
    outbox.commit()
    db.session.expire_all()
    assert db.session.get(NotificationDigest, digest_id).status == EmailStatus.SENT
    assert len(smtp.to(company_user.email)) == 1
    assert digests.requeue_stale_digests(600) == 0
