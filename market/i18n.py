"""Language: the user's choice, then the session's, then the browser's, then 简体中文."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

DEFAULT_LOCALE = "zh_Hans_CN"
LOGIN_MESSAGE = _l("请先登录。")


def select_locale() -> str:
    if not has_request_context():  # CLI and workers: messages are rendered per recipient
        return DEFAULT_LOCALE
    languages = current_app.config["LANGUAGES"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    # Browsers send zh-CN / zh-Hans; anything Chinese gets Simplified Chinese.
    best = request.accept_languages.best_match(["zh", "zh-CN", "zh-Hans", "en"])
    if best and best.startswith("en"):
        return "en"
    return DEFAULT_LOCALE
