"""Filters and globals every template can use."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from market.money import format_amount
from market.timeutil import CHINA

STATUS_LABELS = {
    "pending": _l("待审核"),
    "published": _l("已发布"),
    "rejected": _l("未通过"),
    "returned": _l("已退回修改"),
    "archived": _l("已归档"),
    "requested": _l("意向"),
    "accepted": _l("洽谈中"),
    "declined": _l("未达成"),
    "signed": _l("已签约"),
    "submitted": _l("登记中"),
    "recorded": _l("已登记"),
    "cancelled": _l("已作废"),
}
KIND_LABELS = {
    "problem": _l("技术需求"),
    "talent": _l("人才需求"),
    "result": _l("科技成果"),
    "expert": _l("专家"),
    "equipment": _l("仪器设备"),
}
ROLE_LABELS = {"enterprise": _l("企业"), "institute": _l("科研机构"), "bureau": _l("科技局")}


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def label(value) -> str:
    key = getattr(value, "value", value)
    return str(STATUS_LABELS.get(key) or KIND_LABELS.get(key) or ROLE_LABELS.get(key) or key)


def navigation_counts() -> dict:
    if not getattr(current_user, "is_authenticated", False):
        return {}
    from market.notifications.services import unread_count

    counts = {"unread": unread_count(current_user)}
    if current_user.is_bureau:
        from market.review.services import review_queue

        counts["review"] = len(review_queue())
    return counts


def register(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_amount
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["label"] = label

    from market.postings import visibility
    from market.postings.fields import KIND_FIELD_SPECS, VISIBILITY_LABELS

    app.jinja_env.globals.update(
        company_name=lambda posting: visibility.company_name(current_user, posting),
        can_see_company=lambda posting: visibility.can_see_company(current_user, posting),
        can_view_details=lambda posting: visibility.can_view_details(current_user, posting),
        posting_fields=lambda kind: KIND_FIELD_SPECS[kind],
        visibility_label=lambda value: VISIBILITY_LABELS.get(value, value),
    )

    @app.context_processor
    def inject_globals():
        return {
            "nav_counts": navigation_counts(),
            "current_locale": str(get_locale() or "zh_Hans_CN"),
            "languages": app.config["LANGUAGES"],
        }
