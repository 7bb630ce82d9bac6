"""The 对接 pipeline: stages and outcomes, who may do what, deadlines and reminders on a
controlled clock, the bureau's overdue list and nudges, brokers, messages and the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, select, text

from market import create_app, outbox, timeutil
from market.accounts.models import Role
from market.agreements.services import submit_agreement
from market.dockings import services, timeline
from market.dockings.models import (
    Docking,
    DockingEvent,
    DockingEventKind,
    DockingOutcome,
    DockingStatus,
    WaitingOn,
)
from market.errors import DomainError, NotFound, PermissionDenied
from market.extensions import db
from market.notifications.models import Notification
from market.postings.models import Visibility
from tests.conftest import base_config

# --- fixtures and helpers --------------------------------------------------------------------


class Clock:
    """market.timeutil's clock, moved by the test."""

    def __init__(self, monkeypatch):
        self.now = datetime.now(UTC).replace(microsecond=0)
        monkeypatch.setattr(timeutil, "utcnow", lambda: self.now)
        monkeypatch.setattr(timeutil, "today", lambda: self.now.astimezone(timeutil.CHINA).date())

    def move(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def at(self, when: datetime) -> datetime:
        self.now = when
        return when


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def pair(make_posting, make_user):
    """A published problem and result; the company, the liaison, bureau staff, an outsider."""
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    return SimpleNamespace(
        problem=problem,
        result=result,
        company=problem.author,
        liaison=result.author,
        bureau=make_user(Role.BUREAU, name="李科长"),
        outsider=make_user(Role.ENTERPRISE, org_name="许昌无关公司", name="王五"),
    )


@pytest.fixture
def broker(make_user):
    """A service organisation's user, flagged as 技术经理人."""
    user = make_user(Role.INSTITUTE, org_name="许昌技术转移服务中心", name="赵经理")
    user.is_broker = True
    outbox.commit()
    return user


def requested(pair) -> Docking:
    """The liaison asks the company: the company must answer."""
    docking = services.request_docking(pair.liaison, pair.problem.id, pair.result.id, "可上门交流")
    outbox.commit()
    return docking


def accepted(pair) -> Docking:
    docking = requested(pair)
    services.accept_docking(pair.company, docking.id)
    outbox.commit()
    return docking


def switch(auth, user):
    auth.logout()
    auth.login(user)


def kinds(docking: Docking) -> list[str]:
    return [
        e.kind.value
        for e in db.session.scalars(
            select(DockingEvent)
            .where(DockingEvent.docking_id == docking.id)
            .order_by(DockingEvent.id)
        )
    ]


def notices(event_key_like: str) -> list[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.event_key.like(event_key_like))
        .order_by(Notification.id)
    ).all()


def notified_users(event_key_like: str) -> set[int]:
    return {n.user_id for n in notices(event_key_like)}


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def unchanged(docking: Docking, status: DockingStatus, events: int) -> None:
    db.session.expire_all()
    assert db.session.get(Docking, docking.id).status == status
    assert len(kinds(docking)) == events


# --- stages and outcomes through the pages ---------------------------------------------------


def test_request_accept_and_close_with_an_outcome_through_the_pages(client, auth, pair, clock):
    auth.login(pair.liaison)
    response = client.post(
        "/dockings/request",
        data={"demand_id": pair.problem.id, "supply_id": pair.result.id, "message": "可上门交流"},
        follow_redirects=True,
    )
    assert "对接请求已发出" in response.text
    docking = db.session.scalar(select(Docking))
    assert response.request.path == f"/dockings/{docking.id}"
    assert 'data-testid="stage">意向' in response.text

    switch(auth, pair.company)
    page = client.get(f"/dockings/{docking.id}").text
    assert "等待被邀请方答复" in page and "剩余 7 天" in page
    assert "技术不匹配" in page  # the decline form's outcomes
    client.post(f"/dockings/{docking.id}/answer", data={"answer": "accept"})
    db.session.refresh(docking)
    assert docking.status == DockingStatus.ACCEPTED

    # Closing needs an outcome; 其他 needs a comment; nothing changes until both are right.
    for data, error in (
        ({}, "请选择未达成的原因"),
        ({"outcome": "unknown"}, "请选择未达成的原因"),
        ({"outcome": "other", "comment": "  "}, "请填写说明"),
        ({"outcome": "bad_timing", "comment": "长" * 501}, "说明不能超过 500 个字"),
    ):
        refused = client.post(f"/dockings/{docking.id}/close", data=data, follow_redirects=True)
        assert error in refused.text, data
        unchanged(docking, DockingStatus.ACCEPTED, 2)

    closed = client.post(
        f"/dockings/{docking.id}/close",
        data={"outcome": "other", "comment": "公司明年再议"},
        follow_redirects=True,
    )
    assert "已结束洽谈" in closed.text
    db.session.refresh(docking)
    assert docking.status == DockingStatus.DECLINED
    assert docking.outcome == DockingOutcome.OTHER
    assert docking.outcome_comment == "公司明年再议"
    assert docking.closed_by_id == pair.company.id and docking.due_at is None
    assert 'data-testid="outcome">其他：公司明年再议' in closed.text
    assert kinds(docking) == ["requested", "accepted", "closed"]

    # The other side hears why; the closer is not told about their own action.
    told = notices(f"docking:{docking.id}:closed")
    assert [n.user_id for n in told] == [pair.liaison.id]
    assert "对方已结束洽谈" in told[0].subject
    assert "其他" in told[0].body and "公司明年再议" in told[0].body
    assert told[0].link == f"/dockings/{docking.id}"


def test_the_responder_declines_from_the_list_with_an_outcome(client, auth, pair):
    docking = requested(pair)
    auth.login(pair.company)
    listing = client.get("/dockings/").text
    assert f'href="/dockings/{docking.id}#answer"' in listing  # 婉拒 leads to the outcome form
    client.post(
        f"/dockings/{docking.id}/answer",
        data={"answer": "decline", "outcome": "solved_elsewhere", "next": "list"},
    )
    db.session.refresh(docking)
    assert docking.status == DockingStatus.DECLINED
    assert docking.outcome == DockingOutcome.SOLVED_ELSEWHERE
    assert docking.decided_by_id == docking.closed_by_id == pair.company.id
    assert notified_users(f"docking:{docking.id}:declined") == {pair.liaison.id}
    assert "已另行解决" in notices(f"docking:{docking.id}:declined")[0].body
    page = client.get(f"/dockings/{docking.id}").text
    assert "婉拒了对接（未达成），原因：已另行解决" in page


def test_a_closed_or_signed_docking_accepts_no_transition(app, pair):
    docking = accepted(pair)
    services.close_docking(pair.liaison, docking.id, "tech_mismatch")
    outbox.commit()
    for attempt, message in (
        (lambda: services.accept_docking(pair.company, docking.id), "已答复过"),
        (lambda: services.close_docking(pair.company, docking.id, "no_budget"), "只有洽谈中"),
        (lambda: services.check_in(pair.company, docking.id), "只有洽谈中"),
        (lambda: services.post_message(pair.company, docking.id, "还在吗"), "对接已结束"),
        (lambda: services.nudge(pair.bureau, docking.id), "对接已结束"),
    ):
        with pytest.raises(DomainError, match=message):
            attempt()
        outbox.rollback()
    unchanged(docking, DockingStatus.DECLINED, 3)


# --- permissions -----------------------------------------------------------------------------


def test_only_the_responder_answers_a_request(app, pair, broker):
    docking = requested(pair)
    docking.broker = broker
    outbox.commit()
    for user in (pair.liaison, pair.bureau, broker):
        with pytest.raises(PermissionDenied, match="只有被邀请的一方"):
            services.accept_docking(user, docking.id)
        with pytest.raises(PermissionDenied, match="只有被邀请的一方"):
            services.decline_docking(user, docking.id, "no_budget")
        outbox.rollback()
    with pytest.raises(NotFound):
        services.accept_docking(pair.outsider, docking.id)
    outbox.rollback()
    # A request is not a negotiation: nobody closes it or reports progress on it.
    with pytest.raises(DomainError, match="只有洽谈中的对接可以结束"):
        services.close_docking(pair.company, docking.id, "no_budget")
    with pytest.raises(DomainError, match="只有洽谈中的对接可以报告进展"):
        services.check_in(pair.company, docking.id)
    outbox.rollback()
    unchanged(docking, DockingStatus.REQUESTED, 1)


def test_either_side_closes_a_negotiation_but_not_the_broker_or_bureau(app, pair, broker):
    docking = accepted(pair)
    docking.broker = broker
    outbox.commit()
    for user in (broker, pair.bureau):
        with pytest.raises(PermissionDenied, match="只有对接双方可以结束洽谈"):
            services.close_docking(user, docking.id, "no_budget")
        outbox.rollback()
    with pytest.raises(NotFound):
        services.close_docking(pair.outsider, docking.id, "no_budget")
    outbox.rollback()
    unchanged(docking, DockingStatus.ACCEPTED, 2)
    # The requester (the liaison) may close too, not only the side that accepted.
    services.close_docking(pair.liaison, docking.id, "no_budget")
    outbox.commit()
    assert db.session.get(Docking, docking.id).status == DockingStatus.DECLINED
    # The company and the broker hear of it, the liaison who closed does not.
    company_side = {u.id for u in pair.company.organization.members}
    assert notified_users(f"docking:{docking.id}:closed") == company_side | {broker.id}


def test_sides_and_broker_report_progress_bureau_and_outsiders_do_not(app, pair, broker):
    docking = accepted(pair)
    docking.broker = broker
    outbox.commit()
    for user in (pair.company, pair.liaison, broker):
        services.check_in(user, docking.id, "样机测试中")
        outbox.commit()
    with pytest.raises(PermissionDenied, match="只有对接双方和技术经理人"):
        services.check_in(pair.bureau, docking.id)
    outbox.rollback()
    with pytest.raises(NotFound):
        services.check_in(pair.outsider, docking.id)
    outbox.rollback()
    with pytest.raises(DomainError, match="进展说明不能超过"):
        services.check_in(pair.company, docking.id, "长" * 501)
    outbox.rollback()
    assert kinds(docking).count("checked_in") == 3


def test_outsiders_get_404_on_every_page_and_action(client, auth, pair):
    docking = accepted(pair)
    auth.login(pair.outsider)
    assert client.get(f"/dockings/{docking.id}").status_code == 404
    assert client.get("/dockings/999999").status_code == 404
    for action, data in (
        ("answer", {"answer": "accept"}),
        ("close", {"outcome": "no_budget"}),
        ("check-in", {}),
        ("messages", {"body": "你好"}),
        ("nudge", {}),
        ("broker", {"broker_id": ""}),
    ):
        assert client.post(f"/dockings/{docking.id}/{action}", data=data).status_code == 404
    assert client.get("/dockings/overdue").status_code == 403
    assert client.get("/dockings/brokers").status_code == 403
    assert pair.problem.title not in client.get("/dockings/").text
    unchanged(docking, DockingStatus.ACCEPTED, 2)


def test_a_refused_action_shows_a_chinese_error_and_changes_nothing(client, auth, pair):
    docking = accepted(pair)
    auth.login(pair.company)
    response = client.post(f"/dockings/{docking.id}/nudge", follow_redirects=True)
    assert "只有科技局和技术经理人可以催办" in response.text
    response = client.post(
        f"/dockings/{docking.id}/broker",
        data={"broker_id": str(pair.bureau.id)},
        follow_redirects=True,
    )
    assert "只有科技局可以指定技术经理人" in response.text
    db.session.refresh(docking)
    assert docking.broker_id is None and docking.nudged_on is None
    unchanged(docking, DockingStatus.ACCEPTED, 2)


# --- deadlines and reminders -----------------------------------------------------------------


def test_deadlines_follow_the_stage_and_the_configuration(app, pair, clock):
    app.config["MARKET_DOCKING_ANSWER_DAYS"] = 5
    start = clock.now
    docking = requested(pair)
    assert as_utc(docking.due_at) == start + timedelta(days=5)
    assert docking.waiting_on == WaitingOn.RESPONDER
    assert docking.waiting_orgs == [pair.company.organization]

    clock.move(days=2)
    services.accept_docking(pair.company, docking.id)
    outbox.commit()
    db.session.refresh(docking)
    assert as_utc(docking.due_at) == clock.now + timedelta(days=30)
    assert docking.waiting_on == WaitingOn.BOTH

    clock.move(days=10)
    services.check_in(pair.liaison, docking.id, "小批量试用中")
    outbox.commit()
    db.session.refresh(docking)
    assert as_utc(docking.due_at) == clock.now + timedelta(days=30)


def test_a_reminder_goes_out_once_before_the_deadline(app, pair, clock):
    docking = requested(pair)
    due = as_utc(docking.due_at)

    clock.at(due - timedelta(days=3))
    assert services.remind_due_dockings() == 0  # not yet: two days ahead
    clock.at(due - timedelta(days=1, hours=20))
    assert services.remind_due_dockings() == 1
    outbox.commit()
    company_side = {u.id for u in pair.company.organization.members}
    reminders = notices(f"docking:{docking.id}:remind:%")
    assert {n.user_id for n in reminders} == company_side  # only the party that must act
    assert "即将到期" in reminders[0].subject and "请在" in reminders[0].body

    clock.move(hours=5)
    assert services.remind_due_dockings() == 0  # once per deadline
    outbox.commit()
    assert len(notices(f"docking:{docking.id}:remind:%")) == len(company_side)
    assert kinds(docking).count("reminded") == 1

    clock.at(due + timedelta(hours=1))
    assert services.remind_due_dockings() == 0  # past due: the overdue list takes over


def test_no_reminder_after_the_docking_moved_on(app, pair, clock):
    docking = requested(pair)
    first_due = as_utc(docking.due_at)
    clock.move(days=1)
    services.accept_docking(pair.company, docking.id)  # answered in time
    outbox.commit()
    clock.at(first_due - timedelta(days=1))
    assert services.remind_due_dockings() == 0
    outbox.commit()
    assert notices(f"docking:{docking.id}:remind:%") == []

    # The negotiation's own deadline is reminded, to both sides.
    db.session.refresh(docking)
    clock.at(as_utc(docking.due_at) - timedelta(days=1))
    assert services.remind_due_dockings() == 1
    outbox.commit()
    both = {u.id for org in docking.waiting_orgs for u in org.members}
    assert notified_users(f"docking:{docking.id}:remind:%") == both

    # A progress report sets a new deadline, reminded once again in its turn.
    services.check_in(pair.company, docking.id)
    outbox.commit()
    db.session.refresh(docking)
    clock.at(as_utc(docking.due_at) - timedelta(days=1))
    assert services.remind_due_dockings() == 1
    outbox.commit()
    assert kinds(docking).count("reminded") == 2

    # Closed: no deadline, no reminder.
    services.close_docking(pair.liaison, docking.id, "tech_mismatch")
    outbox.commit()
    before = len(notices(f"docking:{docking.id}:remind:%"))
    clock.move(days=29)
    assert services.remind_due_dockings() == 0
    assert len(notices(f"docking:{docking.id}:remind:%")) == before


def test_the_beat_task_sends_deadline_reminders(app, pair, clock):
    from worker.celery import beat_schedule
    from worker.tasks import remind_docking_deadlines

    assert "remind-docking-deadlines" in beat_schedule(app)
    docking = requested(pair)
    clock.at(as_utc(docking.due_at) - timedelta(days=1))
    assert remind_docking_deadlines.apply().get() == 1
    assert remind_docking_deadlines.apply().get() == 0
    db.session.expire_all()
    assert kinds(docking) == ["requested", "reminded"]
    assert notices(f"docking:{docking.id}:remind:%")


# --- the bureau: overdue list, nudges, brokers -----------------------------------------------


def test_the_overdue_list_shows_who_must_act_and_for_how_long(
    client, auth, pair, clock, make_posting
):
    late = requested(pair)
    other = make_posting("result", author=pair.liaison, publish=True, title="另一项成果")
    on_time = services.request_docking(pair.liaison, pair.problem.id, other.id)
    outbox.commit()
    clock.move(days=3)
    services.accept_docking(pair.company, on_time.id)
    outbox.commit()

    clock.at(as_utc(late.due_at) + timedelta(days=3, hours=2))
    rows = services.overdue_dockings()
    assert [(d.id, days) for d, days in rows] == [(late.id, 3)]

    auth.login(pair.bureau)
    page = client.get("/dockings/overdue").text
    assert f'data-docking-id="{late.id}"' in page
    assert f'data-docking-id="{on_time.id}"' not in page
    assert 'data-days="3"' in page and "3 天" in page
    assert pair.company.organization.name in page  # the party that must act
    assert "已逾期 3 天" in client.get(f"/dockings/{late.id}").text
    assert "已逾期 3 天" in client.get("/dockings/").text
    switch(auth, pair.company)
    assert client.get("/dockings/overdue").status_code == 403


def test_a_nudge_reminds_the_party_that_must_act_at_most_once_a_day(client, auth, pair, clock):
    docking = requested(pair)
    clock.at(as_utc(docking.due_at) + timedelta(days=1))
    auth.login(pair.bureau)
    response = client.post(
        f"/dockings/{docking.id}/nudge", data={"next": "overdue"}, follow_redirects=True
    )
    assert "已催办" in response.text and response.request.path == "/dockings/overdue"
    assert "今日已催办" in response.text
    company_side = {u.id for u in pair.company.organization.members}
    assert notified_users(f"docking:{docking.id}:nudge:%") == company_side
    assert "催办" in notices(f"docking:{docking.id}:nudge:%")[0].subject

    again = client.post(f"/dockings/{docking.id}/nudge", follow_redirects=True)
    assert "今天已经催办过" in again.text
    assert kinds(docking).count("nudged") == 1
    assert len(notices(f"docking:{docking.id}:nudge:%")) == len(company_side)

    clock.move(days=1)
    client.post(f"/dockings/{docking.id}/nudge")
    assert kinds(docking).count("nudged") == 2
    timeline = client.get(f"/dockings/{docking.id}").text
    assert "科技局 李科长</strong> 催办待处理的一方" in timeline


def test_the_bureau_flags_assigns_and_reassigns_a_broker(client, auth, pair, make_user):
    candidate = make_user(Role.INSTITUTE, org_name="许昌技术转移服务中心", name="赵经理")
    docking = accepted(pair)
    auth.login(pair.bureau)

    # Not yet a broker: cannot be assigned.
    refused = client.post(
        f"/dockings/{docking.id}/broker",
        data={"broker_id": str(candidate.id)},
        follow_redirects=True,
    )
    assert "只能指定科技局工作人员或已认定的技术经理人" in refused.text

    unknown = client.post("/dockings/brokers", data={"email": "nobody@example.cn", "flag": "y"})
    assert unknown.status_code == 400 and "没有使用该邮箱的用户" in unknown.text
    flagged = client.post(
        "/dockings/brokers", data={"email": candidate.email, "flag": "y"}, follow_redirects=True
    )
    assert "已认定 赵经理 为技术经理人" in flagged.text
    db.session.refresh(candidate)
    assert candidate.is_broker

    # A member of either side is never the broker.
    pair.liaison.is_broker = True
    outbox.commit()
    with pytest.raises(DomainError, match="不能是对接双方的成员"):
        services.assign_broker(pair.bureau, docking.id, pair.liaison.id)
    outbox.rollback()
    page = client.get(f"/dockings/{docking.id}").text
    assert f'<option value="{candidate.id}">' in page
    assert f'<option value="{pair.liaison.id}">' not in page

    client.post(f"/dockings/{docking.id}/broker", data={"broker_id": str(candidate.id)})
    db.session.refresh(docking)
    assert docking.broker_id == candidate.id
    told = notified_users(f"docking:{docking.id}:broker:%")
    assert candidate.id in told and pair.company.id in told and pair.liaison.id in told

    # Still following an open docking: cannot be unflagged.
    kept = client.post("/dockings/brokers", data={"email": candidate.email})
    assert kept.status_code == 400 and "仍在跟进 1 个对接" in kept.text

    # Reassigned to bureau staff: the first broker no longer sees the docking.
    client.post(f"/dockings/{docking.id}/broker", data={"broker_id": str(pair.bureau.id)})
    db.session.refresh(docking)
    assert docking.broker_id == pair.bureau.id
    page = client.get(f"/dockings/{docking.id}").text
    assert "将技术经理人由 赵经理 更换为 李科长" in page
    switch(auth, candidate)
    assert client.get(f"/dockings/{docking.id}").status_code == 404
    switch(auth, pair.bureau)
    client.post("/dockings/brokers", data={"email": candidate.email})
    db.session.refresh(candidate)
    assert not candidate.is_broker

    with pytest.raises(DomainError, match="没有变化"):
        services.assign_broker(pair.bureau, docking.id, pair.bureau.id)
    outbox.rollback()
    assert kinds(docking).count("broker") == 2


def test_the_broker_follows_posts_and_nudges(client, auth, pair, broker):
    docking = accepted(pair)
    services.assign_broker(pair.bureau, docking.id, broker.id)
    outbox.commit()
    auth.login(broker)
    assert f'data-docking-id="{docking.id}"' in client.get("/dockings/").text
    page = client.get(f"/dockings/{docking.id}").text
    assert "催办" in page and "报告进展" in page and "结束洽谈" not in page
    client.post(f"/dockings/{docking.id}/messages", data={"body": "下周三组织双方到现场交流。"})
    client.post(f"/dockings/{docking.id}/nudge")
    db.session.refresh(docking)
    assert docking.nudged_on == timeutil.today()
    # The negotiation waits on both sides: both are nudged.
    both = {u.id for org in docking.waiting_orgs for u in org.members}
    assert notified_users(f"docking:{docking.id}:nudge:%") == both
    assert kinds(docking)[-2:] == ["message", "nudged"]


# --- messages --------------------------------------------------------------------------------


def test_messages_reach_the_other_participants_and_bad_input_stores_nothing(
    client, auth, pair, broker
):
    docking = accepted(pair)
    services.assign_broker(pair.bureau, docking.id, broker.id)
    outbox.commit()
    auth.login(pair.company)

    empty = client.post(f"/dockings/{docking.id}/messages", data={"body": "   "})
    assert empty.status_code == 400 and "请填写留言内容" in empty.text
    long = client.post(f"/dockings/{docking.id}/messages", data={"body": "长" * 2001})
    assert long.status_code == 400 and "留言不能超过 2000 个字" in long.text
    assert "长" * 2001 in long.text  # the text is kept in the form to shorten it
    assert timeline.messages(pair.company, db.session.get(Docking, docking.id)) == []

    sent = client.post(
        f"/dockings/{docking.id}/messages",
        data={"body": "样机下周到货，请安排测试。"},
        follow_redirects=True,
    )
    assert "留言已发送" in sent.text
    assert "样机下周到货，请安排测试。" in sent.text
    [entry] = timeline.messages(pair.liaison, db.session.get(Docking, docking.id))
    assert entry.body == "样机下周到货，请安排测试。"
    assert entry.who == f"{pair.company.organization.name} {pair.company.name}"
    message = db.session.scalar(
        select(DockingEvent).where(
            DockingEvent.docking_id == docking.id, DockingEvent.kind == DockingEventKind.MESSAGE
        )
    )
    assert message.actor_id == pair.company.id
    others = {u.id for u in pair.liaison.organization.members} | {broker.id}
    told = notices(f"docking:{docking.id}:message:{message.id}")
    assert {n.user_id for n in told} == others  # not the author, not all bureau staff
    assert "有新留言" in told[0].subject and "样机下周到货" in told[0].body

    # Both sides, the broker and the bureau read the thread; an outsider does not.
    for user in (pair.liaison, broker, pair.bureau):
        switch(auth, user)
        assert "样机下周到货，请安排测试。" in client.get(f"/dockings/{docking.id}").text
    switch(auth, pair.outsider)
    assert client.get(f"/dockings/{docking.id}").status_code == 404


def test_bureau_staff_may_post_in_a_request_before_it_is_answered(app, pair):
    docking = requested(pair)
    services.post_message(pair.bureau, docking.id, "请企业尽快答复。")
    outbox.commit()
    receivers = {u.id for u in pair.company.organization.members} | {
        u.id for u in pair.liaison.organization.members
    }
    assert notified_users(f"docking:{docking.id}:message:%") == receivers


# --- signing and the timeline ----------------------------------------------------------------


def test_mark_signed_links_the_agreement_once(client, auth, pair):
    docking = accepted(pair)
    services.assign_broker(pair.bureau, docking.id, pair.bureau.id)
    outbox.commit()
    agreement = submit_agreement(
        pair.bureau,
        {
            "submission_key": "k-sign",
            "docking_id": str(docking.id),
            "title": "无线测温技术许可合同",
            "signed_on": timeutil.today().isoformat(),
            "amount": "88.00",
        },
    )
    outbox.commit()  # the eager worker records it in the ledger
    services.mark_signed(docking.id, agreement.id)
    outbox.commit()
    assert services.mark_signed(docking.id, agreement.id) is False  # a retried task
    outbox.commit()
    db.session.refresh(docking)
    assert docking.status == DockingStatus.SIGNED and docking.due_at is None
    assert kinds(docking).count("signed") == 1
    participants = {u.id for u in pair.company.organization.members} | {
        u.id for u in pair.liaison.organization.members
    }
    # The parties are told once, by the agreement's notice, not again by the docking.
    assert notified_users(f"agreement:{agreement.id}") == participants
    assert notified_users(f"docking:{docking.id}:signed") == {pair.bureau.id}  # the broker

    with pytest.raises(NotFound):
        services.mark_signed(docking.id + 1000, agreement.id)
    outbox.rollback()

    auth.login(pair.company)
    page = client.get(f"/dockings/{docking.id}").text
    assert 'data-testid="stage">已签约' in page
    assert "无线测温技术许可合同" in page and "登记合同，对接已签约" in page


def test_the_timeline_lists_every_action_with_who_and_when(client, auth, pair, broker, clock):
    docking = requested(pair)
    clock.move(hours=2)
    services.accept_docking(pair.company, docking.id)
    services.assign_broker(pair.bureau, docking.id, broker.id)
    services.post_message(pair.liaison, docking.id, "我们可以提供样机。")
    services.check_in(pair.company, docking.id, "样机测试中")
    outbox.commit()
    clock.at(as_utc(db.session.get(Docking, docking.id).due_at) - timedelta(days=1))
    services.remind_due_dockings()
    services.nudge(pair.bureau, docking.id)
    services.close_docking(pair.company, docking.id, "bad_timing", "明年预算下达后再谈")
    outbox.commit()
    assert kinds(docking) == [
        "requested",
        "accepted",
        "broker",
        "message",
        "checked_in",
        "reminded",
        "nudged",
        "closed",
    ]
    auth.login(pair.liaison)
    page = client.get(f"/dockings/{docking.id}").text
    timeline = page[page.index('data-testid="timeline"') :]
    company, liaison = pair.company.organization.name, pair.liaison.organization.name
    for expected in (
        f"{liaison} {pair.liaison.name}</strong> 发起对接（意向）：可上门交流",
        f"{company} {pair.company.name}</strong> 接受对接，进入洽谈",
        "科技局 李科长</strong> 指定技术经理人：赵经理",
        "报告进展：仍在洽谈，期限顺延：样机测试中",
        "系统</strong> 到期前提醒待处理的一方",
        "科技局 李科长</strong> 催办待处理的一方",
        "结束了洽谈（未达成），原因：时机不成熟：明年预算下达后再谈",
    ):
        assert expected in timeline, expected
    when = db.session.scalars(
        select(DockingEvent.created_at)
        .where(DockingEvent.docking_id == docking.id)
        .order_by(DockingEvent.id)
    ).all()
    assert as_utc(when[-1]) == clock.now


# --- the migration ---------------------------------------------------------------------------


def test_the_migration_keeps_existing_dockings_and_gives_them_deadlines(tmp_path, database_url):
    """Rows from before the pipeline survive, with the deadline and timeline they imply."""
    app = create_app(base_config(tmp_path, database_url))
    with app.app_context():
        _drop_everything()
        try:
            upgrade(directory=MIGRATIONS, revision="a51c0e7d1001")
            _old_rows()
            upgrade(directory=MIGRATIONS, revision="a51c0e7d1002")
            rows = db.session.execute(
                text(
                    "SELECT id, status, due_at, waiting_on, closed_at, closed_by_id "
                    "FROM dockings ORDER BY id"
                )
            ).all()
            due = {row.id: row.due_at and _stored(row.due_at) for row in rows}
            assert [row.status for row in rows] == ["REQUESTED", "ACCEPTED", "DECLINED", "SIGNED"]
            assert due == {
                1: OLD + timedelta(days=7),
                2: OLD + timedelta(days=32),
                3: None,
                4: None,
            }
            assert [row.waiting_on for row in rows] == ["RESPONDER", "BOTH", None, None]
            assert _stored(rows[2].closed_at) == OLD + timedelta(days=1)
            assert rows[2].closed_by_id == 1
            events = db.session.execute(
                text("SELECT docking_id, kind FROM docking_events ORDER BY docking_id, id")
            ).all()
            assert [tuple(e) for e in events] == [
                (1, "REQUESTED"),
                (2, "REQUESTED"),
                (2, "ACCEPTED"),
                (3, "REQUESTED"),
                (3, "DECLINED"),
                (4, "REQUESTED"),
                (4, "ACCEPTED"),
            ]
            assert db.session.execute(text("SELECT is_broker FROM users")).scalar() in (False, 0)
            db.session.commit()
        finally:
            db.session.rollback()
            _drop_everything()
            db.engine.dispose()


OLD = datetime(2026, 1, 5, 2, 30, tzinfo=UTC)
MIGRATIONS = str(Path(__file__).parent.parent / "market" / "migrations")


def _stored(value) -> datetime:
    """A raw column value: SQLite returns text, PostgreSQL a datetime."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _drop_everything():
    db.drop_all()
    for table in ("docking_events", "alembic_version"):
        db.session.execute(text(f"DROP TABLE IF EXISTS {table}"))
    db.session.commit()


def _old_rows():
    execute = db.session.execute
    for org_id, kind in ((1, "ENTERPRISE"), (2, "INSTITUTE")):
        execute(
            text(
                "INSERT INTO organizations (id, name, kind, created_at) "
                "VALUES (:id, :name, :kind, :at)"
            ),
            {"id": org_id, "name": f"单位{org_id}", "kind": kind, "at": OLD},
        )
        execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, role, organization_id, "
                "session_token, email_notifications, created_at) "
                "VALUES (:id, :email, '张工', 'x', :kind, :id, 't', :yes, :at)"
            ),
            {"id": org_id, "email": f"u{org_id}@example.cn", "kind": kind, "yes": True, "at": OLD},
        )
    for posting_id in range(1, 6):
        kind, org = ("PROBLEM", 1) if posting_id == 1 else ("RESULT", 2)
        execute(
            text(
                "INSERT INTO postings (id, kind, title, body, field, keywords, status, "
                "organization_id, created_at, updated_at, visibility) VALUES (:id, :kind, "
                "'开关柜测温', '正文', '电力装备', :kw, 'PUBLISHED', :org, :at, :at, 'PUBLIC')"
            ),
            {"id": posting_id, "kind": kind, "org": org, "at": OLD, "kw": '["测温"]'},
        )
    decided = OLD + timedelta(days=2)
    for docking_id, status, decided_at in (
        (1, "REQUESTED", None),
        (2, "ACCEPTED", decided),
        (3, "DECLINED", OLD + timedelta(days=1)),
        (4, "SIGNED", decided),
    ):
        execute(
            text(
                "INSERT INTO dockings (id, demand_id, supply_id, requester_org_id, "
                "responder_org_id, requested_by_id, decided_by_id, status, created_at, "
                "decided_at) VALUES (:id, 1, :supply, 2, 1, 2, :decider, :status, :at, :decided)"
            ),
            {
                "id": docking_id,
                "supply": docking_id + 1,
                "decider": 1 if decided_at else None,
                "status": status,
                "at": OLD,
                "decided": decided_at,
            },
        )
    db.session.commit()


# --- review fixes: anonymous authors, late signing, the list's queries ------------------------


@pytest.fixture
def anonymous_pair(make_posting, make_user):
    """Like `pair`, but the company hides its name until it accepts a docking."""
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True, visibility=Visibility.ANONYMOUS.value)
    return SimpleNamespace(
        problem=problem,
        result=result,
        company=problem.author,
        liaison=result.author,
        bureau=make_user(Role.BUREAU, name="李科长"),
    )


def test_a_message_from_an_anonymous_company_does_not_name_it_before_it_accepts(
    app, anonymous_pair
):
    pair = anonymous_pair
    company = pair.company.organization.name
    docking = requested(pair)
    services.post_message(pair.company, docking.id, "请先介绍一下样机参数。")
    outbox.commit()
    [told] = notices(f"docking:{docking.id}:message:%")
    assert told.user_id == pair.liaison.id
    assert "请先介绍一下样机参数。" in told.body
    assert company not in told.body and pair.company.name not in told.body
    assert "匿名企业" in told.body

    services.accept_docking(pair.company, docking.id)
    services.post_message(pair.company, docking.id, "欢迎来厂里看现场。")
    outbox.commit()
    later = [n for n in notices(f"docking:{docking.id}:message:%") if n.id != told.id]
    assert [n.user_id for n in later] == [pair.liaison.id]
    assert f"{company} {pair.company.name}：欢迎来厂里看现场。" == later[0].body


def test_an_agreement_recorded_after_the_docking_closed_keeps_its_status(client, auth, pair):
    docking = accepted(pair)
    submit_agreement(
        pair.bureau,
        {
            "submission_key": "k-late",
            "docking_id": str(docking.id),
            "title": "无线测温技术许可合同",
            "signed_on": timeutil.today().isoformat(),
            "amount": "88.00",
        },
    )
    # The company closes the negotiation before the worker records the agreement.
    services.close_docking(pair.company, docking.id, "bad_timing")
    outbox.commit()  # the eager worker records the agreement: mark_signed runs now
    db.session.expire_all()
    docking = db.session.get(Docking, docking.id)
    assert docking.status == DockingStatus.DECLINED
    assert docking.outcome == DockingOutcome.BAD_TIMING
    assert kinds(docking)[-2:] == ["closed", "signed"]  # the agreement is on the timeline
    auth.login(pair.company)
    page = client.get(f"/dockings/{docking.id}").text
    assert 'data-testid="stage">未达成' in page
    assert "登记合同（对接此前已结束，状态未改变）" in page


class Queries:
    """Counts the SQL statements the application sends."""

    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1

    def during(self, action):
        """(statements sent, the action's result)"""
        engine = db.engine
        self.count = 0
        event.listen(engine, "before_cursor_execute", self)
        try:
            result = action()
        finally:
            event.remove(engine, "before_cursor_execute", self)
        return self.count, result


def test_the_docking_list_runs_the_same_queries_for_two_or_five_dockings(
    client, auth, make_posting, make_user
):
    """The list loads postings, organisations and brokers with the dockings (no query per
    row), and works out anonymous company names once for the whole list."""
    liaison = make_posting("result", publish=True).author
    bureau = make_user(Role.BUREAU, name="李科长")
    company_names = []

    def add_dockings(n):
        for _i in range(n):
            problem = make_posting("problem", publish=True, visibility=Visibility.ANONYMOUS.value)
            result = make_posting("result", author=liaison, publish=True)
            docking = services.request_docking(liaison, problem.id, result.id)
            services.assign_broker(bureau, docking.id, bureau.id)
            company_names.append(problem.organization.name)
            outbox.commit()

    counts = {}
    for total in (2, 5):
        add_dockings(total - len(company_names))
        for viewer in (liaison, bureau):
            auth.login(viewer)
            count, page = Queries().during(lambda: client.get("/dockings/").text)
            counts[(total, viewer.id)] = count
            assert page.count("data-docking-id=") == total
            if viewer is liaison:
                assert "匿名企业（接受对接后显示）" in page
                assert not any(name in page for name in company_names)
            auth.logout()
    assert counts[(2, liaison.id)] == counts[(5, liaison.id)]
    assert counts[(2, bureau.id)] == counts[(5, bureau.id)]
