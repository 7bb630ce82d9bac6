"""Turn a request's JSON body and query string into values the services accept.

Types are checked here, against the same field schemas the OpenAPI document publishes, so a
wrong type is a 422 with a message rather than a crash; the services then apply their rules
(lengths, choice lists, dates) and word their own messages.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from market.accounts.models import COUNTIES
from market.api.errors import ApiError
from market.api.services import MAX_ID, Page, PostingFilters, is_bureau
from market.postings.models import (
    COOPERATION_MODES,
    FIELDS,
    MATURITY_LEVELS,
    PostingKind,
    PostingStatus,
)

MAX_PAGE = 100_000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
TRUE_WORDS = {"true": True, "1": True, "false": False, "0": False}


def json_body() -> dict[str, Any]:
    """The request's JSON object, or 415/400 saying what is wrong with it."""
    if not request.is_json:
        raise ApiError(415, _("请以 JSON 格式提交（Content-Type: application/json）。"))
    try:
        data = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise ApiError(400, _("请求内容不是有效的 JSON。")) from None
    if not isinstance(data, dict):
        raise ApiError(400, _("请求内容应为 JSON 对象。"))
    return data


def invalid(fields: dict[str, str]) -> ApiError:
    return ApiError(422, _("提交的内容有误，请按提示修改。"), fields)


def check_types(data: dict[str, Any], schemas: dict[str, dict]) -> None:
    """Refuse unknown fields and values of the wrong JSON type (422, one message per field)."""
    errors = {}
    for name, value in data.items():
        schema = schemas.get(name)
        if schema is None or schema.get("readOnly"):
            errors[_safe_name(name)] = _("不支持该字段。")
            continue
        message = type_error(value, schema)
        if message:
            errors[name] = message
    if errors:
        raise invalid(errors)


def type_error(value: Any, schema: dict) -> str | None:
    """Why `value` does not have the schema's JSON type, or None when it does."""
    if value is None:
        return None if schema.get("nullable") else _("不能为空。")
    expected = schema.get("type")
    if expected == "string":
        return _string_error(value)
    if expected == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok and abs(value) <= MAX_ID else _("应为整数。")
    if expected == "array":
        if not isinstance(value, list):
            return _("应为列表。")
        item_errors = (type_error(item, schema.get("items", {})) for item in value)
        return next((e for e in item_errors if e), None)
    if expected == "boolean":
        return None if isinstance(value, bool) else _("应为 true 或 false。")
    return None


def _string_error(value: Any) -> str | None:
    if not isinstance(value, str):
        return _("应为文本。")
    if not text_is_storable(value):
        return _("含有无法保存的字符。")
    return None


def text_is_storable(value: str) -> bool:
    """Text without NUL (PostgreSQL refuses it) or lone surrogates (UTF-8 cannot hold them)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _safe_name(name: str) -> str:
    return name if text_is_storable(name) and len(name) <= 60 else "?"


def parse_date(value: Any, name: str, errors: dict[str, str]) -> date | None:
    """An ISO date (YYYY-MM-DD) for the services, which take `date` objects."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        errors[name] = _("日期格式不正确，请按 年-月-日 填写（例如 2026-03-01）。")
        return None


def object_id(value: Any) -> int | None:
    """A positive database id, or None (refused by the caller with its own message)."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID:
        return value
    return None


# Query strings -------------------------------------------------------------------------


def page_args(args: MultiDict) -> Page:
    errors: dict[str, str] = {}
    number = _int_arg(args, "page", 1, 1, MAX_PAGE, errors)
    size = _int_arg(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, errors)
    _refuse_args(errors)
    return Page(number=number, size=size)


def posting_filters(args: MultiDict, kind: PostingKind, viewer) -> PostingFilters:
    """The list filters of a posting collection; unknown values are refused, not ignored."""
    errors: dict[str, str] = {}
    values = {
        "field": _choice_arg(args, "field", FIELDS, errors),
        "county": _choice_arg(args, "county", COUNTIES, errors),
        "status": _choice_arg(args, "status", [s.value for s in PostingStatus], errors),
        "mine": _bool_arg(args, "mine", errors),
    }
    if kind in (PostingKind.PROBLEM, PostingKind.RESULT):
        values["cooperation"] = _choice_arg(args, "cooperation", COOPERATION_MODES, errors)
    if kind == PostingKind.RESULT:
        values["maturity"] = _choice_arg(args, "maturity", MATURITY_LEVELS, errors)
    _refuse_args(errors)
    filters = PostingFilters(
        **{**values, "status": PostingStatus(values["status"]) if values["status"] else None}
    )
    _check_scope(filters, viewer)
    return filters


def _check_scope(filters: PostingFilters, viewer) -> None:
    signed_in = getattr(viewer, "is_authenticated", False)
    if filters.mine and not signed_in:
        raise ApiError(401, _("查看本单位的信息需要 API 令牌。"))
    hidden_status = filters.status not in (None, PostingStatus.PUBLISHED)
    if hidden_status and not filters.mine and not is_bureau(viewer):
        raise ApiError(403, _("只有科技局可以按审核状态列出所有信息；查看本单位的请加 mine=true。"))


def year_arg(args: MultiDict) -> int | None:
    errors: dict[str, str] = {}
    year = _int_arg(args, "year", None, 2000, 2100, errors)
    _refuse_args(errors)
    return year


def choice_arg(args: MultiDict, name: str, options) -> str | None:
    errors: dict[str, str] = {}
    value = _choice_arg(args, name, options, errors)
    _refuse_args(errors)
    return value


def _int_arg(args, name, default, low, high, errors):
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not low <= int(raw) <= high:
        errors[name] = _("应为 %(low)d 到 %(high)d 之间的整数。", low=low, high=high)
        return default
    return int(raw)


def _choice_arg(args, name, options, errors):
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    if raw not in options:
        errors[name] = _("请从以下选项中选择：%(options)s。", options="、".join(options))
        return None
    return raw


def _bool_arg(args, name, errors) -> bool:
    raw = (args.get(name) or "false").lower()
    if raw not in TRUE_WORDS:
        errors[name] = _("应为 true 或 false。")
        return False
    return TRUE_WORDS[raw]


def _refuse_args(errors: dict[str, str]) -> None:
    if errors:
        raise ApiError(400, _("查询参数有误。"), errors)
