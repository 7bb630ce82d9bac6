"""The bureau's figures as sheets; market.spreadsheets writes them as CSV or XLSX.

Amounts are exact: CSV writes them as two-decimal text, XLSX as numbers formatted '0.00'.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import gettext as _

from market.spreadsheets import Sheet
from market.stats.services import (
    DIMENSION_LABELS,
    AgreementLine,
    Dashboard,
    Group,
    Stage,
)


def breakdown_sheet(by: str, groups: Iterable[Group]) -> Sheet:
    """One breakdown: group, count, amount, technology part."""
    header = [
        str(DIMENSION_LABELS[by]),
        _("合同项数"),
        _("合同金额（万元）"),
        _("技术交易额（万元）"),
    ]
    rows = [[g.label, g.count, g.amount, g.tech_amount] for g in groups]
    return Sheet(str(DIMENSION_LABELS[by]), header, rows)


def dashboard_sheets(board: Dashboard) -> list[Sheet]:
    """The whole dashboard: totals, every breakdown, the funnel."""
    totals = Sheet(
        _("总计"),
        [_("合同项数"), _("合同金额（万元）"), _("技术交易额（万元）"), _("筛选条件")],
        [
            [
                board.totals.count,
                board.totals.amount,
                board.totals.tech_amount,
                describe_filters(board.filters.to_args()),
            ]
        ],
    )
    sheets = [totals]
    sheets += [breakdown_sheet(by, groups) for by, groups in board.breakdowns.items()]
    sheets.append(funnel_sheet(board.funnel))
    return sheets


def dashboard_flat_sheet(board: Dashboard) -> Sheet:
    """The dashboard's breakdowns in one table (for CSV): dimension, group, figures."""
    header = [_("维度"), _("分组"), _("合同项数"), _("合同金额（万元）"), _("技术交易额（万元）")]
    rows: list[Sequence] = [
        [_("总计"), "", board.totals.count, board.totals.amount, board.totals.tech_amount]
    ]
    for by, groups in board.breakdowns.items():
        label = str(DIMENSION_LABELS[by])
        rows += [[label, g.label, g.count, g.amount, g.tech_amount] for g in groups]
    return Sheet(_("统计"), header, rows)


def funnel_sheet(stages: Iterable[Stage]) -> Sheet:
    header = [_("环节"), _("需求数"), _("较上一环节转化率（%）"), _("较发布需求转化率（%）")]
    rows = [[s.label, s.count, s.rate, s.overall] for s in stages]
    return Sheet(_("对接漏斗"), header, rows)


def agreements_sheet(lines: Iterable[AgreementLine]) -> Sheet:
    """The drill-down list: one row per agreement with its current figures."""
    header = [
        _("合同编号"),
        _("合同名称"),
        _("签订日期"),
        _("企业"),
        _("科研机构"),
        _("县（市、区）"),
        _("产业领域"),
        _("合同类型"),
        _("活动"),
        _("合同金额（万元）"),
        _("技术交易额（万元）"),
    ]
    rows = [
        [
            line.id,
            line.title,
            line.signed_on,
            line.company,
            line.institute,
            line.county or "",
            line.field or "",
            line.type_label,
            line.event or "",
            line.amount,
            line.tech_amount,
        ]
        for line in lines
    ]
    return Sheet(_("合同明细"), header, rows)


def describe_filters(args: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in args.items()) or _("全部")
