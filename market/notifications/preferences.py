"""Who hears of what, and how: each user's choice per category and channel.

Defaults (a user who never opened the settings page):
- in-app: every category immediately (the inbox is already a list to skim);
- email: 对接, review decisions, agreements, reminders, events and everything else immediately
  (someone is waiting for an answer), matches in a daily digest (a busy liaison can get dozens
  a day; the digest lists the best ten).
- `User.email_notifications` is the master switch for email: off means no email of any kind,
  whatever the per-category choices say. “Unsubscribe from all email” turns it off.

In-app offers only 立即 and 关闭: a digest is a way of batching email; the inbox needs none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from market.accounts.models import User
from market.errors import DomainError
from market.extensions import db
from market.links import path_for
from market.notifications.models import Channel, Frequency, NotificationPreference

log = logging.getLogger(__name__)

# What a notification is about; each user chooses per category and channel how to hear of it.
CATEGORIES = ("match", "docking", "review", "agreement", "reminder", "event", "general")

CATEGORY_LABELS = {
    "match": _l("新的匹配"),
    "docking": _l("对接进展"),
    "review": _l("审核结果"),
    "agreement": _l("合同登记"),
    "reminder": _l("到期与截止提醒"),
    "event": _l("活动"),
    "general": _l("其他通知"),
}
CHANNEL_LABELS = {Channel.IN_APP: _l("站内消息"), Channel.EMAIL: _l("邮件")}
FREQUENCY_LABELS = {
    Frequency.IMMEDIATE: _l("立即"),
    Frequency.DAILY: _l("每日汇总"),
    Frequency.WEEKLY: _l("每周汇总"),
    Frequency.OFF: _l("关闭"),
}
CHOICES = {
    Channel.IN_APP: (Frequency.IMMEDIATE, Frequency.OFF),
    Channel.EMAIL: (Frequency.IMMEDIATE, Frequency.DAILY, Frequency.WEEKLY, Frequency.OFF),
}
DEFAULT_EMAIL = {"match": Frequency.DAILY}  # every other category: immediately

# Callers that predate categories pass none; their event keys say what they are about.
EVENT_KEY_CATEGORIES = {
    "match": "match",
    "docking": "docking",
    "review": "review",
    "agreement": "agreement",
    "freshness": "reminder",
    "reminder": "reminder",
    "event": "event",
}

UNSUBSCRIBE_SALT = "market.notifications.unsubscribe"
ALL = "all"  # an unsubscribe token for every email, not one category


def category_for(category: str | None, event_key: str) -> str:
    """The caller's category, or (for "general" or an unknown one) one read off the event key."""
    if category in CATEGORIES and category != "general":
        return category
    return EVENT_KEY_CATEGORIES.get(event_key.split(":", 1)[0], "general")


def default_frequency(category: str, channel: Channel) -> Frequency:
    if channel == Channel.EMAIL:
        return DEFAULT_EMAIL.get(category, Frequency.IMMEDIATE)
    return Frequency.IMMEDIATE


def frequency_for(user: User, category: str, channel: Channel) -> Frequency:
    """The user's choice for this category and channel (email off when the master switch is).

    Code deciding for many categories or notifications reads `choices_of` once instead.
    """
    return choices_of(user)[(category, channel)]


def preferences_of(user: User) -> dict[tuple[str, Channel], Frequency]:
    """Every (category, channel) choice of this user, defaults filled in (master switch aside)."""
    stored = {
        (p.category, p.channel): p.frequency
        for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    return {
        (category, channel): stored.get((category, channel)) or default_frequency(category, channel)
        for category in CATEGORIES
        for channel in Channel
    }


def choices_of(user: User) -> dict[tuple[str, Channel], Frequency]:
    """What delivery follows for every (category, channel), read in one query: the user's
    choices with defaults filled in and email off when the master switch is."""
    chosen = preferences_of(user)
    if not user.email_notifications:
        chosen.update({(category, Channel.EMAIL): Frequency.OFF for category in CATEGORIES})
    return chosen


def set_preference(user: User, category: str, channel: Channel, frequency: Frequency) -> None:
    """Store one choice (no commit); a choice equal to the default is stored all the same."""
    if category not in CATEGORIES or frequency not in CHOICES[channel]:
        raise DomainError(_("通知设置无效，请从列表中选择。"))
    row = db.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user.id,
            NotificationPreference.category == category,
            NotificationPreference.channel == channel,
        )
    )
    if row is None:
        row = NotificationPreference(user_id=user.id, category=category, channel=channel)
        db.session.add(row)
    row.frequency = frequency


@dataclass(frozen=True)
class SettingsChange:
    choices: dict[tuple[str, Channel], Frequency]
    email_notifications: bool


def parse_settings(form) -> SettingsChange:
    """Read the settings form (`<category>-<channel>` = frequency); DomainError on bad input.

    Every field must be present and valid: a half-understood form changes nothing.
    """
    choices, errors = {}, {}
    for category in CATEGORIES:
        for channel in Channel:
            name = field_name(category, channel)
            value = form.get(name)
            try:
                frequency = Frequency(value)
            except ValueError:
                frequency = None
            if frequency is None or frequency not in CHOICES[channel]:
                errors[name] = _("请选择有效的选项。")
                continue
            choices[(category, channel)] = frequency
    if errors:
        raise DomainError(_("通知设置无效，请从列表中选择，未做任何更改。"), errors)
    # An unticked checkbox is simply absent from the form: absent means off.
    switch = form.get("email_notifications", "")
    return SettingsChange(choices, switch in ("y", "on", "1", "true"))


def update_preferences(user: User, change: SettingsChange) -> None:
    """Store every choice of the settings page at once (no commit)."""
    for (category, channel), frequency in change.choices.items():
        set_preference(user, category, channel, frequency)
    user.email_notifications = change.email_notifications
    log.info("user %s changed notification settings", user.id)


def field_name(category: str, channel: Channel) -> str:
    return f"{category}-{channel.value}"


# --- one-click unsubscribe ----------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user: User, category: str) -> str:
    """A signed token that turns off email of this category (or ALL) for this user."""
    return _serializer().dumps({"u": user.id, "c": category})


def unsubscribe_url(user: User, category: str) -> str:
    from market.notifications.mail import absolute_url

    return absolute_url(
        path_for("notifications.unsubscribe", token=unsubscribe_token(user, category))
    )


@dataclass(frozen=True)
class Unsubscribe:
    user: User
    category: str  # a category, or ALL

    @property
    def done(self) -> bool:
        """True when email of this kind is already off."""
        if self.category == ALL:
            return not self.user.email_notifications
        return frequency_for(self.user, self.category, Channel.EMAIL) == Frequency.OFF


def read_unsubscribe_token(token: str) -> Unsubscribe:
    """What a valid token unsubscribes from; DomainError for a bad, tampered or expired one."""
    max_age = current_app.config.get("MARKET_UNSUBSCRIBE_LINK_DAYS", 365) * 24 * 3600
    try:
        data = _serializer().loads(token or "", max_age=max_age)
    except SignatureExpired as exc:
        raise DomainError(_("退订链接已过期，请登录后在“通知设置”中修改。")) from exc
    except BadSignature as exc:
        raise DomainError(_invalid_link()) from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    category = data.get("c") if isinstance(data, dict) else None
    if user is None or (category not in CATEGORIES and category != ALL):
        raise DomainError(_invalid_link())
    return Unsubscribe(user, category)


def _invalid_link() -> str:
    return _("退订链接无效，请从最新的邮件中重新打开，或登录后修改通知设置。")


def unsubscribe(token: str) -> Unsubscribe:
    """Turn off what the token names (no commit); doing it again changes nothing."""
    request = read_unsubscribe_token(token)
    if request.category == ALL:
        request.user.email_notifications = False
    else:
        set_preference(request.user, request.category, Channel.EMAIL, Frequency.OFF)
    log.info("user %s unsubscribed from %s email", request.user.id, request.category)
    return request
