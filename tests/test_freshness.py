"""Postings stay current: owners are reminded before expiry, reconfirm in one click, and
expired postings are archived and leave the index."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import current_app
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from market import outbox, timeutil
from market.accounts.models import Role
from market.extensions import db
from market.freshness import services
from market.notifications.models import Notification
from market.postings.models import PostingStatus
from market.timeutil import today
from search_index.store import IndexStore
from worker import tasks


def notes_for(posting, kind: str) -> list[Notification]:
    return db.session.scalars(
        select(Notification).where(
            Notification.user_id == posting.author_id,
            Notification.event_key.like(f"freshness:{kind}:{posting.id}:%"),
        )
    ).all()


def run_task(task, monkeypatch, on_day):
    """Run a beat task as if it were `on_day` in Xuchang."""
    monkeypatch.setattr(timeutil, "today", lambda: on_day)
    task.apply()
    db.session.expire_all()


def indexed_ids(app) -> set[int]:
    """Ids in the index on disk.

    A fresh reader: the process's cached searcher (index_store()) keeps reusing a segment's
    reader after a delete-only commit and would still list the deleted document.
    """
    return set(IndexStore(app.config["MARKET_INDEX_DIR"]).stamps())


def token_of(note: Notification) -> str:
    return parse_qs(urlsplit(note.link).query)["token"][0]


def reminded(make_posting, days_left: int = 10):
    """A published posting expiring in `days_left` days, reminded once."""
    posting = make_posting("problem", publish=True, valid_until=today() + timedelta(days=days_left))
    services.remind_expiring_postings()
    outbox.commit()
    return posting


# --- reminders ---------------------------------------------------------------------------------


def test_an_owner_is_reminded_once_per_expiry_date(make_posting, monkeypatch):
    posting = make_posting("problem", publish=True, valid_until=today() + timedelta(days=10))
    run_task(tasks.remind_expiring_postings, monkeypatch, today())
    run_task(tasks.remind_expiring_postings, monkeypatch, today() + timedelta(days=1))
    (note,) = notes_for(posting, "remind")
    assert "将于" in note.subject and posting.valid_until.isoformat() in note.subject
    assert note.link.startswith(f"/postings/{posting.id}/confirm?token=")
    db.session.refresh(posting)
    assert posting.reminded_for == posting.valid_until


def test_postings_far_from_expiry_are_not_reminded(make_posting, monkeypatch):
    posting = make_posting("problem", publish=True, valid_until=today() + timedelta(days=60))
    run_task(tasks.remind_expiring_postings, monkeypatch, today())
    assert notes_for(posting, "remind") == []
    db.session.refresh(posting)
    assert posting.reminded_for is None


def test_unpublished_postings_are_not_reminded(make_posting):
    posting = make_posting("problem", valid_until=today() + timedelta(days=3))
    assert services.remind_expiring_postings() == 0
    assert notes_for(posting, "remind") == []


def test_a_reconfirmed_posting_is_reminded_again_before_its_new_expiry(make_posting):
    posting = reminded(make_posting)
    services.confirm_posting(posting)
    outbox.commit()
    later = posting.valid_until - timedelta(days=5)
    assert services.remind_expiring_postings(today=later) == 1
    outbox.commit()
    assert services.remind_expiring_postings(today=later) == 0
    assert len(notes_for(posting, "remind")) == 2


def test_reminders_follow_the_configured_window(app, make_posting):
    app.config["MARKET_REMIND_DAYS_BEFORE"] = 30
    posting = make_posting("problem", publish=True, valid_until=today() + timedelta(days=25))
    assert [p.id for p in services.expiring_postings()] == [posting.id]


# --- archiving ---------------------------------------------------------------------------------


def test_expired_postings_are_archived_and_leave_the_index(app, make_posting, monkeypatch):
    posting = make_posting("problem", publish=True, valid_until=today() + timedelta(days=3))
    current = make_posting("problem", publish=True, valid_until=today() + timedelta(days=90))
    assert posting.id in indexed_ids(app)
    run_task(tasks.archive_expired_postings, monkeypatch, today() + timedelta(days=4))
    run_task(tasks.archive_expired_postings, monkeypatch, today() + timedelta(days=5))
    db.session.refresh(posting)
    db.session.refresh(current)
    assert posting.status == PostingStatus.ARCHIVED
    assert current.status == PostingStatus.PUBLISHED
    assert posting.id not in indexed_ids(app) and current.id in indexed_ids(app)
    (note,) = notes_for(posting, "archived")
    assert "已过期并归档" in note.subject
    assert notes_for(current, "archived") == []


def test_a_posting_expiring_today_is_not_archived_yet(make_posting):
    posting = make_posting("problem", publish=True, valid_until=today() + timedelta(days=3))
    assert services.archive_expired_postings(today=posting.valid_until) == 0


def test_the_beat_schedule_runs_reminders_and_archiving(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    names = {entry["task"] for entry in schedule.values()}
    assert {"worker.tasks.remind_expiring_postings", "worker.tasks.archive_expired_postings"} <= (
        names
    )


# --- the one-click link --------------------------------------------------------------------------


def test_opening_the_link_shows_one_button_and_changes_nothing(client, make_posting):
    posting = reminded(make_posting)
    before = (posting.valid_until, posting.last_confirmed_at)
    (note,) = notes_for(posting, "remind")
    page = client.get(note.link)
    assert page.status_code == 200
    assert "确认仍然有效" in page.text and page.text.count('type="submit" class="button"') == 1
    db.session.refresh(posting)
    assert (posting.valid_until, posting.last_confirmed_at) == before


def test_the_link_reconfirms_without_login(client, make_posting):
    posting = reminded(make_posting)
    first_confirmed = posting.last_confirmed_at
    (note,) = notes_for(posting, "remind")
    response = client.post(
        f"/postings/{posting.id}/confirm", data={"token": token_of(note)}, follow_redirects=True
    )
    assert response.status_code == 200 and "已确认仍然有效" in response.text
    db.session.refresh(posting)
    assert posting.valid_until == today() + timedelta(days=180)
    assert posting.last_confirmed_at > first_confirmed
    assert posting.status == PostingStatus.PUBLISHED


def test_using_the_link_twice_changes_nothing_more(client, make_posting):
    posting = reminded(make_posting)
    (note,) = notes_for(posting, "remind")
    client.post(f"/postings/{posting.id}/confirm", data={"token": token_of(note)})
    db.session.refresh(posting)
    after_first = (posting.valid_until, posting.last_confirmed_at)
    again = client.post(f"/postings/{posting.id}/confirm", data={"token": token_of(note)})
    assert again.status_code == 302
    db.session.refresh(posting)
    assert (posting.valid_until, posting.last_confirmed_at) == after_first
    assert "已确认过" in client.get(note.link).text


def test_the_link_form_needs_its_csrf_token(app, client, make_posting):
    posting = reminded(make_posting)
    (note,) = notes_for(posting, "remind")
    app.config["WTF_CSRF_ENABLED"] = True
    assert 'name="csrf_token"' in client.get(note.link).text
    response = client.post(f"/postings/{posting.id}/confirm", data={"token": token_of(note)})
    assert response.status_code == 400
    before = posting.valid_until
    db.session.refresh(posting)
    assert posting.valid_until == before


def test_a_tampered_link_is_refused(client, make_posting):
    posting = reminded(make_posting)
    other = make_posting("problem", publish=True)
    token = token_of(notes_for(posting, "remind")[0])
    for posting_id, bad in ((posting.id, token[:-2] + "xx"), (other.id, token)):
        assert "确认链接无效" in client.get(f"/postings/{posting_id}/confirm?token={bad}").text
        response = client.post(f"/postings/{posting_id}/confirm", data={"token": bad})
        assert response.status_code == 400 and "确认链接无效" in response.text
    before = posting.valid_until
    db.session.refresh(posting)
    assert posting.valid_until == before


class SignedLongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return super().get_timestamp() - 31 * 24 * 3600


def test_an_expired_link_is_refused(client, make_posting):
    posting = reminded(make_posting)
    old = URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=services.TOKEN_SALT, signer=SignedLongAgo
    ).dumps({"p": posting.id, "v": posting.valid_until.isoformat()})
    response = client.post(f"/postings/{posting.id}/confirm", data={"token": old})
    assert response.status_code == 400 and "确认链接已过期" in response.text
    assert "确认链接已过期" in client.get(f"/postings/{posting.id}/confirm?token={old}").text
    before = posting.valid_until
    db.session.refresh(posting)
    assert posting.valid_until == before


def test_an_archived_posting_cannot_be_reconfirmed_by_link(client, make_posting):
    posting = reminded(make_posting, days_left=3)
    services.archive_expired_postings(today=posting.valid_until + timedelta(days=1))
    outbox.commit()
    (note,) = notes_for(posting, "remind")
    response = client.post(f"/postings/{posting.id}/confirm", data={"token": token_of(note)})
    assert response.status_code == 400 and "重新发布" in response.text
    db.session.refresh(posting)
    assert posting.status == PostingStatus.ARCHIVED


# --- the owner's button ------------------------------------------------------------------------


def test_a_logged_in_owner_can_reconfirm(client, auth, make_posting):
    posting = make_posting("problem", publish=True, valid_until=today() + timedelta(days=10))
    auth.login(posting.author)
    response = client.post(f"/postings/{posting.id}/still-valid", follow_redirects=True)
    assert "已确认仍然有效" in response.text
    db.session.refresh(posting)
    assert posting.valid_until == today() + timedelta(days=180)


def test_an_outsider_cannot_use_the_owners_button(client, auth, make_user, make_posting):
    posting = make_posting("problem", publish=True, valid_until=today() + timedelta(days=10))
    before = posting.valid_until
    auth.login(make_user(Role.ENTERPRISE, org_name="许昌远东传动轴股份有限公司"))
    assert client.post(f"/postings/{posting.id}/still-valid").status_code == 403
    auth.logout()
    response = client.post(f"/postings/{posting.id}/still-valid")
    assert response.status_code == 302 and "/accounts/login" in response.location
    db.session.refresh(posting)
    assert posting.valid_until == before


@pytest.mark.parametrize(
    ("days_left", "extended_by"),
    [(10, 180), (300, 300)],
)
def test_reconfirming_extends_to_180_days_and_never_shortens(make_posting, days_left, extended_by):
    posting = make_posting("problem", valid_until=today() + timedelta(days=days_left))
    assert services.extended_until(posting.valid_until) == today() + timedelta(days=extended_by)


def test_the_extension_is_capped_at_two_years():
    assert services.extended_until(today() + timedelta(days=900)) == today() + timedelta(days=730)
