"""What each kind of posting holds, and how raw input (form, import, API) becomes clean values.

One declaration per field serves the web forms, the importer, the exporter and the API, so a
rule (a length, a choice list, the patent-number check) is written once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from market.errors import DomainError
from market.money import AmountError, parse_amount
from market.postings.models import (
    BODY_MAX,
    BUDGET_BANDS,
    COOPERATION_MODES,
    DEGREES,
    FIELDS,
    IP_STATUSES,
    MATURITY_LEVELS,
    SHARING_MODES,
    TITLE_MAX,
    PostingKind,
    Visibility,
)
from market.timeutil import today

MAX_VALID_DAYS = 2 * 365
KEYWORD_SPLIT = re.compile(r"[,，、;；\s]+")
LIST_SPLIT = re.compile(r"[,，、;；\n]+")


class FieldError(ValueError):
    """Raw input that a field refuses; the message is shown to the person."""


@dataclass(frozen=True)
class Field:
    name: str
    label: LazyString
    parse: Callable[[Any], Any]
    required: bool = False
    # How a web form asks for it: text, textarea, select, checkboxes, date or number.
    input: str = "text"
    options: tuple[str, ...] = ()
    hint: LazyString | None = None


def clean_text(value: Any, multiline: bool = False) -> str:
    """NFC-normalised text; single-line fields have their white space folded."""
    text = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").strip()
    return text if multiline else " ".join(text.split())


def text(max_len: int, min_len: int = 0, multiline: bool = False) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        cleaned = clean_text(value, multiline)
        if len(cleaned) > max_len:
            raise FieldError(_("不能超过 %(n)d 个字。", n=max_len))
        if len(cleaned) < min_len:
            raise FieldError(_("内容太短：请至少写 %(n)d 个字，说明具体情况。", n=min_len))
        return cleaned

    return parse


def choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        cleaned = clean_text(value)
        if cleaned not in options:
            raise FieldError(_("请从列表中选择：%(options)s。", options="、".join(options)))
        return cleaned

    return parse


def choices(options: tuple[str, ...]) -> Callable[[Any], list[str]]:
    def parse(value: Any) -> list[str]:
        items = value if isinstance(value, list | tuple) else LIST_SPLIT.split(str(value))
        picked = [clean_text(v) for v in items if clean_text(v)]
        unknown = [v for v in picked if v not in options]
        if unknown:
            raise FieldError(_("“%(value)s”不在可选范围内。", value="、".join(unknown)))
        return list(dict.fromkeys(picked))

    return parse


def amount(value: Any):
    try:
        return parse_amount(str(value), required=False)
    except AmountError as exc:
        raise FieldError(str(exc)) from exc


def whole_number(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        try:
            number = int(str(value).strip())
        except ValueError as exc:
            raise FieldError(_("请填写整数。")) from exc
        if not low <= number <= high:
            raise FieldError(_("应在 %(low)d 到 %(high)d 之间。", low=low, high=high))
        return number

    return parse


def valid_until(value: Any) -> date:
    """A date after today and at most two years ahead."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(clean_text(value).replace("/", "-"))
        except ValueError as exc:
            raise FieldError(_("日期格式不正确，请按 年-月-日 填写。")) from exc
    if value <= today():
        raise FieldError(_("有效期必须晚于今天。"))
    if value > today() + timedelta(days=MAX_VALID_DAYS):
        raise FieldError(_("有效期最长两年。"))
    return value


def keywords(value: Any) -> list[str]:
    """Keywords from a list or a string separated by commas, 、 or spaces (at most 10)."""
    if not isinstance(value, list | tuple):
        value = KEYWORD_SPLIT.split(unicodedata.normalize("NFKC", str(value)))
    words = [clean_text(v) for v in value]
    if any(len(w) > 30 for w in words):
        raise FieldError(_("每个关键词不超过 30 个字。"))
    return list(dict.fromkeys(w for w in words if w))[:10]


def visibility(value: Any) -> Visibility:
    try:
        return value if isinstance(value, Visibility) else Visibility(clean_text(value))
    except ValueError as exc:
        raise FieldError(_("请从列表中选择。")) from exc


# Chinese patent numbers: applications since 2003 are 12 digits and a check character
# (e.g. 201710601862.3, written ZL201710601862.3 once granted), older ones 8 digits and a check
# character; publications are CN, 9 digits and a kind letter (A, B, U, Y, S) with an
# optional digit (e.g. CN112345678A, CN212345678U).
_APPLICATION = re.compile(r"^(?:CN|ZL)?(\d{8}|\d{12})\.?([\dX])$")
_PUBLICATION = re.compile(r"^CN\d{9}[ABUYS]\d?$")
_CHECK_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9)


def check_character(digits: str) -> str:
    """The check character of a Chinese patent application number (mod 11, 10 is X)."""
    total = sum(int(d) * _CHECK_WEIGHTS[i % 8] for i, d in enumerate(digits))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def patent_number(value: str) -> str:
    """A normalised, checked patent number, or FieldError."""
    number = re.sub(r"\s", "", unicodedata.normalize("NFKC", value)).upper()
    if _PUBLICATION.match(number):
        return number
    application = _APPLICATION.match(number)
    if application and check_character(application.group(1)) == application.group(2):
        return f"{application.group(1)}.{application.group(2)}"
    raise FieldError(
        _(
            "专利号“%(number)s”无效：请填写申请号（如 ZL201710601862.3，校验位须正确）"
            "或公开号（如 CN112345678A）。",
            number=value,
        )
    )


def patent_numbers(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else LIST_SPLIT.split(str(value))
    return list(dict.fromkeys(patent_number(v) for v in items if clean_text(v)))[:20]


TITLE = Field("title", _l("标题"), text(TITLE_MAX), required=True)
BODY = Field(
    "body",
    _l("详细描述"),
    text(BODY_MAX, min_len=20, multiline=True),
    required=True,
    input="textarea",
)
FIELD = Field("field", _l("所属领域"), choice(FIELDS), True, "select", FIELDS)
KEYWORDS = Field("keywords", _l("关键词"), keywords, hint=_l("用逗号或顿号分隔，最多 10 个"))
VALID_UNTIL = Field("valid_until", _l("有效期至"), valid_until, True, "date")
CONTACT = Field("contact_person", _l("联系人"), text(60))
INDICATORS = Field("indicators", _l("技术指标"), text(2000, multiline=True), input="textarea")
UNIT = Field("unit", _l("所在单位/部门"), text(120))

KIND_FIELD_SPECS: dict[PostingKind, tuple[Field, ...]] = {
    PostingKind.PROBLEM: (
        TITLE,
        BODY,
        INDICATORS,
        Field("baseline", _l("现有基础"), text(2000, multiline=True), input="textarea"),
        Field("expected_outcome", _l("预期成果"), text(2000, multiline=True), input="textarea"),
        FIELD,
        KEYWORDS,
        Field("budget_band", _l("预算区间"), choice(BUDGET_BANDS), False, "select", BUDGET_BANDS),
        Field("budget", _l("预算金额（万元）"), amount),
        Field(
            "cooperation",
            _l("合作方式"),
            choice(COOPERATION_MODES),
            True,
            "select",
            COOPERATION_MODES,
        ),
        Field(
            "visibility",
            _l("公开范围"),
            visibility,
            False,
            "select",
            tuple(v.value for v in Visibility),
        ),
        VALID_UNTIL,
        CONTACT,
    ),
    PostingKind.TALENT: (
        TITLE,
        Field("position", _l("岗位名称"), text(60), required=True),
        Field("discipline", _l("专业方向"), text(60)),
        Field("degree", _l("学历要求"), choice(DEGREES), False, "select", DEGREES),
        Field("headcount", _l("招聘人数"), whole_number(1, 999), input="number"),
        Field("salary", _l("薪酬待遇"), text(100)),
        Field("workplace", _l("工作地点"), text(100)),
        BODY,
        FIELD,
        KEYWORDS,
        VALID_UNTIL,
        CONTACT,
    ),
    PostingKind.RESULT: (
        TITLE,
        BODY,
        INDICATORS,
        FIELD,
        KEYWORDS,
        Field("maturity", _l("成熟度"), choice(MATURITY_LEVELS), False, "select", MATURITY_LEVELS),
        Field(
            "cooperation_modes",
            _l("合作方式"),
            choices(COOPERATION_MODES),
            False,
            "checkboxes",
            COOPERATION_MODES,
        ),
        Field("ip_status", _l("知识产权状况"), choice(IP_STATUSES), False, "select", IP_STATUSES),
        Field(
            "patent_numbers",
            _l("专利号"),
            patent_numbers,
            hint=_l("多个用逗号分隔，如 ZL201710601862.3 或 CN112345678A"),
        ),
        Field("reference_price", _l("参考价格（万元）"), amount),
        Field("application_fields", _l("应用领域"), text(500, multiline=True), input="textarea"),
        VALID_UNTIL,
        CONTACT,
    ),
    PostingKind.EXPERT: (
        Field("title", _l("专家姓名"), text(40), required=True),
        Field("expert_title", _l("职称"), text(40), required=True),
        Field("unit", _l("所在单位/部门"), text(120), required=True),
        Field(
            "body",
            _l("研究方向"),
            text(BODY_MAX, min_len=10, multiline=True),
            True,
            "textarea",
        ),
        Field("achievements", _l("代表性成果"), text(3000, multiline=True), input="textarea"),
        FIELD,
        KEYWORDS,
        VALID_UNTIL,
        CONTACT,
    ),
    PostingKind.EQUIPMENT: (
        Field("title", _l("仪器设备名称"), text(TITLE_MAX), required=True),
        Field("model_no", _l("规格型号"), text(80)),
        Field("unit", _l("所属单位"), text(120), required=True),
        Field(
            "body",
            _l("功能与用途"),
            text(BODY_MAX, min_len=10, multiline=True),
            True,
            "textarea",
        ),
        Field("sharing_mode", _l("共享方式"), choice(SHARING_MODES), True, "select", SHARING_MODES),
        Field("fee_standard", _l("收费标准"), text(200)),
        Field("location", _l("存放地点"), text(200)),
        FIELD,
        KEYWORDS,
        VALID_UNTIL,
        CONTACT,
    ),
}

KIND_FIELDS: dict[PostingKind, tuple[str, ...]] = {
    kind: tuple(f.name for f in specs) for kind, specs in KIND_FIELD_SPECS.items()
}


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return not any(clean_text(v) for v in value)
    return False


def validate_posting(kind: PostingKind, data: dict, *, partial: bool = False) -> dict:
    """Clean column values for a posting of this kind, or DomainError listing every problem.

    With `partial`, fields absent from `data` are left alone (an update of some fields).
    """
    values, errors = {}, {}
    for spec in KIND_FIELD_SPECS[PostingKind(kind)]:
        if partial and spec.name not in data:
            continue
        raw = data.get(spec.name)
        if is_blank(raw):
            if spec.required:
                errors[spec.name] = _("请填写%(label)s。", label=spec.label)
            else:
                values[spec.name] = [] if spec.parse in (keywords, patent_numbers) else None
            continue
        try:
            values[spec.name] = spec.parse(raw)
        except FieldError as exc:
            errors[spec.name] = f"{spec.label}：{exc}"
    if errors:
        raise DomainError(_("提交的内容有误，请按提示修改。"), errors)
    return values


VISIBILITY_LABELS = {
    "public": _l("公开"),
    "liaisons": _l("详情仅对登录的科研机构可见"),
    "anonymous": _l("匿名：详情仅对科研机构可见，企业名称在接受对接后显示"),
}
