"""活动: the bureau creates, edits and cancels events; organisations register; reminders go out
the day before; a 对接会 gets a pairing schedule; each event's outcomes are summed."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from market import timeutil
from market.accounts.models import Organization, Role, User
from market.dockings.models import Docking
from market.errors import DomainError, NotFound, PermissionDenied
from market.events.models import (
    Event,
    EventKind,
    EventMeeting,
    EventRegistration,
    RegistrationStatus,
)
from market.events.pairing import Candidate, plan_meetings
from market.extensions import db
from market.feedback.models import IRRELEVANT
from market.feedback.services import list_marks
from market.links import path_for
from market.matching.models import Match
from market.matching.reasons import match_reasons
from market.matching.services import matches_for
from market.notifications.services import notify_members
from market.postings.models import Posting
from market.stats import services as stats
from market.stats.services import AgreementLine
from market.templating import local_time

log = logging.getLogger(__name__)

TITLE_MAX = 200
PLACE_MAX = 200
URL_MAX = 500
DESCRIPTION_MAX = 5000
REASON_MAX = 500
CAPACITY_MAX = 100_000
SLOT_MINUTES_RANGE = (5, 180)
SLOT_COUNT_RANGE = (1, 48)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
REGISTRANT_ROLES = (Role.ENTERPRISE, Role.INSTITUTE)


# ---------------------------------------------------------------- the bureau's events


def create_event(user: User, data: dict, *, allow_past: bool = False) -> Event:
    """Create an event from the bureau's form; nothing is stored when anything is wrong.

    allow_past is for loading past events (the demo), never for the form.
    """
    _require_bureau(user)
    values = _validated(data, require_future=not allow_past)
    event = Event(created_by=user, **values)
    db.session.add(event)
    db.session.flush()
    log.info("event #%s %r created by %s", event.id, event.title, user.email)
    return event


def update_event(user: User, event_id: int, data: dict) -> Event:
    """Change an event; its capacity never drops below the seats already taken."""
    _require_bureau(user)
    # The row lock keeps a registration from slipping in between the check and the change.
    event = db.session.get(Event, event_id, with_for_update=True)
    if event is None:
        raise NotFound(_("活动不存在。"))
    if event.is_cancelled:
        raise DomainError(_("活动已取消，不能再修改。"))
    values = _validated(data, require_future=False)
    _keep_the_schedule(event, values)
    if values["capacity"] < event.registered_count:
        raise DomainError(
            _("活动信息有误，请按提示修改。"),
            {
                "capacity": _(
                    "已有 %(n)d 家单位报名，人数上限不能少于报名数。", n=event.registered_count
                )
            },
        )
    before = _where_and_when(event)
    for name, value in values.items():
        setattr(event, name, value)
    db.session.flush()
    if _where_and_when(event) != before:
        _tell_registrants_of_change(event)
    _promote_waiting(event)  # a larger capacity seats those waiting
    log.info("event #%s edited by %s", event.id, user.email)
    return event


def _keep_the_schedule(event: Event, values: dict) -> None:
    """Once a 对接会's pairing schedule is out, its slots are fixed: the stored meetings sit in
    them and the registrants were told their times. Refuse changing them (nothing changes)."""
    if event.schedule_generated_at is None:
        return
    changed = [
        name
        for name in ("kind", "slot_minutes", "slot_count")
        if name in values and values[name] != getattr(event, name)
    ]
    if changed:
        message = _("配对日程已生成，不能再修改活动类型、每场洽谈时长和时段数。")
        raise DomainError(message, {name: message for name in changed})


def cancel_event(user: User, event_id: int, reason: str) -> Event:
    """Cancel an event and tell every registered organisation why."""
    _require_bureau(user)
    event = get_event(event_id)
    if event.is_cancelled:
        raise DomainError(_("活动已经取消。"))
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("请填写取消原因，报名单位会收到通知。"))
    if len(reason) > REASON_MAX:
        raise DomainError(_("取消原因不能超过 %(n)d 个字。", n=REASON_MAX))
    event.cancelled_at = timeutil.utcnow()
    event.cancel_reason = reason

    def compose():
        return _("活动取消：%(title)s", title=event.title), _(
            "您单位报名的“%(title)s”（%(when)s）已取消。原因：%(reason)s",
            title=event.title,
            when=local_time(event.starts_at),
            reason=reason,
        )

    for registration in [*active_registrations(event), *waiting_list(event)]:
        notify_members(
            registration.organization,
            event_key=f"event-cancelled:{event.id}",
            link=path_for("events.detail", event_id=event.id),
            compose=compose,
            category="event",
        )
    log.info("event #%s cancelled by %s: %s", event.id, user.email, reason)
    return event


def _require_bureau(user: User) -> None:
    if not user.is_bureau:
        raise PermissionDenied(_("只有科技局工作人员可以发布和管理活动。"))


def _validated(data: dict, *, require_future: bool) -> dict:
    errors: dict[str, str] = {}
    kind = _kind(data.get("kind"), errors)
    title = _text(data.get("title"), "title", _("请填写活动名称。"), TITLE_MAX, errors)
    starts_at = _moment(data.get("starts_at"), "starts_at", errors, required=True)
    ends_at = _moment(data.get("ends_at"), "ends_at", errors, required=False)
    if starts_at and require_future and starts_at <= timeutil.utcnow():
        errors["starts_at"] = _("开始时间必须晚于现在。")
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = _("结束时间必须晚于开始时间。")
    place = " ".join((data.get("place") or "").split()) or None
    if place and len(place) > PLACE_MAX:
        errors["place"] = _("地点不能超过 %(n)d 个字。", n=PLACE_MAX)
    online_url = (data.get("online_url") or "").strip() or None
    if online_url and (len(online_url) > URL_MAX or not _URL.match(online_url)):
        errors["online_url"] = _("线上链接须以 http:// 或 https:// 开头。")
    if not place and not online_url:
        errors["place"] = _("请填写活动地点或线上链接（至少一项）。")
    capacity = _number(data.get("capacity"), "capacity", (1, CAPACITY_MAX), errors)
    description = _text(
        data.get("description"),
        "description",
        _("请填写活动介绍。"),
        DESCRIPTION_MAX,
        errors,
        keep_lines=True,
    )
    slots = _slots(data, kind, errors)
    if errors:
        raise DomainError(_("活动信息有误，请按提示修改。"), errors)
    return {
        "kind": kind,
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "online_url": online_url,
        "capacity": capacity,
        "description": description,
        **slots,
    }


def _kind(value, errors: dict) -> EventKind | None:
    try:
        return EventKind(getattr(value, "value", value))
    except ValueError:
        errors["kind"] = _("请选择活动类型。")
        return None


def _text(value, name, missing, limit, errors, keep_lines=False) -> str | None:
    text = (value or "").strip() if keep_lines else " ".join((value or "").split())
    if not text:
        errors[name] = missing
    elif len(text) > limit:
        errors[name] = _("不能超过 %(n)d 个字。", n=limit)
    return text


def _moment(value, name: str, errors: dict, required: bool) -> datetime | None:
    """A Xuchang wall-clock time typed in the form (or a datetime) as an aware UTC instant."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timeutil.CHINA)
        return moment.astimezone(UTC)
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        if required:
            errors[name] = _("请填写开始时间。")
        return None
    for fmt in _DATETIME_FORMATS:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return moment.replace(tzinfo=timeutil.CHINA).astimezone(UTC)
    errors[name] = _("时间格式不正确，例如 2026-12-05 09:30。")
    return None


def _number(value, name: str, bounds: tuple[int, int], errors: dict) -> int | None:
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    low, high = bounds
    if not text.isdigit() or not low <= int(text) <= high:
        errors[name] = _("请填写 %(low)d 到 %(high)d 之间的整数。", low=low, high=high)
        return None
    return int(text)


def _slots(data: dict, kind: EventKind | None, errors: dict) -> dict:
    config = current_app.config
    if kind != EventKind.MATCHMAKING:
        return {}
    minutes = data.get("slot_minutes") or config["MARKET_EVENT_SLOT_MINUTES"]
    count = data.get("slot_count") or config["MARKET_EVENT_SLOT_COUNT"]
    return {
        "slot_minutes": _number(minutes, "slot_minutes", SLOT_MINUTES_RANGE, errors),
        "slot_count": _number(count, "slot_count", SLOT_COUNT_RANGE, errors),
    }


def _where_and_when(event: Event) -> tuple:
    return (timeutil.as_utc(event.starts_at), event.place, event.online_url)


def _tell_registrants_of_change(event: Event) -> None:
    """Tell registrants the new time or place (once per distinct change)."""
    digest = hashlib.sha1(repr(_where_and_when(event)).encode()).hexdigest()[:12]

    def compose():
        return _("活动时间或地点有变：%(title)s", title=event.title), _(
            "您单位报名的“%(title)s”现定于 %(when)s 举行，地点：%(where)s。",
            title=event.title,
            when=local_time(event.starts_at),
            where=where(event),
        )

    for registration in active_registrations(event):
        notify_members(
            registration.organization,
            event_key=f"event-changed:{event.id}:{digest}",
            link=path_for("events.detail", event_id=event.id),
            compose=compose,
            category="event",
        )


# ---------------------------------------------------------------- reading events


def get_event(event_id: int) -> Event:
    """The event, or NotFound."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(_("活动不存在。"))
    return event


def upcoming_events() -> list[Event]:
    """Events not yet over, soonest first (cancelled ones stay listed, marked)."""
    now = timeutil.utcnow()
    return db.session.scalars(
        select(Event)
        .where(or_(Event.ends_at >= now, (Event.ends_at.is_(None)) & (Event.starts_at >= now)))
        .order_by(Event.starts_at, Event.id)
    ).all()


def past_events(limit: int = 20) -> list[Event]:
    """Events already over, latest first."""
    now = timeutil.utcnow()
    return db.session.scalars(
        select(Event)
        .where(func.coalesce(Event.ends_at, Event.starts_at) < now)
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(limit)
    ).all()


def where(event: Event) -> str:
    return "；".join(part for part in (event.place, event.online_url) if part)


def has_started(event: Event) -> bool:
    return timeutil.as_utc(event.starts_at) <= timeutil.utcnow()


# ---------------------------------------------------------------- registration


def register_for_event(
    user: User, event_id: int, posting_ids=(), *, waitlist: bool = False
) -> EventRegistration:
    """Register the user's organisation (once), bringing these of its open postings; when the
    event is full, put it on the waiting list if asked (waitlist=True), else refuse.

    Registering again changes only the postings brought. A seat is taken by one conditional
    UPDATE of the event's counter, so parallel registrations never exceed the capacity.
    """
    if user.role not in REGISTRANT_ROLES:
        raise PermissionDenied(_("只有企业和科研机构可以报名参加活动。"))
    event = get_event(event_id)
    _open_for_registration(event)
    postings = _brought_postings(user, event, posting_ids)
    registration = registration_of(user.organization_id, event.id)
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        registration.postings = postings  # registered or waiting already
        return registration
    try:
        with db.session.begin_nested():
            if _try_take_seat(event):
                status = RegistrationStatus.REGISTERED
            elif waitlist:
                status = RegistrationStatus.WAITLISTED
            else:
                raise _Full
            registration = _activate(registration, user, event, status)
            registration.postings = postings
            db.session.flush()
    except _Full:
        raise DomainError(
            _("报名人数已满（共 %(n)d 个名额），无法报名。", n=event.capacity)
        ) from None
    except (IntegrityError, _AlreadyRegistered):  # a colleague registered it at the same moment
        db.session.expire_all()
        registration = registration_of(user.organization_id, event.id)
        if registration is None or registration.status == RegistrationStatus.CANCELLED:
            raise
        registration.postings = postings
    log.info(
        "%s registered %s for event #%s: %s",
        user.email,
        user.organization.name,
        event.id,
        registration.status.value,
    )
    return registration


class _Full(Exception):
    """No seat left."""


class _AlreadyRegistered(Exception):
    """A colleague's simultaneous request registered the organisation first."""


def _open_for_registration(event: Event) -> None:
    if event.is_cancelled:
        raise DomainError(_("活动已取消，不能报名。"))
    if has_started(event):
        raise DomainError(_("活动已开始或已结束，报名已截止。"))


def _try_take_seat(event: Event) -> bool:
    """Take one seat if one is free: one conditional UPDATE, safe under concurrency."""
    taken = db.session.execute(
        update(Event)
        .where(
            Event.id == event.id,
            Event.registered_count < Event.capacity,
            Event.cancelled_at.is_(None),
        )
        .values(registered_count=Event.registered_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(event, ["registered_count"])
    return taken == 1


def _give_seat_back(event: Event) -> None:
    db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.registered_count > 0)
        .values(registered_count=Event.registered_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["registered_count"])


def _activate(registration, user: User, event: Event, status) -> EventRegistration:
    if registration is None:
        registration = EventRegistration(
            event=event, organization_id=user.organization_id, registered_by=user, status=status
        )
        db.session.add(registration)
        return registration
    # Registering again after cancelling: only one of two simultaneous requests flips it back.
    if not _flip(registration, RegistrationStatus.CANCELLED, status, registered_by_id=user.id):
        raise _AlreadyRegistered
    return registration


def _flip(registration, old: RegistrationStatus, new: RegistrationStatus, **values) -> bool:
    """Change the status only if it still is `old` (one atomic UPDATE); True if it changed."""
    now = timeutil.utcnow()
    if new == RegistrationStatus.CANCELLED:
        values["cancelled_at"] = now
    elif old == RegistrationStatus.CANCELLED:
        values.update(cancelled_at=None, created_at=now)  # back in line at the end
    flipped = db.session.execute(
        update(EventRegistration)
        .where(EventRegistration.id == registration.id, EventRegistration.status == old)
        .values(status=new, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(registration)
    return flipped == 1


def _promote_waiting(event: Event) -> list[EventRegistration]:
    """Give free seats to the waiting list, first come first served, and tell them."""
    promoted = []
    for waiting in waiting_list(event):
        if not _try_take_seat(event):
            break
        if not _flip(waiting, RegistrationStatus.WAITLISTED, RegistrationStatus.REGISTERED):
            _give_seat_back(event)  # it left the list meanwhile
            continue
        promoted.append(waiting)
        _tell_promoted(event, waiting)
    return promoted


def _tell_promoted(event: Event, registration: EventRegistration) -> None:
    def compose():
        return _("候补报名成功：%(title)s", title=event.title), _(
            "有单位取消报名，您单位已由候补转为正式报名“%(title)s”（%(when)s）。",
            title=event.title,
            when=local_time(event.starts_at),
        )

    since = int(timeutil.as_utc(registration.created_at).timestamp())
    notify_members(
        registration.organization,
        event_key=f"event-promoted:{registration.id}:{since}",
        link=path_for("events.detail", event_id=event.id),
        compose=compose,
        category="event",
    )


def _brought_postings(user: User, event: Event, posting_ids) -> list[Posting]:
    ids = sorted({int(i) for i in posting_ids or () if str(i).strip().isdigit()})
    if not ids or not event.is_matchmaking:
        return []
    postings = db.session.scalars(
        select(Posting).where(
            Posting.id.in_(ids),
            Posting.organization_id == user.organization_id,
            Posting.is_visible,
        )
    ).all()
    if len(postings) != len(ids):
        raise DomainError(_("只能选择本单位已发布且在有效期内的需求或成果。"))
    return list(postings)


def open_postings_of(organization_id: int) -> list[Posting]:
    """The organisation's published, unexpired postings (what it may bring to a 对接会)."""
    return db.session.scalars(
        select(Posting)
        .where(Posting.organization_id == organization_id, Posting.is_visible)
        .order_by(Posting.kind, Posting.id)
    ).all()


def cancel_registration(user: User, event_id: int) -> EventRegistration:
    """Withdraw the organisation's registration (or its place on the waiting list); a seat
    given back goes to the first organisation waiting."""
    event = get_event(event_id)
    registration = registration_of(user.organization_id, event.id)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        raise DomainError(_("您单位未报名此活动。"))
    if has_started(event):
        raise DomainError(_("活动已开始，不能取消报名。"))
    # Only the request that flips the status gives the seat back (a double click gives one).
    if _flip(registration, RegistrationStatus.REGISTERED, RegistrationStatus.CANCELLED):
        _give_seat_back(event)
        _promote_waiting(event)
    else:
        _flip(registration, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED)
    log.info(
        "%s cancelled %s's registration for event #%s", user.email, user.organization.name, event.id
    )
    return registration


def registration_of(organization_id: int | None, event_id: int) -> EventRegistration | None:
    if organization_id is None:
        return None
    return db.session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event_id,
            EventRegistration.organization_id == organization_id,
        )
    )


def active_registrations(event: Event) -> list[EventRegistration]:
    """The organisations registered now, in order of registration."""
    return _registrations(event, RegistrationStatus.REGISTERED)


def waiting_list(event: Event) -> list[EventRegistration]:
    """The organisations waiting for a seat, first come first."""
    return _registrations(event, RegistrationStatus.WAITLISTED)


def _registrations(event: Event, status: RegistrationStatus) -> list[EventRegistration]:
    return db.session.scalars(
        select(EventRegistration)
        .where(EventRegistration.event_id == event.id, EventRegistration.status == status)
        .order_by(EventRegistration.created_at, EventRegistration.id)
    ).all()


def waiting_position(registration: EventRegistration) -> int | None:
    """1 for the first in line; None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    return 1 + [r.id for r in waiting_list(registration.event)].index(registration.id)


# ---------------------------------------------------------------- reminders


def remind_registrants(today: date | None = None) -> int:
    """Remind every registered organisation of tomorrow's events; once per registration.

    The notification key names the registration and the event's date, so running this every
    hour (or twice) sends nothing new, and a postponed event is announced again.
    """
    tomorrow = (today or timeutil.today()) + timedelta(days=1)
    start, end = timeutil.day_bounds(tomorrow)
    events = db.session.scalars(
        select(Event).where(
            Event.starts_at >= start, Event.starts_at < end, Event.cancelled_at.is_(None)
        )
    ).all()
    created = 0
    for event in events:
        for registration in active_registrations(event):
            created += len(_remind(event, registration, tomorrow))
    if created:
        log.info("event reminders for %s: %d notification(s)", tomorrow, created)
    return created


def _remind(event: Event, registration: EventRegistration, day: date):
    def compose():
        return _("明日活动提醒：%(title)s", title=event.title), _(
            "您单位报名的“%(title)s”将于 %(when)s 举行，地点：%(where)s。请准时参加。",
            title=event.title,
            when=local_time(event.starts_at),
            where=where(event),
        )

    return notify_members(
        registration.organization,
        event_key=f"event-reminder:{registration.id}:{day.isoformat()}",
        link=path_for("events.detail", event_id=event.id),
        compose=compose,
        category="event",
    )


# ---------------------------------------------------------------- the 对接会 schedule


def generate_schedule(user: User, event_id: int) -> list[EventMeeting]:
    """Pair the registrants' open problems and results by the engine's stored matches and
    place the meetings in slots (greedy: best pairs first, each in its earliest free slot)."""
    _require_bureau(user)
    event = get_event(event_id)
    if not event.is_matchmaking:
        raise DomainError(_("只有产学研专题对接会可以生成配对日程。"))
    if event.is_cancelled:
        raise DomainError(_("活动已取消。"))
    candidates = schedule_candidates(event)
    planned, _unplaced = plan_meetings(candidates, event.slot_count)
    db.session.execute(
        EventMeeting.__table__.delete().where(EventMeeting.__table__.c.event_id == event.id)
    )
    meetings = [_meeting(event, slot, rank, c) for rank, (slot, c) in enumerate(planned, 1)]
    db.session.add_all(meetings)
    event.schedule_generated_at = timeutil.utcnow()
    db.session.flush()
    _tell_registrants_their_meetings(event, meetings)
    log.info(
        "event #%s: %d meeting(s) scheduled from %d candidate pair(s) by %s",
        event.id,
        len(meetings),
        len(candidates),
        user.email,
    )
    return meetings


def _tell_registrants_their_meetings(event: Event, meetings: list[EventMeeting]) -> None:
    """Tell each organisation with meetings; again only when its own meetings changed."""
    by_org: dict[int, list[tuple[int, int]]] = {}
    for m in meetings:
        by_org.setdefault(m.demand_org_id, []).append((m.slot, m.supply_org_id))
        by_org.setdefault(m.supply_org_id, []).append((m.slot, m.demand_org_id))
    for org_id, own in by_org.items():
        digest = hashlib.sha1(repr(sorted(own)).encode()).hexdigest()[:12]
        notify_members(
            db.session.get(Organization, org_id),
            event_key=f"event-schedule:{event.id}:{digest}",
            link=path_for("events.my_meetings", event_id=event.id),
            compose=_schedule_message(event, len(own)),
            category="event",
        )


def _schedule_message(event: Event, n: int):
    def compose():
        return _("对接会洽谈安排：%(title)s", title=event.title), _(
            "“%(title)s”的配对日程已排定，您单位共有 %(n)d 场洽谈，请查看时段和对方单位。",
            title=event.title,
            n=n,
        )

    return compose


def schedule_candidates(event: Event) -> list[Candidate]:
    """One candidate per (company, institute) pair: their best-matching brought postings,
    best pairs first (by the engine's 匹配度, then its score). A pair marked 不相关 by either
    side (or by the bureau, curating the 对接会) is left out."""
    brought: dict[int, int] = {}  # posting id -> organisation id
    demands = []
    for registration in active_registrations(event):
        for posting in registration.postings:
            if posting.is_visible and posting.organization_id == registration.organization_id:
                brought[posting.id] = registration.organization_id
                if posting.is_demand:
                    demands.append(posting)
    best: dict[tuple[int, int], Candidate] = {}
    supply_marks: dict[int, dict[int, int]] = {}
    for demand in demands:
        for row in matches_for(demand):
            match, supply = row
            if supply.id not in brought or supply.organization_id == demand.organization_id:
                continue
            if supply.id not in supply_marks:
                supply_marks[supply.id] = list_marks(supply)
            if IRRELEVANT in (row.mark, supply_marks[supply.id].get(demand.id)):
                continue
            candidate = Candidate.of(match, demand.organization_id, supply.organization_id)
            key = (candidate.demand_org_id, candidate.supply_org_id)
            if key not in best or candidate.sort_key < best[key].sort_key:
                best[key] = candidate
    return sorted(best.values(), key=lambda c: c.sort_key)


def _meeting(event: Event, slot: int, rank: int, candidate: Candidate) -> EventMeeting:
    match = candidate.match
    return EventMeeting(
        event=event,
        slot=slot,
        rank=rank,
        demand_org_id=candidate.demand_org_id,
        supply_org_id=candidate.supply_org_id,
        demand_id=match.demand_id,
        supply_id=match.supply_id,
        strength=float(match.strength),
        score=float(match.score),
        terms=list(match.terms or []),
        explanation=dict(match.explanation or {}),
    )


def schedule_of(event: Event) -> list[EventMeeting]:
    """The stored schedule, by slot, then best pair first."""
    return db.session.scalars(
        select(EventMeeting)
        .where(EventMeeting.event_id == event.id)
        .order_by(EventMeeting.slot, EventMeeting.rank)
    ).all()


def meetings_for(user: User, event: Event) -> list[EventMeeting]:
    """A registrant's own meetings; everyone else (but the bureau) may not look."""
    if user.is_bureau:
        return schedule_of(event)
    registration = registration_of(user.organization_id, event.id)
    if registration is None or not registration.is_active:
        raise PermissionDenied(_("只有报名单位可以查看自己的对接安排。"))
    org = user.organization_id
    return [m for m in schedule_of(event) if org in (m.demand_org_id, m.supply_org_id)]


def slot_times(event: Event, slot: int) -> tuple[datetime, datetime]:
    """When a slot begins and ends (slots follow each other from the event's start)."""
    start = timeutil.as_utc(event.starts_at) + timedelta(minutes=event.slot_minutes * slot)
    return start, start + timedelta(minutes=event.slot_minutes)


def slot_label(event: Event, slot: int) -> str:
    start, end = slot_times(event, slot)
    return f"{local_time(start)}–{end.astimezone(timeutil.CHINA).strftime('%H:%M')}"


# ---------------------------------------------------------------- what an event produced


@dataclass(frozen=True)
class Outcomes:
    agreements: list[AgreementLine]  # the drill-down behind the figures, newest first
    ledger_count: int
    ledger_amount: Decimal
    dockings: list[Docking]


def event_outcomes(user: User, event_id: int) -> Outcomes:
    """Agreements attributed to the event and the 对接 between its registrants since it began.

    The figures and the list are the bureau's statistics narrowed to the event, so a
    cancelled agreement is in neither and the listed amounts add up to the figure.
    """
    _require_bureau(user)
    event = get_event(event_id)
    narrowed = stats.Filters(event=event.id)
    figures = stats.totals(narrowed)
    return Outcomes(
        agreements=stats.drill_down(narrowed),
        ledger_count=figures.count,
        ledger_amount=figures.amount,
        dockings=dockings_between_registrants(event),
    )


def dockings_between_registrants(event: Event) -> list[Docking]:
    """对接 requested since the event began, where both sides were registered for it."""
    orgs = [r.organization_id for r in active_registrations(event)]
    if len(orgs) < 2:
        return []
    return db.session.scalars(
        select(Docking)
        .where(
            Docking.created_at >= timeutil.as_utc(event.starts_at),
            Docking.requester_org_id.in_(orgs),
            Docking.responder_org_id.in_(orgs),
        )
        .order_by(Docking.created_at, Docking.id)
    ).all()


def meeting_reasons(meeting: EventMeeting) -> list[str]:
    """Why the two sides meet: the engine's reasons for their match, in the reader's language."""
    snapshot = Match(terms=list(meeting.terms or []), explanation=dict(meeting.explanation or {}))
    return match_reasons(snapshot)
