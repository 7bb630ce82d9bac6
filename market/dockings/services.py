"""对接: request, answer, negotiate, close or sign; deadlines, reminders, brokers, messages.

Who may do what:
- the requesting side requests; only the responding side accepts or declines a request;
- either side closes a negotiation (洽谈) without agreement, or reports progress on it;
- a decline or close always carries an outcome code (a comment too when the code is 其他);
- the two sides, the broker (技术经理人) and bureau staff post messages while it is open;
- the bureau and the broker nudge the party who must act (once a day);
- the bureau assigns or replaces the broker and flags users as brokers;
- signing is recorded by the agreements code through `mark_signed`.

Every action is a row of the docking's timeline (`DockingEvent`). Functions that depend on the
time read `market.timeutil` when called, so tests can move the clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, joinedload, with_polymorphic

from market import timeutil
from market.accounts.models import Organization, Role, User
from market.agreements.models import Agreement
from market.dockings.models import (
    OPEN_STATUSES,
    Docking,
    DockingEvent,
    DockingEventKind,
    DockingOutcome,
    DockingStatus,
    WaitingOn,
)
from market.errors import DomainError, NotFound, PermissionDenied
from market.extensions import db
from market.i18n import DEFAULT_LOCALE
from market.links import path_for
from market.notifications.services import notify
from market.postings.models import Posting, PostingKind, Visibility
from market.postings.services import get_posting

log = logging.getLogger(__name__)

MESSAGE_MAX = 1000  # the note sent with a request
POST_MAX = 2000  # a message in the thread
COMMENT_MAX = 500  # an outcome comment or a progress note

OUTCOME_LABELS = {
    DockingOutcome.TECH_MISMATCH: _l("技术不匹配"),
    DockingOutcome.NO_BUDGET: _l("预算不足"),
    DockingOutcome.BAD_TIMING: _l("时机不成熟"),
    DockingOutcome.SOLVED_ELSEWHERE: _l("已另行解决"),
    DockingOutcome.OTHER: _l("其他"),
}


# --- request and answer ----------------------------------------------------------------------


def request_docking(user: User, demand_id: int, supply_id: int, message: str = "") -> Docking:
    """Ask the other side of a demand–supply pair (e.g. a problem and a result) for contact."""
    demand, supply = get_posting(demand_id), get_posting(supply_id)
    if not demand.is_demand or supply.is_demand:
        raise DomainError(_("对接只能在企业需求和科研机构的成果、专家或设备之间发起。"))
    if not (demand.is_visible and supply.is_visible):
        raise DomainError(_("只能就已公开的需求和成果发起对接。"))
    if user.organization_id == demand.organization_id:
        responder = supply.organization
    elif user.organization_id == supply.organization_id:
        responder = demand.organization
    else:
        raise PermissionDenied(_("只有需求方或成果方可以发起对接。"))
    if _existing(demand.id, supply.id) is not None:
        raise DomainError(_("双方已就这项需求和成果发起过对接。"))
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise DomainError(_("留言不能超过 %(n)d 个字。", n=MESSAGE_MAX))
    docking = Docking(
        demand=demand,
        supply=supply,
        requester_org_id=user.organization_id,
        responder_org=responder,
        requested_by=user,
        message=message or None,
        created_at=timeutil.utcnow(),
    )
    _set_deadline(docking, WaitingOn.RESPONDER)
    db.session.add(docking)
    db.session.flush()
    _record(docking, DockingEventKind.REQUESTED, user, message or None)
    _tell(docking, _members(responder), "requested")
    log.info("docking #%s requested by %s", docking.id, user.email)
    return docking


def accept_docking(user: User, docking_id: int) -> Docking:
    """The responding side accepts: the two sides are now in negotiation (洽谈)."""
    docking = _awaiting_answer_from(user, docking_id)
    docking.status = DockingStatus.ACCEPTED
    docking.decided_by_id, docking.decided_at = user.id, timeutil.utcnow()
    _set_deadline(docking, WaitingOn.BOTH)
    _record(docking, DockingEventKind.ACCEPTED, user)
    _tell(docking, _members(docking.requester_org), "accepted")
    log.info("docking #%s accepted by %s", docking.id, user.email)
    return docking


def decline_docking(
    user: User, docking_id: int, outcome: str | None = None, comment: str = ""
) -> Docking:
    """The responding side declines the request, saying why (an outcome code)."""
    docking = _awaiting_answer_from(user, docking_id)
    code, comment = _outcome(outcome, comment)
    docking.decided_by_id, docking.decided_at = user.id, timeutil.utcnow()
    _closed(user, docking, code, comment, DockingEventKind.DECLINED)
    return docking


def close_docking(user: User, docking_id: int, outcome: str | None, comment: str = "") -> Docking:
    """Either side ends a negotiation without an agreement (未达成), saying why."""
    docking = load_docking(user, docking_id)
    if docking.status != DockingStatus.ACCEPTED:
        raise DomainError(_("只有洽谈中的对接可以结束。"))
    if user.organization_id not in docking.side_org_ids:
        raise PermissionDenied(_("只有对接双方可以结束洽谈。"))
    code, comment = _outcome(outcome, comment)
    _closed(user, docking, code, comment, DockingEventKind.CLOSED)
    return docking


def check_in(user: User, docking_id: int, note: str = "") -> Docking:
    """Report that a negotiation goes on: its deadline moves a check-in period ahead."""
    docking = load_docking(user, docking_id)
    if docking.status != DockingStatus.ACCEPTED:
        raise DomainError(_("只有洽谈中的对接可以报告进展。"))
    if not (user.organization_id in docking.side_org_ids or is_broker_of(user, docking)):
        raise PermissionDenied(_("只有对接双方和技术经理人可以报告进展。"))
    note = (note or "").strip()
    if len(note) > COMMENT_MAX:
        message = _("进展说明不能超过 %(n)d 个字。", n=COMMENT_MAX)
        raise DomainError(message, {"note": message})
    _set_deadline(docking, WaitingOn.BOTH)
    _record(docking, DockingEventKind.CHECKED_IN, user, note or None, due_at=_stamp(docking.due_at))
    log.info("docking #%s: progress reported by %s", docking.id, user.email)
    return docking


def mark_signed(docking_id: int, agreement_id: int) -> bool:
    """Record that an agreement from this docking was signed (签约); True the first time.

    Called by the agreements code when the agreement enters the ledger; safe to call twice:
    the timeline entry and the broker's notification are written once.
    Only a negotiation (洽谈中) becomes 签约: a docking closed or declined in the meantime keeps
    its status; the agreement is noted on its timeline and a warning logged for the bureau.
    """
    docking = db.session.get(Docking, docking_id, with_for_update=True)
    agreement = db.session.get(Agreement, agreement_id)
    if docking is None or agreement is None or agreement.docking_id != docking.id:
        raise NotFound(_("对接或合同不存在。"))
    if _has_event(docking, DockingEventKind.SIGNED):
        return False
    if docking.status not in (DockingStatus.ACCEPTED, DockingStatus.SIGNED):
        log.warning(
            "docking #%s is %s, not in negotiation: agreement #%s noted, status kept",
            docking.id,
            docking.status.value,
            agreement.id,
        )
        _record(
            docking,
            DockingEventKind.SIGNED,
            agreement.submitted_by,
            agreement.title,
            agreement_id=agreement.id,
            status_kept=docking.status.value,
        )
        return True
    docking.status = DockingStatus.SIGNED
    _clear_deadline(docking)
    _record(
        docking,
        DockingEventKind.SIGNED,
        agreement.submitted_by,
        agreement.title,
        agreement_id=agreement.id,
    )
    # The parties hear of it from the agreement's own notice; only the broker needs this one.
    if docking.broker is not None:
        _tell(docking, [docking.broker], "signed", title=agreement.title)
    log.info("docking #%s signed: agreement #%s", docking.id, agreement.id)
    return True


def _awaiting_answer_from(user: User, docking_id: int) -> Docking:
    docking = load_docking(user, docking_id)
    if user.organization_id != docking.responder_org_id:
        raise PermissionDenied(_("只有被邀请的一方可以答复此对接。"))
    if docking.status != DockingStatus.REQUESTED:
        raise DomainError(_("此对接已答复过。"))
    return docking


def _outcome(value: str | None, comment: str | None) -> tuple[DockingOutcome, str | None]:
    """Validate an outcome code and its comment (required for 其他)."""
    try:
        code = DockingOutcome(value)
    except ValueError:
        message = _("请选择未达成的原因。")
        raise DomainError(message, {"outcome": message}) from None
    comment = (comment or "").strip()
    if code == DockingOutcome.OTHER and not comment:
        message = _("原因选择“其他”时，请填写说明。")
        raise DomainError(message, {"comment": message})
    if len(comment) > COMMENT_MAX:
        message = _("说明不能超过 %(n)d 个字。", n=COMMENT_MAX)
        raise DomainError(message, {"comment": message})
    return code, comment or None


def _closed(user, docking, code, comment, kind: DockingEventKind) -> None:
    docking.status = DockingStatus.DECLINED
    docking.outcome, docking.outcome_comment = code, comment
    docking.closed_by_id, docking.closed_at = user.id, timeutil.utcnow()
    _clear_deadline(docking)
    _record(docking, kind, user, comment, outcome=code.value)
    other = (
        docking.responder_org
        if user.organization_id == docking.requester_org_id
        else docking.requester_org
    )
    recipients = _members(other) + ([docking.broker] if docking.broker else [])
    _tell(docking, recipients, kind.value)
    log.info("docking #%s %s by %s: %s", docking.id, kind.value, user.email, code.value)


# --- messages --------------------------------------------------------------------------------


def post_message(user: User, docking_id: int, body: str) -> DockingEvent:
    """Add a message to the docking's thread and tell the other participants."""
    docking = load_docking(user, docking_id)
    if not docking.status.is_open:
        raise DomainError(_("对接已结束，不能再留言。"))
    body = (body or "").strip()
    if not body:
        message = _("请填写留言内容。")
        raise DomainError(message, {"body": message})
    if len(body) > POST_MAX:
        message = _("留言不能超过 %(n)d 个字。", n=POST_MAX)
        raise DomainError(message, {"body": message})
    event = _record(docking, DockingEventKind.MESSAGE, user, body)
    others = [p for p in _participants(docking) if p.id != user.id]
    # Each recipient learns the author as the timeline names them (an anonymous company's
    # members stay anonymous to the other side until it accepts).
    _tell(docking, others, f"message:{event.id}", author=user, text=body)
    return event


# --- brokers, nudges and the bureau's overdue list -------------------------------------------


def assign_broker(actor: User, docking_id: int, broker_id: int | None) -> Docking:
    """The bureau assigns, replaces or removes (None) the docking's broker (技术经理人)."""
    if not actor.is_bureau:
        raise PermissionDenied(_("只有科技局可以指定技术经理人。"))
    docking = load_docking(actor, docking_id)
    broker = db.session.get(User, broker_id) if broker_id else None
    if broker_id and (broker is None or not can_be_broker_of(broker, docking)):
        raise DomainError(_("只能指定科技局工作人员或已认定的技术经理人，且不能是对接双方的成员。"))
    if docking.broker_id == (broker.id if broker else None):
        raise DomainError(_("技术经理人没有变化。"))
    previous = docking.broker
    docking.broker = broker
    event = _record(
        docking,
        DockingEventKind.BROKER,
        actor,
        broker_id=broker.id if broker else None,
        broker=broker.name if broker else None,
        previous=previous.name if previous else None,
    )
    recipients = _members(docking.requester_org) + _members(docking.responder_org)
    recipients += [u for u in (broker, previous) if u is not None]
    _tell(docking, recipients, f"broker:{event.id}", broker=broker.name if broker else None)
    log.info("docking #%s: broker %s by %s", docking.id, broker and broker.email, actor.email)
    return docking


def can_be_broker_of(user: User, docking: Docking) -> bool:
    """Bureau staff and flagged brokers, never a member of either side."""
    return (user.is_bureau or user.is_broker) and user.organization_id not in docking.side_org_ids


def broker_candidates(docking: Docking) -> list[User]:
    users = db.session.scalars(
        select(User).where(or_(User.role == Role.BUREAU, User.is_broker)).order_by(User.name)
    ).all()
    return [u for u in users if can_be_broker_of(u, docking)]


def flagged_brokers() -> list[User]:
    return db.session.scalars(select(User).where(User.is_broker).order_by(User.name)).all()


def set_broker_flag(actor: User, email: str, flag: bool) -> User:
    """The bureau flags (or unflags) a service organisation's user as a broker."""
    if not actor.is_bureau:
        raise PermissionDenied(_("只有科技局可以认定技术经理人。"))
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        message = _("没有使用该邮箱的用户。")
        raise DomainError(message, {"email": message})
    if user.is_bureau:
        raise DomainError(_("科技局工作人员无需认定即可担任技术经理人。"))
    if not flag and (following := followed_count(user)):
        raise DomainError(
            _("%(name)s 仍在跟进 %(n)d 个对接，请先更换技术经理人。", name=user.name, n=following)
        )
    user.is_broker = flag
    log.info("%s %s broker by %s", user.email, "flagged" if flag else "unflagged", actor.email)
    return user


def followed_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Docking.id)).where(
            Docking.broker_id == user.id, Docking.status.in_(OPEN_STATUSES)
        )
    )


def nudge(actor: User, docking_id: int) -> Docking:
    """Remind the party that must act, on the bureau's or the broker's behalf; once a day."""
    docking = load_docking(actor, docking_id)
    if not (actor.is_bureau or is_broker_of(actor, docking)):
        raise PermissionDenied(_("只有科技局和技术经理人可以催办。"))
    if not docking.status.is_open:
        raise DomainError(_("对接已结束，无需催办。"))
    today = timeutil.today()
    if docking.nudged_on == today:
        raise DomainError(_("今天已经催办过这个对接，请明天再试。"))
    docking.nudged_on = today
    waiting = docking.waiting_on.value if docking.waiting_on else None
    _record(docking, DockingEventKind.NUDGED, actor, waiting=waiting)
    recipients = [u for org in docking.waiting_orgs for u in _members(org)]
    _tell(docking, recipients, f"nudge:{today.isoformat()}", category="reminder")
    log.info("docking #%s nudged by %s", docking.id, actor.email)
    return docking


def overdue_dockings(now: datetime | None = None) -> list[tuple[Docking, int]]:
    """Open dockings past their deadline, most overdue first, with whole days overdue."""
    now = now or timeutil.utcnow()
    rows = db.session.scalars(
        select(Docking)
        .where(Docking.status.in_(OPEN_STATUSES), Docking.due_at < now)
        .order_by(Docking.due_at, Docking.id)
    ).all()
    return [(d, (now - timeutil.as_utc(d.due_at)).days) for d in rows]


def remind_due_dockings(now: datetime | None = None) -> int:
    """Remind the party who must act, shortly before its deadline: once per docking and deadline.

    Past deadlines get no reminder here (the bureau's overdue list and nudges take over).
    """
    now = now or timeutil.utcnow()
    horizon = now + timedelta(days=current_app.config["MARKET_DOCKING_REMIND_DAYS_BEFORE"])
    dockings = db.session.scalars(
        select(Docking)
        .where(
            Docking.status.in_(OPEN_STATUSES),
            Docking.due_at > now,
            Docking.due_at <= horizon,
            or_(Docking.reminded_for.is_(None), Docking.reminded_for != Docking.due_at),
        )
        .order_by(Docking.due_at, Docking.id)
    ).all()
    for docking in dockings:
        docking.reminded_for = docking.due_at
        stamp = _stamp(docking.due_at)
        _record(docking, DockingEventKind.REMINDED, None, due_at=stamp)
        recipients = [u for org in docking.waiting_orgs for u in _members(org)]
        _tell(docking, recipients, f"remind:{stamp}", category="reminder")
        log.info("docking #%s: deadline reminder for %s", docking.id, stamp)
    return len(dockings)


# --- reading ---------------------------------------------------------------------------------


def load_docking(user: User, docking_id: int) -> Docking:
    """The docking if this user may see it; NotFound otherwise (outsiders learn nothing)."""
    docking = db.session.get(Docking, docking_id)
    if docking is None or not can_view_docking(user, docking):
        raise NotFound(_("对接不存在。"))
    return docking


def can_view_docking(user: User, docking: Docking) -> bool:
    return (
        user.is_bureau
        or user.organization_id in docking.side_org_ids
        or is_broker_of(user, docking)
    )


def is_broker_of(user: User, docking: Docking) -> bool:
    return docking.broker_id is not None and docking.broker_id == user.id


def allowed_actions(user: User, docking: Docking) -> set[str]:
    """What this user may do with the docking now (the detail page shows these)."""
    side = user.organization_id in docking.side_org_ids
    broker = is_broker_of(user, docking)
    actions = set()
    if docking.status == DockingStatus.REQUESTED and user.organization_id == (
        docking.responder_org_id
    ):
        actions |= {"accept", "decline"}
    if docking.status == DockingStatus.ACCEPTED:
        if side:
            actions.add("close")
        if side or broker:
            actions.add("check_in")
        if user.is_bureau:
            actions.add("record_agreement")
    if docking.status.is_open:
        actions.add("message")
        if user.is_bureau or broker:
            actions.add("nudge")
        if user.is_bureau:
            actions.add("assign_broker")
    return actions


_ANY_POSTING = with_polymorphic(Posting, "*", aliased=True)
_ANY_SUPPLY = with_polymorphic(Posting, "*", aliased=True)


def dockings_for(user: User) -> list[Docking]:
    """The user's organisation's dockings and those they follow as broker (all for the bureau),
    newest first, with what the list shows loaded in the same query."""
    return db.session.scalars(dockings_query(user)).all()


def dockings_page(user: User, page: int, per_page: int = 20):
    """One page of `dockings_for`, limited and counted in SQL (Flask-SQLAlchemy Pagination:
    .items, .total, .pages); a page before the first is the first, one past the last is empty,
    as on the postings pages."""
    return db.paginate(dockings_query(user), page=page, per_page=per_page, error_out=False)


def dockings_query(user: User, status: DockingStatus | None = None) -> Select:
    """The SELECT behind the 对接 lists (pages and API), newest first, optionally of one status."""
    query = (
        select(Docking)
        .options(
            # Every kind's own columns (e.g. a problem's visibility) come with the row.
            joinedload(Docking.demand.of_type(_ANY_POSTING)).joinedload(_ANY_POSTING.organization),
            joinedload(Docking.supply.of_type(_ANY_SUPPLY)).joinedload(_ANY_SUPPLY.organization),
            joinedload(Docking.requester_org),
            joinedload(Docking.broker),
        )
        .order_by(Docking.created_at.desc(), Docking.id.desc())
    )
    if not user.is_bureau:
        org = user.organization_id
        query = query.where(
            or_(
                Docking.requester_org_id == org,
                Docking.responder_org_id == org,
                Docking.broker_id == user.id,
            )
        )
    if status is not None:
        query = query.where(Docking.status == status)
    return query


def company_names(viewer: User, dockings: Iterable[Docking]) -> dict[int, str]:
    """Each docking's company as this viewer may know it (see postings.visibility), by docking
    id: one query for the whole list instead of one per row."""
    dockings = list(dockings)
    unsure = {
        d.demand_id
        for d in dockings
        if d.demand.kind == PostingKind.PROBLEM
        and d.demand.visibility == Visibility.ANONYMOUS
        and not (viewer.is_bureau or viewer.organization_id == d.demand.organization_id)
    }
    known: set[int] = set()
    if unsure:
        supply = aliased(Posting)
        known = set(
            db.session.scalars(
                select(Docking.demand_id)
                .join(supply, supply.id == Docking.supply_id)
                .where(
                    Docking.demand_id.in_(unsure),
                    supply.organization_id == viewer.organization_id,
                    Docking.status.in_([DockingStatus.ACCEPTED, DockingStatus.SIGNED]),
                )
            )
        )
    hidden = _("匿名企业（接受对接后显示）")
    return {
        d.id: hidden
        if d.demand_id in unsure and d.demand_id not in known
        else d.demand.organization.name
        for d in dockings
    }


def docking_between(demand_id: int, supply_id: int) -> Docking | None:
    return _existing(demand_id, supply_id)


def open_dockings() -> list[Docking]:
    """Accepted dockings an agreement can be recorded for."""
    return db.session.scalars(
        select(Docking).where(Docking.status == DockingStatus.ACCEPTED).order_by(Docking.id)
    ).all()


def signed_agreements(docking: Docking) -> list[Agreement]:
    return db.session.scalars(
        select(Agreement).where(Agreement.docking_id == docking.id).order_by(Agreement.id)
    ).all()


def deadline_state(docking: Docking, now: datetime | None = None) -> tuple[bool, int] | None:
    """(overdue, whole days left or overdue) for an open deadline; None without one."""
    if docking.due_at is None:
        return None
    now = now or timeutil.utcnow()
    due = timeutil.as_utc(docking.due_at)
    return (due < now, abs(due - now).days)


def outcome_label(code) -> str:
    if code is None:
        return ""
    return str(OUTCOME_LABELS[DockingOutcome(getattr(code, "value", code))])


def outcome_choices() -> list[tuple[str, str]]:
    return [(code.value, str(label)) for code, label in OUTCOME_LABELS.items()]


# --- helpers ---------------------------------------------------------------------------------


def _existing(demand_id: int, supply_id: int) -> Docking | None:
    return db.session.scalar(
        select(Docking).where(Docking.demand_id == demand_id, Docking.supply_id == supply_id)
    )


def _set_deadline(docking: Docking, waiting: WaitingOn) -> None:
    key = {
        WaitingOn.RESPONDER: "MARKET_DOCKING_ANSWER_DAYS",
        WaitingOn.BOTH: "MARKET_DOCKING_CHECKIN_DAYS",
    }[waiting]
    docking.due_at = timeutil.utcnow() + timedelta(days=current_app.config[key])
    docking.waiting_on = waiting


def _clear_deadline(docking: Docking) -> None:
    docking.due_at = None
    docking.waiting_on = None


def _stamp(value: datetime) -> str:
    """A deadline as a stable key, whichever database it came back from."""
    return timeutil.as_utc(value).strftime("%Y%m%dT%H%M%S")


def _has_event(docking: Docking, kind: DockingEventKind) -> bool:
    found = select(DockingEvent.id).where(
        DockingEvent.docking_id == docking.id, DockingEvent.kind == kind
    )
    return db.session.scalar(found.limit(1)) is not None


def _record(
    docking: Docking, kind: DockingEventKind, actor: User | None, body: str | None = None, **detail
) -> DockingEvent:
    event = DockingEvent(
        docking=docking,
        kind=kind,
        actor=actor,
        body=body,
        detail=detail,
        created_at=timeutil.utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    return event


def _members(organization: Organization) -> list[User]:
    return list(organization.members)


def _participants(docking: Docking) -> list[User]:
    """Both sides' members and the broker."""
    users = _members(docking.requester_org) + _members(docking.responder_org)
    return users + ([docking.broker] if docking.broker else [])


def _tell(
    docking: Docking,
    users: Iterable[User],
    event: str,
    category: str = "docking",
    **values,
) -> None:
    """Notify each user once for this docking event, in their own language."""
    link = path_for("dockings.detail", docking_id=docking.id)
    seen = set()
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        with force_locale(user.locale or DEFAULT_LOCALE):
            subject, body = _compose(docking, event.split(":")[0], values, user)
        notify(
            [user],
            event_key=f"docking:{docking.id}:{event}",
            subject=subject,
            body=body,
            link=link,
            category=category,
        )


def _compose(docking: Docking, event: str, values: dict, recipient: User) -> tuple[str, str]:
    title = docking.demand.title
    subjects: dict[str, Callable[[], str]] = {
        "requested": lambda: _("新的对接请求：“%(title)s”", title=title),
        "accepted": lambda: _("对方已接受对接：“%(title)s”", title=title),
        "declined": lambda: _("对方已婉拒对接：“%(title)s”", title=title),
        "closed": lambda: _("对方已结束洽谈：“%(title)s”", title=title),
        "signed": lambda: _("对接已签约：“%(title)s”", title=title),
        "message": lambda: _("对接“%(title)s”有新留言", title=title),
        "broker": lambda: _("对接“%(title)s”的技术经理人有变化", title=title),
        "nudge": lambda: _("科技局催办：对接“%(title)s”等待您处理", title=title),
        "remind": lambda: _("对接“%(title)s”即将到期", title=title),
    }
    return subjects[event](), _body(docking, event, values, recipient)


def _body(docking: Docking, event: str, values: dict, recipient: User) -> str:
    pair = _(
        "需求：%(demand)s；对接对象：%(supply)s。",
        demand=docking.demand.title,
        supply=docking.supply.title,
    )
    if event in ("declined", "closed"):
        reason = _("原因：%(reason)s。", reason=outcome_label(docking.outcome))
        comment = docking.outcome_comment
        return " ".join([pair, reason] + ([_("说明：%(c)s", c=comment)] if comment else []))
    if event == "message":
        from market.dockings.timeline import who  # timeline words events with this module

        author = who(recipient, docking, values["author"])
        return _("%(author)s：%(text)s", author=author, text=values["text"])
    if event == "signed":
        return _("双方已签订合同“%(title)s”。", title=values["title"]) + " " + pair
    if event == "broker":
        if values.get("broker"):
            return _("技术经理人：%(name)s。", name=values["broker"]) + " " + pair
        return _("已取消技术经理人。") + " " + pair
    if event in ("nudge", "remind"):
        return _deadline_text(docking) + " " + pair
    return pair


def _deadline_text(docking: Docking) -> str:
    if docking.due_at is None:
        return ""
    due = timeutil.as_utc(docking.due_at).astimezone(timeutil.CHINA).strftime("%Y-%m-%d %H:%M")
    if docking.waiting_on == WaitingOn.RESPONDER:
        return _("请在 %(due)s 前答复对接请求。", due=due)
    return _("请在 %(due)s 前报告洽谈进展：继续洽谈、结束洽谈或登记合同。", due=due)
