"""Why a stored match was made, in the reader's language: one sentence per reason."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from market.matching.models import Match

FIELD_LABELS = {"title": _l("标题"), "keywords": _l("关键词"), "body": _l("正文")}
FIT_LABELS = {
    "field": _l("行业领域相同"),
    "cooperation": _l("合作方式相符"),
    "budget": _l("参考价格在预算之内"),
}


def match_reasons(match: Match) -> list[str]:
    """Return the reasons for a match: matched words, bridging synonyms, fields, fit."""
    explanation = match.explanation or {}
    reasons = []
    if match.terms:
        reasons.append(_("共同关键词：%(terms)s", terms="、".join(match.terms[:8])))
    for source, synonym in explanation.get("bridges", [])[:5]:
        reasons.append(_("同义词：“%(source)s”≈“%(synonym)s”", source=source, synonym=synonym))
    fields = [str(FIELD_LABELS[f]) for f in explanation.get("fields", []) if f in FIELD_LABELS]
    if fields:
        reasons.append(_("匹配位置：%(fields)s", fields="、".join(fields)))
    reasons.extend(str(FIT_LABELS[f]) for f in explanation.get("fit", []) if f in FIT_LABELS)
    reasons.extend(_feedback_reasons(explanation.get("feedback") or {}))
    return reasons


def _feedback_reasons(feedback: dict) -> list[str]:
    """Marks on similar postings that moved this match up or down (see compute_matches)."""
    reasons = []
    if feedback.get("relevant"):
        reasons.append(_("相似发布中被标记为相关（%(n)d 个）", n=len(feedback["relevant"])))
    if feedback.get("irrelevant"):
        reasons.append(_("相似发布中被标记为不相关（%(n)d 个）", n=len(feedback["irrelevant"])))
    return reasons
