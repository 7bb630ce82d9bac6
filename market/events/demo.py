"""Demo events: past and upcoming ones, and a 对接会 with registrations and a pairing schedule.

Built through the same services the pages use; running it twice changes nothing. Call it after
the demo's organisations and postings exist and their matches are computed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy import select

from market import outbox, timeutil
from market.accounts.models import Role, User
from market.events import services
from market.events.models import Event
from market.extensions import db
from market.postings.models import Posting

FAIR_TITLE = "许昌电力装备产学研专题对接会"
FAIR_FIELD = "电力装备"

EVENTS = [
    {
        "kind": "policy",
        "title": "2026年高新技术企业认定及研发费用加计扣除政策宣讲会",
        "days": -30,
        "at": time(9, 0),
        "hours": 2,
        "place": "许昌市科技大厦三楼报告厅",
        "capacity": 120,
        "description": "解读高新技术企业认定管理办法、研发费用加计扣除和科技型中小企业评价政策，"
        "现场答疑。",
        "registrants": "all",
    },
    {
        "kind": "training",
        "title": "科技型中小企业评价入库培训（线上）",
        "days": 3,
        "at": time(15, 0),
        "hours": 1.5,
        "online_url": "https://meeting.tencent.com/dm/xc-kjj-2026",
        "capacity": 200,
        "description": "讲解评价指标、填报流程和常见问题，适合企业科技管理人员参加。",
        "registrants": "companies",
    },
    {
        "kind": "matchmaking",
        "title": FAIR_TITLE,
        "days": 10,
        "at": time(14, 0),
        "hours": 3,
        "place": "许昌市科技大市场路演厅",
        "capacity": 40,
        "description": "围绕开关柜在线监测、继电保护、储能等方向，企业技术需求与高校院所科技成果"
        "一对一洽谈。系统按匹配度安排洽谈时段，每场 20 分钟。",
        "slot_minutes": 20,
        "slot_count": 6,
        "registrants": FAIR_FIELD,
    },
    {
        "kind": "launch",
        "title": "超硬材料及制品科技成果发布会",
        "days": 20,
        "at": time(9, 30),
        "hours": 3,
        "place": "长葛市产业集聚区管委会会议中心",
        "capacity": 80,
        "description": "发布金刚石微粉、超硬刀具涂层等方向的最新科技成果，现场路演与洽谈。",
        "registrants": None,
    },
]


def load_demo_events(bureau: User, echo: Callable[[str], None] = print) -> int:
    """Create the demo events that are missing; returns how many were created."""
    created = 0
    for spec in EVENTS:
        if db.session.scalar(select(Event.id).where(Event.title == spec["title"])) is not None:
            continue
        event = _create(bureau, spec)
        _register(event, spec["registrants"])
        if spec["days"] < 0:
            _move_into_the_past(event, spec)
        outbox.commit()
        if event.is_matchmaking:
            meetings = services.generate_schedule(bureau, event.id)
            outbox.commit()
            echo(f"对接会 #{event.id}: {event.registered_count} 家报名, {len(meetings)} 场洽谈")
        created += 1
    echo(f"events created: {created}")
    return created


def _create(bureau: User, spec: dict) -> Event:
    # Registration is only open before an event starts: every event begins in the future and
    # past ones are moved back once their registrants are in.
    day = timeutil.today() + timedelta(days=abs(spec["days"]))
    starts = datetime.combine(day, spec["at"], tzinfo=timeutil.CHINA)
    data = {
        key: spec.get(key, "")
        for key in ("kind", "title", "place", "online_url", "description", "capacity")
    }
    data.update(
        starts_at=starts,
        ends_at=starts + timedelta(hours=spec["hours"]),
        slot_minutes=spec.get("slot_minutes"),
        slot_count=spec.get("slot_count"),
    )
    return services.create_event(bureau, data)


def _register(event: Event, which: str | None) -> None:
    if which is None:
        return
    users = db.session.scalars(
        select(User).where(User.role.in_(services.REGISTRANT_ROLES)).order_by(User.id)
    ).all()
    seen: set[int] = set()
    for user in users:
        if user.organization_id in seen or len(seen) >= event.capacity:
            continue
        if which == "companies" and user.role != Role.ENTERPRISE:
            continue
        brought = _postings_in_field(user.organization_id, which) if event.is_matchmaking else []
        if event.is_matchmaking and not brought:
            continue
        services.register_for_event(user, event.id, [p.id for p in brought])
        seen.add(user.organization_id)


def _postings_in_field(organization_id: int, field: str) -> list[Posting]:
    return [p for p in services.open_postings_of(organization_id) if p.field == field]


def _move_into_the_past(event: Event, spec: dict) -> None:
    shift = timedelta(days=2 * abs(spec["days"]))
    event.starts_at = timeutil.as_utc(event.starts_at) - shift
    event.ends_at = timeutil.as_utc(event.ends_at) - shift
