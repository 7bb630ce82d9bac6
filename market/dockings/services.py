"""对接: one side requests contact over a demand–supply pair; the other accepts or declines."""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import or_, select

from market.accounts.models import Organization, User
from market.dockings.models import Docking, DockingStatus
from market.errors import DomainError, NotFound, PermissionDenied
from market.extensions import db
from market.links import path_for
from market.notifications.services import notify_members
from market.postings.services import get_posting
from market.timeutil import utcnow

log = logging.getLogger(__name__)

MESSAGE_MAX = 1000


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
    )
    db.session.add(docking)
    db.session.flush()
    _tell(responder, docking, "requested")
    log.info("docking #%s requested by %s", docking.id, user.email)
    return docking


def accept_docking(user: User, docking_id: int) -> Docking:
    """The responding side accepts: the two sides are now in negotiation (洽谈)."""
    docking = _awaiting_answer_from(user, docking_id)
    docking.status = DockingStatus.ACCEPTED
    _decided(user, docking)
    return docking


def decline_docking(user: User, docking_id: int) -> Docking:
    """The responding side declines the request."""
    docking = _awaiting_answer_from(user, docking_id)
    docking.status = DockingStatus.DECLINED
    _decided(user, docking)
    return docking


def _awaiting_answer_from(user: User, docking_id: int) -> Docking:
    docking = db.session.get(Docking, docking_id)
    if docking is None or not can_view_docking(user, docking):
        raise NotFound(_("对接不存在。"))
    if user.organization_id != docking.responder_org_id:
        raise PermissionDenied(_("只有被邀请的一方可以答复此对接。"))
    if docking.status != DockingStatus.REQUESTED:
        raise DomainError(_("此对接已答复过。"))
    return docking


def _decided(user: User, docking: Docking) -> None:
    docking.decided_by_id = user.id
    docking.decided_at = utcnow()
    _tell(docking.requester_org, docking, docking.status.value)
    log.info("docking #%s %s by %s", docking.id, docking.status.value, user.email)


def _tell(organization: Organization, docking: Docking, event: str) -> None:
    def compose():
        subject = {
            "requested": _("新的对接请求：“%(title)s”", title=docking.demand.title),
            "accepted": _("对方已接受对接：“%(title)s”", title=docking.demand.title),
            "declined": _("对方已婉拒对接：“%(title)s”", title=docking.demand.title),
        }[event]
        body = _(
            "需求：%(demand)s；对接对象：%(supply)s。",
            demand=docking.demand.title,
            supply=docking.supply.title,
        )
        return subject, body

    notify_members(
        organization,
        event_key=f"docking:{docking.id}:{event}",
        link=path_for("dockings.mine"),
        compose=compose,
    )


def _existing(demand_id: int, supply_id: int) -> Docking | None:
    return db.session.scalar(
        select(Docking).where(Docking.demand_id == demand_id, Docking.supply_id == supply_id)
    )


def can_view_docking(user: User, docking: Docking) -> bool:
    return user.is_bureau or user.organization_id in (
        docking.requester_org_id,
        docking.responder_org_id,
    )


def dockings_for(user: User) -> list[Docking]:
    """The user's organisation's dockings (all of them for the bureau), newest first."""
    query = select(Docking).order_by(Docking.created_at.desc(), Docking.id.desc())
    if not user.is_bureau:
        org = user.organization_id
        query = query.where(or_(Docking.requester_org_id == org, Docking.responder_org_id == org))
    return db.session.scalars(query).all()


def docking_between(demand_id: int, supply_id: int) -> Docking | None:
    return _existing(demand_id, supply_id)


def open_dockings() -> list[Docking]:
    """Accepted dockings an agreement can be recorded for."""
    return db.session.scalars(
        select(Docking).where(Docking.status == DockingStatus.ACCEPTED).order_by(Docking.id)
    ).all()
