"""活动: the bureau's events, registration under a capacity (also in parallel on PostgreSQL),
reminders the day before (controlled clock), a 对接会's pairing schedule (page and XLSX), who may
see what, and what an event produced."""

from __future__ import annotations

import io
import random
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from market import outbox, timeutil
from market.accounts.models import Role, User
from market.agreements.models import Agreement, AgreementStatus, LedgerEntry, LedgerKind
from market.dockings.services import request_docking
from market.errors import DomainError, PermissionDenied
from market.events import services
from market.events.models import (
    Event,
    EventKind,
    EventMeeting,
    EventRegistration,
    RegistrationStatus,
)
from market.events.pairing import Candidate, plan_meetings
from market.extensions import db
from market.matching.models import Match
from market.notifications.models import Notification
from market.timeutil import CHINA

IN_A_WEEK = timeutil.today() + timedelta(days=7)


def form(**overrides) -> dict:
    """What the bureau types into the event form (Xuchang wall-clock times)."""
    data = {
        "kind": "policy",
        "title": "2026年度高新技术企业认定政策宣讲会",
        "starts_at": f"{IN_A_WEEK.isoformat()}T09:30",
        "ends_at": f"{IN_A_WEEK.isoformat()}T11:30",
        "place": "许昌市科技大厦三楼报告厅",
        "online_url": "",
        "capacity": "50",
        "description": "解读高新技术企业认定办法及研发费用加计扣除政策。",
        "slot_minutes": "",
        "slot_count": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def bureau(make_user):
    return make_user(Role.BUREAU)


@pytest.fixture
def make_event(bureau):
    def make(**overrides) -> Event:
        event = services.create_event(bureau, form(**overrides))
        outbox.commit()
        return event

    return make


@pytest.fixture
def org_user(make_user):
    """A member of a new organisation of this role (each call: another organisation)."""
    counter = iter(range(1, 1000))

    def make(role: Role = Role.ENTERPRISE, name: str | None = None) -> User:
        n = next(counter)
        default = "许昌第%d机械有限公司" if role == Role.ENTERPRISE else "河南第%d工业研究院"
        return make_user(role, org_name=name or default % n)

    return make


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- creating events


def test_bureau_creates_an_event_and_everyone_sees_it(client, auth, bureau):
    auth.login(bureau)
    response = client.post("/events/new", data=form())
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.kind == EventKind.POLICY and event.capacity == 50
    # 09:30 in Xuchang is 01:30 UTC.
    assert timeutil.as_utc(event.starts_at) == datetime.combine(
        IN_A_WEEK, datetime.min.time(), tzinfo=UTC
    ) + timedelta(hours=1, minutes=30)
    auth.logout()
    listing = client.get("/events/").text
    assert event.title in listing and "政策宣讲会" in listing
    page = client.get(f"/events/{event.id}").text
    assert f"{IN_A_WEEK.isoformat()} 09:30" in page and "科技大厦" in page
    assert "剩余 50 个名额" in page and "登录后报名" in page


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"title": "  "}, "请填写活动名称"),
        ({"kind": "party"}, "请选择活动类型"),
        ({"place": "", "online_url": ""}, "请填写活动地点或线上链接（至少一项）"),
        ({"online_url": "www.example.cn"}, "线上链接须以 http:// 或 https:// 开头"),
        ({"capacity": "0"}, "请填写 1 到 100000 之间的整数"),
        ({"capacity": "十"}, "请填写 1 到 100000 之间的整数"),
        ({"starts_at": "下周三上午"}, "时间格式不正确"),
        ({"starts_at": ""}, "请填写开始时间"),
        ({"starts_at": "2020-01-01T09:00", "ends_at": ""}, "开始时间必须晚于现在"),
        ({"ends_at": f"{IN_A_WEEK.isoformat()}T08:00"}, "结束时间必须晚于开始时间"),
        ({"description": ""}, "请填写活动介绍"),
        ({"kind": "matchmaking", "slot_minutes": "2"}, "请填写 5 到 180 之间的整数"),
        ({"kind": "matchmaking", "slot_count": "100"}, "请填写 1 到 48 之间的整数"),
    ],
)
def test_a_wrong_event_is_refused_in_chinese_and_nothing_is_stored(
    client, auth, bureau, overrides, field_message
):
    auth.login(bureau)
    response = client.post("/events/new", data=form(**overrides))
    assert response.status_code == 400
    assert "活动信息有误，请按提示修改" in response.text
    assert field_message in response.text
    assert count(Event) == 0


def test_online_only_event_and_matchmaking_slots_from_config(app, bureau):
    event = services.create_event(
        bureau, form(place="", online_url="https://meeting.tencent.com/dm/xc2026", kind="training")
    )
    assert event.place is None and event.online_url.startswith("https://")
    app.config["MARKET_EVENT_SLOT_MINUTES"] = 15
    fair = services.create_event(bureau, form(kind="matchmaking"))
    assert (fair.slot_minutes, fair.slot_count) == (15, app.config["MARKET_EVENT_SLOT_COUNT"])


def test_only_the_bureau_creates_edits_and_cancels(client, auth, org_user, make_event):
    event = make_event()
    company = org_user()
    assert client.get("/events/new").status_code == 302  # anonymous: to the login page
    auth.login(company)
    assert client.post("/events/new", data=form(title="企业自办活动")).status_code == 403
    assert client.post(f"/events/{event.id}/edit", data=form(capacity="5")).status_code == 403
    assert client.post(f"/events/{event.id}/cancel", data={"reason": "不办了"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.create_event(company, form())
    db.session.refresh(event)
    assert count(Event) == 1 and event.capacity == 50 and not event.is_cancelled


def test_bureau_edits_an_event_and_registrants_hear_of_a_new_time(
    client, auth, bureau, org_user, make_event
):
    event = make_event(capacity="3")
    companies = [org_user() for _ in range(2)]
    for company in companies:
        services.register_for_event(company, event.id)
    outbox.commit()
    auth.login(bureau)
    response = client.post(f"/events/{event.id}/edit", data=form(capacity="1"))
    assert response.status_code == 400
    assert "已有 2 家单位报名，人数上限不能少于报名数" in response.text
    db.session.refresh(event)
    assert event.capacity == 3

    moved = form(capacity="2", starts_at=f"{IN_A_WEEK.isoformat()}T14:00", ends_at="")
    assert client.post(f"/events/{event.id}/edit", data=moved).status_code == 302
    db.session.refresh(event)
    assert event.capacity == 2 and services.local_time(event.starts_at).endswith("14:00")
    told = db.session.scalars(
        select(Notification).where(Notification.event_key.like(f"event-changed:{event.id}:%"))
    ).all()
    assert {n.user_id for n in told} == {c.id for c in companies}
    assert "14:00" in told[0].body
    # Saving again without a change tells nobody again.
    client.post(f"/events/{event.id}/edit", data=moved)
    assert count(Notification) == len(told)
    # The edit page shows the stored values back in local time.
    assert f'value="{IN_A_WEEK.isoformat()}T14:00"' in client.get(f"/events/{event.id}/edit").text


def test_cancelling_an_event_tells_registrants_and_closes_registration(
    client, auth, bureau, org_user, make_event
):
    event = make_event()
    company, late = org_user(), org_user()
    services.register_for_event(company, event.id)
    outbox.commit()
    auth.login(bureau)
    response = client.post(f"/events/{event.id}/cancel", data={"reason": " "})
    assert response.status_code == 400 and "请填写取消原因" in response.text
    client.post(f"/events/{event.id}/cancel", data={"reason": "因天气原因延期举办"})
    db.session.refresh(event)
    assert event.is_cancelled and event.cancel_reason == "因天气原因延期举办"
    note = db.session.scalar(select(Notification).where(Notification.user_id == company.id))
    assert note.event_key == f"event-cancelled:{event.id}" and "因天气原因" in note.body
    auth.logout()
    auth.login(late)
    response = client.post(f"/events/{event.id}/register", data={})
    assert response.status_code == 400 and "活动已取消，不能报名" in response.text
    assert services.registration_of(late.organization_id, event.id) is None


# ---------------------------------------------------------------- registration


def test_company_registers_once_cancels_and_registers_again(client, auth, org_user, make_event):
    event = make_event(capacity="2")
    company = org_user()
    colleague = org_user(name=company.organization.name)  # same organisation
    auth.login(company)
    response = client.post(f"/events/{event.id}/register", data={}, follow_redirects=True)
    assert "报名成功" in response.text and "您单位已报名" in response.text
    auth.logout()
    auth.login(colleague)
    page = client.post(f"/events/{event.id}/register", data={}, follow_redirects=True).text
    assert "您单位已报名" in page
    db.session.refresh(event)
    assert event.registered_count == 1 and count(EventRegistration) == 1

    response = client.post(f"/events/{event.id}/unregister", follow_redirects=True)
    assert "已取消报名" in response.text
    db.session.refresh(event)
    registration = services.registration_of(company.organization_id, event.id)
    assert event.registered_count == 0 and registration.status == RegistrationStatus.CANCELLED
    response = client.post(f"/events/{event.id}/unregister")
    assert response.status_code == 400 and "您单位未报名此活动" in response.text
    db.session.refresh(event)
    assert event.registered_count == 0

    client.post(f"/events/{event.id}/register", data={})
    db.session.refresh(event)
    assert event.registered_count == 1 and count(EventRegistration) == 1
    assert services.registration_of(company.organization_id, event.id).is_active


def test_a_full_event_refuses_the_next_organisation_in_chinese(client, auth, org_user, make_event):
    event = make_event(capacity="1")
    first, second = org_user(), org_user(Role.INSTITUTE)
    services.register_for_event(first, event.id)
    outbox.commit()
    auth.login(second)
    page = client.get(f"/events/{event.id}").text
    assert "报名人数已满" in page
    response = client.post(f"/events/{event.id}/register", data={})
    assert response.status_code == 400
    assert "报名人数已满（共 1 个名额），无法报名" in response.text
    db.session.refresh(event)
    assert event.registered_count == 1 and count(EventRegistration) == 1
    # A seat given back can be taken.
    services.cancel_registration(first, event.id)
    outbox.commit()
    client.post(f"/events/{event.id}/register", data={})
    assert services.registration_of(second.organization_id, event.id).is_active


def test_bureau_does_not_register_and_started_events_are_closed(
    client, auth, bureau, org_user, make_event, monkeypatch
):
    event = make_event()
    with pytest.raises(PermissionDenied):
        services.register_for_event(bureau, event.id)
    company = org_user()
    services.register_for_event(company, event.id)
    outbox.commit()
    later = timeutil.as_utc(event.starts_at) + timedelta(minutes=1)
    monkeypatch.setattr(timeutil, "utcnow", lambda: later)
    auth.login(org_user())
    response = client.post(f"/events/{event.id}/register", data={})
    assert response.status_code == 400 and "报名已截止" in response.text
    with pytest.raises(DomainError, match="活动已开始，不能取消报名"):
        services.cancel_registration(company, event.id)


def test_an_organisation_brings_only_its_own_open_postings(
    client, auth, make_posting, make_event, org_user
):
    fair = make_event(kind="matchmaking")
    mine = make_posting("problem", publish=True)
    pending = make_posting("problem", author=mine.author, title="尚在审核的需求")
    other = make_posting("problem", author=org_user(), publish=True, title="废旧锂电池回收拆解")
    company = mine.author
    auth.login(company)
    page = client.get(f"/events/{fair.id}").text
    assert mine.title in page and pending.title not in page and other.title not in page
    for wrong in (other.id, pending.id):
        response = client.post(f"/events/{fair.id}/register", data={"posting_ids": [wrong]})
        assert response.status_code == 400
        assert "只能选择本单位已发布且在有效期内的需求或成果" in response.text
    assert count(EventRegistration) == 0
    client.post(f"/events/{fair.id}/register", data={"posting_ids": [str(mine.id)]})
    registration = services.registration_of(company.organization_id, fair.id)
    assert [p.id for p in registration.postings] == [mine.id]
    # Registering again changes what is brought, not the seats taken.
    response = client.post(f"/events/{fair.id}/register", data={}, follow_redirects=True)
    assert "已更新带到对接会的内容" in response.text
    db.session.refresh(fair)
    assert registration.postings == [] and fair.registered_count == 1


def _register_in_parallel(
    app, users: list[User], event_id: int, waitlist: bool = False
) -> list[str]:
    """Every user registers at the same moment, each in its own app context and session."""
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []
    lock = threading.Lock()

    def register(user_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                registration = services.register_for_event(user, event_id, waitlist=waitlist)
                outcome = "ok" if registration.is_active else registration.status.value
                outbox.commit()
            except DomainError as error:
                outbox.rollback()
                outcome = error.message
            finally:
                db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=register, args=(u.id,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.parametrize("backend", ["postgresql"])
def test_parallel_registrations_take_exactly_the_capacity(app, org_user, make_event):
    capacity, extra = 5, 7
    event = make_event(capacity=str(capacity))
    users = [org_user() for _ in range(capacity + extra)]
    db.session.commit()
    outcomes = _register_in_parallel(app, users, event.id)
    assert outcomes.count("ok") == capacity
    assert outcomes.count("报名人数已满（共 5 个名额），无法报名。") == extra
    db.session.expire_all()
    assert db.session.get(Event, event.id).registered_count == capacity
    assert count(EventRegistration) == capacity


@pytest.mark.parametrize("backend", ["postgresql"])
def test_parallel_registrations_of_one_organisation_take_one_seat(
    app, make_user, org_user, make_event
):
    event = make_event(capacity="3")
    first = org_user()
    colleagues = [first] + [
        make_user(Role.ENTERPRISE, org_name=first.organization.name) for _ in range(5)
    ]
    db.session.commit()
    outcomes = _register_in_parallel(app, colleagues, event.id)
    assert outcomes == ["ok"] * 6
    db.session.expire_all()
    assert db.session.get(Event, event.id).registered_count == 1
    assert count(EventRegistration) == 1
    # ... and after a cancellation, a second wave again takes exactly one seat.
    services.cancel_registration(first, event.id)
    outbox.commit()
    assert _register_in_parallel(app, colleagues, event.id) == ["ok"] * 6
    db.session.expire_all()
    assert db.session.get(Event, event.id).registered_count == 1


@pytest.mark.parametrize("backend", ["postgresql"])
def test_parallel_registrations_past_capacity_join_the_waiting_list_in_order(
    app, org_user, make_event
):
    event = make_event(capacity="4")
    users = [org_user() for _ in range(10)]
    db.session.commit()
    outcomes = _register_in_parallel(app, users, event.id, waitlist=True)
    assert outcomes.count("ok") == 4 and outcomes.count("waitlisted") == 6
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.registered_count == 4
    waiting = services.waiting_list(event)
    assert len(waiting) == 6
    assert [services.waiting_position(r) for r in waiting] == [1, 2, 3, 4, 5, 6]


def test_waiting_list_takes_freed_seats_first_come_first_served(
    client, auth, bureau, org_user, make_event
):
    event = make_event(capacity="1")
    first, second, third, fourth = (org_user() for _ in range(4))
    services.register_for_event(first, event.id)
    outbox.commit()
    auth.login(second)
    page = client.get(f"/events/{event.id}").text
    assert "加入候补名单" in page
    response = client.post(
        f"/events/{event.id}/register", data={"waitlist": "1"}, follow_redirects=True
    )
    assert "已加入候补名单（第 1 位）" in response.text
    assert "您单位在候补名单中（第 1 位）" in response.text and "退出候补" in response.text
    auth.logout()
    for user in (third, fourth):
        services.register_for_event(user, event.id, waitlist=True)
    outbox.commit()
    db.session.refresh(event)
    assert event.registered_count == 1
    assert [r.organization_id for r in services.waiting_list(event)] == [
        second.organization_id,
        third.organization_id,
        fourth.organization_id,
    ]
    auth.login(bureau)
    assert 'data-testid="waiting-list"' in client.get(f"/events/{event.id}").text
    auth.logout()

    # The registered organisation cancels: the first in line gets its seat and is told.
    services.cancel_registration(first, event.id)
    outbox.commit()
    db.session.refresh(event)
    assert event.registered_count == 1
    assert services.registration_of(second.organization_id, event.id).is_active
    told = db.session.scalar(
        select(Notification).where(
            Notification.user_id == second.id, Notification.event_key.like("event-promoted:%")
        )
    )
    assert "候补报名成功" in told.subject
    # Leaving the waiting list frees no seat; a larger capacity seats those still waiting.
    services.cancel_registration(third, event.id)
    outbox.commit()
    db.session.refresh(event)
    assert event.registered_count == 1 and len(services.waiting_list(event)) == 1
    services.update_event(bureau, event.id, form(capacity="5"))
    outbox.commit()
    db.session.refresh(event)
    assert event.registered_count == 2 and services.waiting_list(event) == []
    assert services.registration_of(fourth.organization_id, event.id).is_active
    assert services.registration_of(third.organization_id, event.id).status == (
        RegistrationStatus.CANCELLED
    )
    # Only registered organisations are reminded, not those who left the waiting list.
    reminded = services.remind_registrants(today=IN_A_WEEK - timedelta(days=1))
    assert reminded == 2


# ---------------------------------------------------------------- reminders


def _event_on(bureau, day: date, at: str, **overrides) -> Event:
    event = services.create_event(
        bureau, form(starts_at=f"{day.isoformat()}T{at}", ends_at="", **overrides)
    )
    outbox.commit()
    return event


def test_reminders_go_out_the_day_before_once_per_registration(
    app, bureau, make_user, org_user, monkeypatch
):
    day = timeutil.today() + timedelta(days=3)
    event = _event_on(bureau, day, "09:30")
    early = _event_on(bureau, day, "00:10", title="凌晨线上直播培训")  # still that day in Xuchang
    next_day = _event_on(bureau, day + timedelta(days=1), "00:10", title="次日活动")
    company = org_user()
    colleague = make_user(Role.ENTERPRISE, org_name=company.organization.name)
    institute, quitter = org_user(Role.INSTITUTE), org_user()
    for user in (company, institute, quitter):
        for e in (event, early, next_day):
            services.register_for_event(user, e.id)
    services.cancel_registration(quitter, event.id)
    outbox.commit()
    celery = app.extensions["celery"]
    beat = celery.conf.beat_schedule["remind-event-registrants"]
    assert beat["task"] == "worker.tasks.remind_event_registrants"
    task = celery.tasks["worker.tasks.remind_event_registrants"]

    monkeypatch.setattr(timeutil, "today", lambda: day - timedelta(days=2))
    assert task.apply().get() == 0  # two days before: nothing yet

    monkeypatch.setattr(timeutil, "today", lambda: day - timedelta(days=1))
    # event: company (2 members) + institute; early: also quitter.
    assert task.apply().get() == 3 + 4
    assert task.apply().get() == 0  # the hourly beat runs again: nothing new
    reminders = db.session.scalars(
        select(Notification).where(Notification.event_key.like("event-reminder:%"))
    ).all()
    assert len(reminders) == 7
    assert {n.user_id for n in reminders} == {company.id, colleague.id, institute.id, quitter.id}
    registration = services.registration_of(company.organization_id, event.id)
    keys = {n.event_key for n in reminders if n.user_id == company.id}
    assert f"event-reminder:{registration.id}:{day.isoformat()}" in keys
    note = next(n for n in reminders if n.user_id == institute.id and "09:30" in n.body)
    assert "明日活动提醒" in note.subject and "科技大厦" in note.body
    # Cancelling and registering again does not remind twice.
    services.cancel_registration(company, event.id)
    services.register_for_event(company, event.id)
    outbox.commit()
    assert task.apply().get() == 0

    monkeypatch.setattr(timeutil, "today", lambda: day)
    # next_day's, for everyone registered for it: company (2 members), institute, quitter.
    assert services.remind_registrants() == 4


def test_cancelled_events_are_not_reminded(bureau, org_user):
    day = timeutil.today() + timedelta(days=2)
    event = _event_on(bureau, day, "15:00")
    services.register_for_event(org_user(), event.id)
    services.cancel_event(bureau, event.id, "场地调整")
    outbox.commit()
    assert services.remind_registrants(today=day - timedelta(days=1)) == 0


# ---------------------------------------------------------------- the 对接会 schedule

PROBLEMS = [
    {},  # the conftest problem: 开关柜触头发热无法在线监测
    {
        "title": "变电站开关柜母排接头温度在线监测",
        "body": "公司生产的十千伏开关柜母排搭接面和触头长期运行后接触电阻增大而发热，"
        "需要一种可长期安装在柜内高电位处、免维护的无线测温传感器，实现过热预警。",
        "keywords": "开关柜, 母排, 无线测温, 过热预警",
    },
    {
        "title": "配电柜触头过热无法及时发现",
        "body": "配电柜和开关柜的触头发热只能靠人工红外测温巡检，柜内测不到。希望引进无源"
        "无线测温技术，温度数据远传到监控后台并分级报警。",
        "keywords": "配电柜, 触头发热, 测温, 报警",
    },
]
RESULTS = [
    {},  # the conftest result: 开关柜无源无线声表面波测温技术
    {
        "title": "高压开关柜无线温度监测系统",
        "body": "基于无源无线温度传感器的开关柜触头和母排温度在线监测系统，传感器免电池，"
        "安装于高电位接点，温度数据无线远传，支持过热分级预警。",
        "keywords": "开关柜, 无线测温, 在线监测, 母排",
    },
    {
        "title": "电力设备接点温度无源传感技术",
        "body": "研制的无源温度传感器可用于开关柜、环网柜的触头与电缆接头测温，"
        "精度高、寿命长，已在多个变电站应用，可提供过热报警平台。",
        "keywords": "无源传感, 测温, 开关柜, 电缆接头",
    },
]


@pytest.fixture
def fair(bureau, org_user, make_posting):
    """A 对接会 with two slots: three companies and three institutes bring matching postings,
    a fourth company brings an unrelated problem and a fourth institute brings nothing."""
    event = services.create_event(
        bureau, form(kind="matchmaking", title="电力装备产学研专题对接会", slot_count="2")
    )
    outbox.commit()
    people = {"companies": [], "institutes": []}
    for data in PROBLEMS:
        user = org_user(Role.ENTERPRISE)
        posting = make_posting("problem", author=user, publish=True, **data)
        people["companies"].append((user, posting))
    for data in RESULTS:
        user = org_user(Role.INSTITUTE)
        posting = make_posting("result", author=user, publish=True, **data)
        people["institutes"].append((user, posting))
    for user, posting in people["companies"] + people["institutes"]:
        services.register_for_event(user, event.id, [posting.id])
    loner = org_user(Role.ENTERPRISE)
    hair = make_posting(
        "problem",
        author=loner,
        publish=True,
        title="假发发丝染色后易褪色",
        body="我公司生产真人发假发，染色后经多次洗涤易褪色，需要环保型固色工艺。",
        keywords="发制品, 染色, 固色",
        field="发制品",
    )
    services.register_for_event(loner, event.id, [hair.id])
    idle = org_user(Role.INSTITUTE)
    services.register_for_event(idle, event.id)
    outbox.commit()
    people.update(event=event, loner=loner, idle=idle)
    return people


def test_pairing_schedule_pairs_best_first_without_double_booking(client, auth, bureau, fair):
    event = fair["event"]
    candidates = services.schedule_candidates(event)
    assert len(candidates) >= 7, "the fixture's postings should match across most pairs"
    auth.login(bureau)
    response = client.post(f"/events/{event.id}/schedule", follow_redirects=True)
    assert "已生成配对日程" in response.text
    meetings = db.session.scalars(select(EventMeeting).order_by(EventMeeting.rank)).all()

    # At most one meeting per organisation per slot, only the event's two slots.
    for slot in {m.slot for m in meetings}:
        in_slot = [m for m in meetings if m.slot == slot]
        orgs = [m.demand_org_id for m in in_slot] + [m.supply_org_id for m in in_slot]
        assert len(orgs) == len(set(orgs))
    assert {m.slot for m in meetings} <= {0, 1}
    # Each pair of organisations meets at most once; 3 × 3 pairs need 3 slots, 2 hold 6.
    assert len({(m.demand_org_id, m.supply_org_id) for m in meetings}) == len(meetings)
    assert len(meetings) <= 6
    # Best matches first: ranks follow the engine's 匹配度, then its score.
    keys = [(m.strength, m.score) for m in meetings]
    assert keys == sorted(keys, reverse=True)
    assert meetings[0].strength == max(c.match.strength for c in candidates)
    # Greedy: a pair left out found one of its two sides busy in every slot.
    placed = {(m.demand_org_id, m.supply_org_id) for m in meetings}
    for c in candidates:
        if (c.demand_org_id, c.supply_org_id) not in placed:
            for slot in (0, 1):
                busy = {m.demand_org_id for m in meetings if m.slot == slot} | {
                    m.supply_org_id for m in meetings if m.slot == slot
                }
                assert c.demand_org_id in busy or c.supply_org_id in busy
    # Every meeting is a stored match of brought postings, with the engine's reasons.
    for m in meetings:
        match = db.session.scalar(
            select(Match).where(Match.demand_id == m.demand_id, Match.supply_id == m.supply_id)
        )
        assert match is not None and match.strength == m.strength
        assert services.meeting_reasons(m) and "共同关键词" in services.meeting_reasons(m)[0]
    # Nobody is paired with the unrelated problem or with the institute that brought nothing.
    everyone = {m.demand_org_id for m in meetings} | {m.supply_org_id for m in meetings}
    assert fair["loner"].organization_id not in everyone
    assert fair["idle"].organization_id not in everyone
    page = client.get(f"/events/{event.id}/schedule").text
    assert "共同关键词" in page and f"{IN_A_WEEK.isoformat()} 09:50–10:10" in page
    notes_before = count(Notification)

    # Each organisation with meetings is told once, with a link to its own meetings.
    company, _problem = fair["companies"][0]
    told = db.session.scalars(
        select(Notification).where(Notification.event_key.like(f"event-schedule:{event.id}:%"))
    ).all()
    assert {n.user_id for n in told} >= {company.id}
    assert all(n.link == f"/events/{event.id}/meetings" for n in told)
    assert len(told) == len(everyone)  # one member per organisation here

    # Generating again replaces the schedule with the same one and tells nobody again.
    first = [(m.slot, m.demand_id, m.supply_id) for m in meetings]
    client.post(f"/events/{event.id}/schedule")
    again = db.session.scalars(select(EventMeeting).order_by(EventMeeting.rank)).all()
    assert [(m.slot, m.demand_id, m.supply_id) for m in again] == first
    assert count(Notification) == notes_before


def test_pairs_marked_irrelevant_are_not_scheduled(bureau, fair):
    from market.feedback.services import mark_match

    event = fair["event"]
    candidates = services.schedule_candidates(event)
    by_company, by_institute = candidates[0].match, candidates[1].match
    company = next(u for u, p in fair["companies"] if p.id == by_company.demand_id)
    institute = next(u for u, p in fair["institutes"] if p.id == by_institute.supply_id)
    mark_match(company, by_company.demand_id, by_company.supply_id, 0)  # 不相关
    mark_match(institute, by_institute.demand_id, by_institute.supply_id, 0)
    outbox.commit()
    left = {(c.match.demand_id, c.match.supply_id) for c in services.schedule_candidates(event)}
    assert (by_company.demand_id, by_company.supply_id) not in left
    assert (by_institute.demand_id, by_institute.supply_id) not in left
    assert len(left) == len(candidates) - 2
    meetings = services.generate_schedule(bureau, event.id)
    assert {(m.demand_id, m.supply_id) for m in meetings} <= left


def test_schedule_downloads_as_xlsx(client, auth, bureau, fair):
    event = fair["event"]
    services.generate_schedule(bureau, event.id)
    outbox.commit()
    meetings = services.schedule_of(event)
    auth.login(bureau)
    response = client.get(f"/events/{event.id}/schedule.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("时段", "开始时间", "结束", "企业")
    assert rows[0][-1] == "配对理由"
    assert len(rows) - 1 == len(meetings) > 0
    for row, meeting in zip(rows[1:], meetings, strict=True):
        slot, start, end, company, problem, institute, result, strength, reasons = row
        assert slot == meeting.slot + 1
        assert start == services.local_time(services.slot_times(event, meeting.slot)[0])
        assert (company, institute) == (meeting.demand_org.name, meeting.supply_org.name)
        assert (problem, result) == (meeting.demand.title, meeting.supply.title)
        assert strength == pytest.approx(meeting.strength, abs=1e-4)
        assert reasons.startswith("共同关键词")
    for slot in {r[0] for r in rows[1:]}:
        orgs = [r[3] for r in rows[1:] if r[0] == slot] + [r[5] for r in rows[1:] if r[0] == slot]
        assert len(orgs) == len(set(orgs))
    assert sheet.freeze_panes == "A2"


def test_schedule_export_never_turns_typed_text_into_a_formula(client, auth, bureau, fair):
    event = fair["event"]
    services.generate_schedule(bureau, event.id)
    outbox.commit()
    meeting = services.schedule_of(event)[0]
    meeting.demand.title = '=HYPERLINK("http://evil.example","需求")'
    meeting.supply_org.name = "=1+2\x07研究所"  # and a control character Excel refuses
    outbox.commit()
    auth.login(bureau)
    response = client.get(f"/events/{event.id}/schedule.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    problem, institute = sheet.cell(row=2, column=5), sheet.cell(row=2, column=6)
    assert problem.value == '=HYPERLINK("http://evil.example","需求")'
    assert problem.data_type == "s" and institute.data_type == "s"
    assert institute.value == "=1+2研究所"


def test_registrants_see_only_their_own_meetings(client, auth, bureau, org_user, fair):
    event = fair["event"]
    services.generate_schedule(bureau, event.id)
    outbox.commit()
    meetings = services.schedule_of(event)
    company, _posting = fair["companies"][0]
    own = [m for m in meetings if m.demand_org_id == company.organization_id]
    others = [m for m in meetings if m.demand_org_id != company.organization_id]
    assert own and others
    auth.login(company)
    assert "查看我的对接安排" in client.get(f"/events/{event.id}").text
    page = client.get(f"/events/{event.id}/meetings").text
    assert all(m.supply_org.name in page for m in own)
    for m in others:
        assert f'data-rank="{m.rank}"' not in page
    assert client.get(f"/events/{event.id}/schedule").status_code == 403
    assert client.get(f"/events/{event.id}/schedule.xlsx").status_code == 403
    assert client.post(f"/events/{event.id}/schedule").status_code == 403
    auth.logout()

    auth.login(fair["loner"])  # registered, but nobody to meet
    assert "暂无洽谈安排" in client.get(f"/events/{event.id}/meetings").text
    auth.logout()
    auth.login(org_user(Role.INSTITUTE))  # not registered
    response = client.get(f"/events/{event.id}/meetings")
    assert response.status_code == 403 and "只有报名单位可以查看自己的对接安排" in response.text
    auth.logout()
    assert client.get(f"/events/{event.id}/meetings").status_code == 302  # to the login page
    auth.login(bureau)
    assert client.get(f"/events/{event.id}/meetings").status_code == 302  # to the full schedule


def test_once_the_schedule_is_out_its_slots_cannot_be_edited(client, auth, bureau, fair):
    """Changing the slot length, the slot count or the kind would move (or orphan) the stored
    meetings registrants were told about: refused in Chinese, nothing changes."""
    event = fair["event"]
    fields = {
        "kind": "matchmaking",
        "title": event.title,
        "starts_at": f"{IN_A_WEEK.isoformat()}T09:30",
        "ends_at": f"{IN_A_WEEK.isoformat()}T11:30",
        "capacity": str(event.capacity),
        "slot_minutes": str(event.slot_minutes),
        "slot_count": str(event.slot_count),
    }
    # Before the schedule: slots may change freely.
    services.update_event(bureau, event.id, form(**{**fields, "slot_minutes": "30"}))
    services.update_event(bureau, event.id, form(**fields))
    outbox.commit()
    services.generate_schedule(bureau, event.id)
    outbox.commit()
    before = [(m.slot, m.demand_id, m.supply_id) for m in services.schedule_of(event)]
    assert before
    labels = [services.slot_label(event, slot) for slot, _d, _s in before]

    for change in ({"slot_minutes": "30"}, {"slot_count": "1"}, {"kind": "policy"}):
        with pytest.raises(DomainError, match="配对日程已生成") as refused:
            services.update_event(bureau, event.id, form(**{**fields, **change}))
        assert set(refused.value.errors) == set(change)
        outbox.rollback()
    auth.login(bureau)
    page = client.post(f"/events/{event.id}/edit", data=form(**{**fields, "slot_minutes": "30"}))
    assert page.status_code == 400 and "配对日程已生成" in page.text
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.kind, event.slot_minutes, event.slot_count) == (EventKind.MATCHMAKING, 20, 2)
    assert [(m.slot, m.demand_id, m.supply_id) for m in services.schedule_of(event)] == before
    assert [services.slot_label(event, slot) for slot, _d, _s in before] == labels

    # Other changes (here the capacity) still go through.
    services.update_event(bureau, event.id, form(**{**fields, "capacity": "40"}))
    outbox.commit()
    assert db.session.get(Event, event.id).capacity == 40


def test_only_a_matchmaking_event_gets_a_schedule(bureau, make_event):
    with pytest.raises(DomainError, match="只有产学研专题对接会可以生成配对日程"):
        services.generate_schedule(bureau, make_event().id)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_greedy_plan_on_random_candidates(app):
    """The pure planner: no organisation twice in a slot, best first, leftovers really blocked."""
    rng = random.Random(20261129)
    for _round in range(200):
        companies, institutes, slots = rng.randint(1, 6), rng.randint(1, 6), rng.randint(1, 4)
        candidates = sorted(
            (
                Candidate.of(
                    Match(
                        demand_id=c, supply_id=100 + i, strength=rng.random(), score=rng.random()
                    ),
                    c,
                    100 + i,
                )
                for c in range(companies)
                for i in range(institutes)
                if rng.random() < 0.7
            ),
            key=lambda c: c.sort_key,
        )
        planned, unplaced = plan_meetings(candidates, slots)
        assert len(planned) + len(unplaced) == len(candidates)
        assert [c for _s, c in planned] == [c for c in candidates if c not in unplaced]
        busy: dict[int, set[int]] = {s: set() for s in range(slots)}
        for slot, c in planned:
            assert not busy[slot] & {c.demand_org_id, c.supply_org_id}
            busy[slot] |= {c.demand_org_id, c.supply_org_id}
        for c in unplaced:
            assert all(busy[s] & {c.demand_org_id, c.supply_org_id} for s in range(slots))


# ---------------------------------------------------------------- what an event produced


def _recorded(company: User, institute: User, amount: str, event: Event | None, **line):
    """An agreement and its ledger line, as the agreements worker writes them."""
    agreement = Agreement(
        submission_key=f"k-{random.random()}",
        title="开关柜无线测温技术开发合同",
        company_id=company.organization_id,
        institute_id=institute.organization_id,
        signed_on=timeutil.today(),
        amount=Decimal(amount),
        event_id=event.id if event else None,
    )
    db.session.add(agreement)
    db.session.flush()
    db.session.add(_line(agreement, Decimal(amount), LedgerKind.RECORD, 1, **line))
    return agreement


def _line(agreement, amount: Decimal, kind: LedgerKind, count_: int, revision: int = 1):
    return LedgerEntry(
        agreement=agreement,
        kind=kind,
        revision=revision,
        count=count_,
        amount=amount,
        tech_amount=amount,
        signed_on=agreement.signed_on,
        contract_type=agreement.contract_type,
        company_id=agreement.company_id,
        institute_id=agreement.institute_id,
        event_id=agreement.event_id,
    )


def test_event_outcomes_sum_the_ledger_and_count_dockings_between_registrants(
    client, auth, bureau, org_user, make_posting, make_event
):
    event = make_event(kind="matchmaking")
    company, institute, outsider = org_user(), org_user(Role.INSTITUTE), org_user()
    problem = make_posting("problem", author=company, publish=True)
    earlier_problem = make_posting("problem", author=company, publish=True, title="母排测温")
    result = make_posting("result", author=institute, publish=True)
    outsider_problem = make_posting("problem", author=outsider, publish=True)
    for user in (company, institute):
        services.register_for_event(user, event.id)
    outbox.commit()
    held = timeutil.utcnow() - timedelta(days=2)
    event.starts_at, event.ends_at = held, held + timedelta(hours=3)
    before = request_docking(company, earlier_problem.id, result.id)
    before.created_at = held - timedelta(days=1)
    after = request_docking(institute, problem.id, result.id)
    request_docking(outsider, outsider_problem.id, result.id)  # not a registrant
    _recorded(company, institute, "1268.45", event)
    _recorded(company, institute, "0.10", event)
    corrected = _recorded(company, institute, "300.00", event)
    db.session.add(_line(corrected, Decimal("-300.00"), LedgerKind.REVERSAL, -1, revision=2))
    db.session.add(_line(corrected, Decimal("250.55"), LedgerKind.REPLACEMENT, 1, revision=2))
    corrected.revision = 2
    cancelled = _recorded(company, institute, "77.00", event)  # 作废: only a reversal left
    db.session.add(_line(cancelled, Decimal("-77.00"), LedgerKind.REVERSAL, -1, revision=2))
    cancelled.revision, cancelled.status = 2, AgreementStatus.CANCELLED
    _recorded(company, institute, "999.99", None)  # not attributed to the event
    outbox.commit()

    outcomes = services.event_outcomes(bureau, event.id)
    assert outcomes.ledger_count == 3
    assert outcomes.ledger_amount == Decimal("1519.10")
    assert isinstance(outcomes.ledger_amount, Decimal)
    # The list is the drill-down behind the figures: the cancelled agreement is in neither,
    # the corrected one shows its current amount, and the amounts add up to the figure.
    assert len(outcomes.agreements) == 3
    assert cancelled.id not in {a.id for a in outcomes.agreements}
    assert sum(a.amount for a in outcomes.agreements) == outcomes.ledger_amount
    assert {a.amount for a in outcomes.agreements if a.id == corrected.id} == {Decimal("250.55")}
    assert [d.id for d in outcomes.dockings] == [after.id]

    auth.login(bureau)
    page = client.get(f"/events/{event.id}/outcomes").text
    assert 'data-testid="amount">1,519.10<' in page and 'data-testid="count">3<' in page
    assert 'data-testid="dockings">1<' in page
    assert page.count("data-agreement=") == 3 and f'data-agreement="{cancelled.id}"' not in page
    auth.logout()
    auth.login(company)
    assert client.get(f"/events/{event.id}/outcomes").status_code == 403
    with pytest.raises(PermissionDenied):
        services.event_outcomes(company, event.id)


def test_event_lists_and_detail_for_the_bureau(client, auth, bureau, org_user, make_event):
    upcoming = make_event(title="成果发布会：超硬材料专场", kind="launch")
    past = services.create_event(
        bureau,
        form(
            title="2025年创新创业大赛培训",
            kind="training",
            starts_at=datetime(2025, 6, 1, 9, 0, tzinfo=CHINA),
            ends_at=datetime(2025, 6, 1, 12, 0, tzinfo=CHINA),
        ),
        allow_past=True,
    )
    company = org_user()
    services.register_for_event(company, upcoming.id)
    outbox.commit()
    assert [e.id for e in services.upcoming_events()] == [upcoming.id]
    assert [e.id for e in services.past_events()] == [past.id]
    auth.login(bureau)
    page = client.get(f"/events/{upcoming.id}").text
    assert company.organization.name in page and "报名单位（1）" in page
    assert "修改活动" in page and "活动成效" in page
    auth.logout()
    auth.login(company)
    page = client.get(f"/events/{upcoming.id}").text
    assert "您单位已报名" in page and "取消报名" in page
    assert "报名单位（1）" not in page  # the list of registrants is the bureau's
    assert "报名已截止" in client.get(f"/events/{past.id}").text


def test_demo_events_load_once(bureau, fair):
    from market.events.demo import FAIR_TITLE, load_demo_events

    assert load_demo_events(bureau, echo=lambda _line: None) == 4
    assert load_demo_events(bureau, echo=lambda _line: None) == 0
    demo_fair = db.session.scalar(select(Event).where(Event.title == FAIR_TITLE))
    assert demo_fair.registered_count >= 6 and services.schedule_of(demo_fair)
    assert len(services.past_events()) == 1
    past = services.past_events()[0]
    assert past.registered_count > 0 and services.has_started(past)
    assert len(services.upcoming_events()) == 4  # the fixture's 对接会 and three demo events
