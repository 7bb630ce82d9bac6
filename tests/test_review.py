"""The bureau reviews postings: publish (indexed, matched), return for changes or reject."""

import pytest
from sqlalchemy import select

from market import outbox
from market.accounts.models import Role
from market.errors import DomainError, PermissionDenied
from market.extensions import db
from market.matching.services import index_store
from market.notifications.models import Notification
from market.outbox import OutboxTask
from market.postings.models import PostingStatus, ReviewDecision
from market.review.services import resubmit_posting, return_posting


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
    assert problem.last_confirmed_at == problem.published_at
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


def notes_for(posting) -> list[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == posting.author_id)
        .order_by(Notification.id)
    ).all()


def history(posting) -> list[tuple[PostingStatus, str | None]]:
    decisions = db.session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.posting_id == posting.id)
        .order_by(ReviewDecision.id)
    )
    return [(d.decision, d.reason) for d in decisions]


def test_the_queue_shows_each_postings_completeness(client, make_user, auth, make_posting):
    make_posting("problem")
    auth.login(make_user(Role.BUREAU))
    page = client.get("/review/").text
    assert 'data-testid="completeness-score"' in page
    assert "退回修改" in page and "发布" in page and "驳回" in page


def test_returning_needs_a_reason(client, make_user, auth, make_posting):
    problem = make_posting("problem")
    auth.login(make_user(Role.BUREAU))
    response = client.post(
        f"/review/{problem.id}", data={"decision": "return", "reason": ""}, follow_redirects=True
    )
    assert "必须填写原因" in response.text
    db.session.refresh(problem)
    assert problem.status == PostingStatus.PENDING
    assert history(problem) == []


def test_a_returned_posting_comes_back_after_resubmission(client, make_user, auth, make_posting):
    problem = make_posting("problem")
    auth.login(make_user(Role.BUREAU))
    response = client.post(
        f"/review/{problem.id}",
        data={"decision": "return", "reason": "请补充温度精度要求"},
        follow_redirects=True,
    )
    assert "已将" in response.text and "退回修改" in response.text
    db.session.refresh(problem)
    assert problem.status == PostingStatus.RETURNED
    assert problem.title not in client.get("/review/").text
    assert problem.id not in index_store().stamps()
    (note,) = notes_for(problem)
    assert "需要修改" in note.subject and "请补充温度精度要求" in note.body

    resubmit_posting(problem)
    outbox.commit()
    assert problem.title in client.get("/review/").text
    client.post(
        f"/review/{problem.id}", data={"decision": "return", "reason": "预算请写明具体金额"}
    )
    db.session.refresh(problem)
    assert problem.status == PostingStatus.RETURNED
    assert [n.body.splitlines()[0] for n in notes_for(problem)] == [
        "修改意见：请补充温度精度要求",
        "修改意见：预算请写明具体金额",
    ]
    assert history(problem) == [
        (PostingStatus.RETURNED, "请补充温度精度要求"),
        (PostingStatus.RETURNED, "预算请写明具体金额"),
    ]


def test_the_posting_page_keeps_every_decision(client, make_user, auth, make_posting):
    problem = make_posting("problem")
    auth.login(make_user(Role.BUREAU))
    client.post(f"/review/{problem.id}", data={"decision": "return", "reason": "缺少技术指标"})
    resubmit_posting(problem)
    outbox.commit()
    client.post(f"/review/{problem.id}", data={"decision": "publish"})
    page = client.get(f"/postings/{problem.id}").text
    assert "缺少技术指标" in page and "退回修改" in page
    assert [d for d, _reason in history(problem)] == [
        PostingStatus.RETURNED,
        PostingStatus.PUBLISHED,
    ]
    assert "已通过审核" in notes_for(problem)[-1].subject


def test_only_returned_postings_can_be_resubmitted(make_posting):
    problem = make_posting("problem", publish=True)
    with pytest.raises(DomainError):
        resubmit_posting(problem)


def test_only_bureau_staff_can_return_or_reject(client, make_user, auth, make_posting):
    problem = make_posting("problem")
    auth.login(make_user(Role.INSTITUTE))
    for decision in ("return", "reject"):
        response = client.post(
            f"/review/{problem.id}", data={"decision": decision, "reason": "不行"}
        )
        assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        return_posting(problem.author, problem.id, "不行")
    db.session.refresh(problem)
    assert problem.status == PostingStatus.PENDING
    assert history(problem) == []


def test_an_unknown_decision_changes_nothing(client, make_user, auth, make_posting):
    problem = make_posting("problem")
    auth.login(make_user(Role.BUREAU))
    response = client.post(
        f"/review/{problem.id}", data={"decision": "delete"}, follow_redirects=True
    )
    assert "未知的审核操作" in response.text
    db.session.refresh(problem)
    assert problem.status == PostingStatus.PENDING
