"""A docking's timeline and message thread in words: who did what, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from market.accounts.models import User
from market.dockings.models import Docking, DockingEvent, DockingEventKind
from market.dockings.services import outcome_label
from market.postings import visibility


@dataclass(frozen=True)
class Entry:
    kind: str
    when: datetime
    who: str
    what: str
    body: str | None


def entries(viewer: User, docking: Docking) -> list[Entry]:
    """Every event of the docking, oldest first, worded for this viewer."""
    return [
        Entry(e.kind.value, e.created_at, who(viewer, docking, e.actor), _what(e), e.body)
        for e in docking.events
    ]


def messages(viewer: User, docking: Docking) -> list[Entry]:
    return [e for e in entries(viewer, docking) if e.kind == DockingEventKind.MESSAGE.value]


def who(viewer: User, docking: Docking, user: User | None) -> str:
    """The actor as the viewer may know them: a company can stay anonymous until it accepts."""
    if user is None:
        return _("系统")
    if docking.broker_id == user.id:
        return _("技术经理人 %(name)s", name=user.name)
    if user.is_bureau:
        return _("科技局 %(name)s", name=user.name)
    if user.organization_id == docking.demand.organization_id:
        if not visibility.can_see_company(viewer, docking.demand):
            return visibility.company_name(viewer, docking.demand)
    return f"{user.organization.name} {user.name}"


def _what(event: DockingEvent) -> str:
    detail = event.detail or {}
    kind = event.kind
    if kind in (DockingEventKind.DECLINED, DockingEventKind.CLOSED):
        reason = outcome_label(detail.get("outcome"))
        if kind == DockingEventKind.DECLINED:
            return _("婉拒了对接（未达成），原因：%(reason)s", reason=reason)
        return _("结束了洽谈（未达成），原因：%(reason)s", reason=reason)
    if kind == DockingEventKind.BROKER:
        if detail.get("broker") and detail.get("previous"):
            return _(
                "将技术经理人由 %(old)s 更换为 %(new)s",
                old=detail["previous"],
                new=detail["broker"],
            )
        if detail.get("broker"):
            return _("指定技术经理人：%(name)s", name=detail["broker"])
        return _("取消了技术经理人 %(name)s", name=detail.get("previous") or "")
    if kind == DockingEventKind.SIGNED:
        if detail.get("status_kept"):  # recorded after the docking had been closed
            return _("登记合同（对接此前已结束，状态未改变）")
        return _("登记合同，对接已签约")
    return {
        DockingEventKind.REQUESTED: lambda: _("发起对接（意向）"),
        DockingEventKind.ACCEPTED: lambda: _("接受对接，进入洽谈"),
        DockingEventKind.CHECKED_IN: lambda: _("报告进展：仍在洽谈，期限顺延"),
        DockingEventKind.MESSAGE: lambda: _("留言"),
        DockingEventKind.NUDGED: lambda: _("催办待处理的一方"),
        DockingEventKind.REMINDED: lambda: _("到期前提醒待处理的一方"),
    }[kind]()
