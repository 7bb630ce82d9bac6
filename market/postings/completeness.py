"""How complete a posting is, and what would make it better.

Standardised, complete postings are matched far more often; the form shows this score while
the poster types, and the bureau's review queue shows it too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from market.postings.models import Posting, PostingKind

GOOD_DESCRIPTION = 100  # characters: enough to say the situation, the problem, what was tried


@dataclass(frozen=True)
class Completeness:
    score: int  # 0-100
    hints: list[str]


def _filled(name: str) -> Callable[[Mapping], bool]:
    def check(values: Mapping) -> bool:
        value = values.get(name)
        if isinstance(value, str):
            return bool(value.strip())
        return value not in (None, [], ())

    return check


def _long(name: str, length: int) -> Callable[[Mapping], bool]:
    return lambda values: len(str(values.get(name) or "").strip()) >= length


_DESCRIPTION = (
    _long("body", GOOD_DESCRIPTION),
    _l("描述偏短：请写清现状、问题和已尝试的办法（建议 100 字以上）。"),
)
_KEYWORDS = (_filled("keywords"), _l("补充 3-5 个关键词，便于匹配。"))
_VALID_UNTIL = (_filled("valid_until"), _l("填写有效期，过期信息会自动下架。"))
_CONTACT = (_filled("contact_person"), _l("填写联系人，方便对方联系。"))

CHECKS: dict[PostingKind, tuple] = {
    PostingKind.PROBLEM: (
        _DESCRIPTION,
        (_filled("indicators"), _l("补充技术指标：希望达到的精度、产能、成本等具体数字。")),
        (_filled("baseline"), _l("说明现有基础：已尝试的办法、现有设备和条件。")),
        (_filled("budget_band"), _l("选择预算区间，科研机构可据此判断合作方式。")),
        (_filled("expected_outcome"), _l("写明预期成果（样机、工艺、软件、检测报告等）。")),
        _KEYWORDS,
        _VALID_UNTIL,
        _CONTACT,
    ),
    PostingKind.TALENT: (
        (_filled("discipline"), _l("填写专业方向。")),
        (_filled("degree"), _l("选择学历要求。")),
        (_filled("salary"), _l("写明薪酬待遇与支持政策，吸引力更大。")),
        (_filled("workplace"), _l("填写工作地点。")),
        (_long("body", 50), _l("写清岗位职责和任职要求（建议 50 字以上）。")),
        _VALID_UNTIL,
        _CONTACT,
    ),
    PostingKind.RESULT: (
        _DESCRIPTION,
        (_filled("maturity"), _l("选择成熟度（实验室、小试、中试或产业化）。")),
        (_filled("cooperation_modes"), _l("选择可接受的合作方式。")),
        (_filled("indicators"), _l("补充技术指标：已达到的性能参数、对比数据。")),
        (_filled("ip_status"), _l("说明知识产权状况（专利、软件著作权等）。")),
        (_filled("application_fields"), _l("写明可应用的行业和场景。")),
        (_filled("reference_price"), _l("给出参考价格，便于企业评估（可填面议区间）。")),
        _KEYWORDS,
        _VALID_UNTIL,
        _CONTACT,
    ),
    PostingKind.EXPERT: (
        (_long("body", 30), _l("写清研究方向（建议 30 字以上）。")),
        (_filled("achievements"), _l("列出代表性成果，企业更容易找到合适的专家。")),
        _KEYWORDS,
        _VALID_UNTIL,
        _CONTACT,
    ),
    PostingKind.EQUIPMENT: (
        (_filled("model_no"), _l("填写规格型号。")),
        (_filled("fee_standard"), _l("写明收费标准。")),
        (_filled("location"), _l("填写存放地点。")),
        (_long("body", 30), _l("写清功能和可开展的测试项目（建议 30 字以上）。")),
        _KEYWORDS,
        _VALID_UNTIL,
        _CONTACT,
    ),
}


def completeness_of(kind: PostingKind, values: Mapping[str, Any]) -> Completeness:
    """Score and hints for raw or clean values of a posting of this kind."""
    checks = CHECKS[PostingKind(kind)]
    missing = [str(hint) for check, hint in checks if not check(values)]
    score = round(100 * (len(checks) - len(missing)) / len(checks))
    return Completeness(score=score, hints=missing)


def completeness(posting: Posting) -> Completeness:
    """Score and hints for a stored posting."""
    values = {name: getattr(posting, name, None) for name in _names(posting.kind)}
    return completeness_of(posting.kind, values)


def _names(kind: PostingKind) -> set[str]:
    from market.postings.fields import KIND_FIELDS

    return set(KIND_FIELDS[kind])
