"""The bureau reviews postings: publish (indexed, matched) or reject with a reason."""

from sqlalchemy import select

from market.accounts.models import Role
from market.extensions import db
from market.matching.services import index_store
from market.notifications.models import Notification
from market.outbox import OutboxTask
from market.postings.models import PostingStatus, ReviewDecision


def test_review_queue_is_for_bureau_staff_only(client, make_user, auth, make_posting):
    problem = make_posting("problem")
    auth.login(make_user(Role.ENTERPRISE))
    assert client.get("/review/").status_code == 403
    assert client.post(f"/review/{problem.id}", data={"decision": "publish"}).status_code == 403
    auth.logout()
    auth.login(make_user(Role.BUREAU))
    page = client.get("/review/")
    assert page.status_code == 200
    assert problem.title in page.text
    db.session.refresh(problem)
    assert problem.status == PostingStatus.PENDING


def test_publishing_indexes_the_posting_and_tells_the_poster(client, make_user, auth, make_posting):
    problem = make_posting("problem")
    reviewer = make_user(Role.BUREAU)
    auth.login(reviewer)
    response = client.post(
        f"/review/{problem.id}", data={"decision": "publish"}, follow_redirects=True
    )
    assert "已发布" in response.text
    db.session.refresh(problem)
    assert problem.status == PostingStatus.PUBLISHED
    assert problem.published_at is not None
    decision = db.session.scalar(select(ReviewDecision))
    assert (decision.reviewer_id, decision.decision) == (reviewer.id, PostingStatus.PUBLISHED)
    assert problem.id in index_store().stamps()
    tasks = db.session.scalars(select(OutboxTask)).all()
    assert {t.task for t in tasks} >= {"worker.tasks.index_posting", "worker.tasks.match_posting"}
    assert all(t.published_at is not None for t in tasks)
    note = db.session.scalar(select(Notification).where(Notification.user_id == problem.author_id))
    assert "已通过审核" in note.subject


def test_rejecting_needs_a_reason_which_reaches_the_poster(client, make_user, auth, make_posting):
    problem = make_posting("problem")
    auth.login(make_user(Role.BUREAU))
    response = client.post(
        f"/review/{problem.id}", data={"decision": "reject", "reason": " "}, follow_redirects=True
    )
    assert "必须填写原因" in response.text
    db.session.refresh(problem)
    assert problem.status == PostingStatus.PENDING
    assert db.session.scalar(select(ReviewDecision)) is None

    client.post(
        f"/review/{problem.id}",
        data={"decision": "reject", "reason": "缺少技术指标，请补充温度精度要求。"},
    )
    db.session.refresh(problem)
    assert problem.status == PostingStatus.REJECTED
    assert problem.id not in index_store().stamps()
    note = db.session.scalar(select(Notification).where(Notification.user_id == problem.author_id))
    assert "未通过审核" in note.subject
    assert "缺少技术指标" in note.body


def test_a_posting_is_decided_once(client, make_user, auth, make_posting):
    problem = make_posting("problem", publish=True)
    auth.login(make_user(Role.BUREAU))
    response = client.post(
        f"/review/{problem.id}",
        data={"decision": "reject", "reason": "重复"},
        follow_redirects=True,
    )
    assert "已审核过" in response.text
    db.session.refresh(problem)
    assert problem.status == PostingStatus.PUBLISHED
