"""The agreements in the layout of the national 技术合同登记表, as XLSX and CSV.

One row per agreement that currently counts (recorded, not cancelled), then a 合计 row with
the bureau's own figures (market.stats.services.totals), so the export and the tallies agree.
market.spreadsheets writes the file.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from market import spreadsheets
from market.accounts.models import COUNTIES, Organization
from market.agreements.models import CONTRACT_TYPE_LABELS, Agreement
from market.agreements.services import recorded_agreements
from market.stats.services import Filters, Totals, totals

CITY = "河南省许昌市"
AMOUNT_FORMAT = "#,##0.00"
WIDTHS = (14, 36, 10, 30, 20, 30, 20, 14, 14, 12, 24, 14)


def headers() -> list[str]:
    """The column titles of the 登记表, in order."""
    return [
        _("合同登记号"),
        _("项目名称"),
        _("合同类型"),
        _("买方（委托方/受让方）名称"),
        _("买方所在地区"),
        _("卖方（受托方/让与方）名称"),
        _("卖方所在地区"),
        _("合同金额（万元）"),
        _("技术交易额（万元）"),
        _("签订日期"),
        _("合同期限"),
        _("技术领域"),
    ]


def registration_rows(agreements: list[Agreement]) -> list[list]:
    """One list of cell values per agreement; amounts stay Decimal, dates stay dates."""
    return [_row(agreement) for agreement in agreements]


def _row(agreement: Agreement) -> list:
    buyers, sellers = agreement.buyers, agreement.sellers
    return [
        agreement.registration_no,
        agreement.title,
        str(CONTRACT_TYPE_LABELS[agreement.contract_type]),
        "；".join(o.name for o in buyers),
        _regions(buyers, lead_county=agreement.county),
        "；".join(o.name for o in sellers),
        _regions(sellers),
        agreement.amount,
        agreement.tech_amount if agreement.tech_amount is not None else agreement.amount,
        agreement.signed_on,
        _term(agreement.term_start, agreement.term_end),
        agreement.field or "",
    ]


def _regions(organizations: list[Organization], lead_county: str | None = None) -> str:
    found: list[str] = []
    for position, organization in enumerate(organizations):
        county = lead_county if position == 0 and lead_county else organization.county
        region = f"{CITY}{county}" if county in COUNTIES else (county or "")
        if region and region not in found:
            found.append(region)
    return "；".join(found)


def _term(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return ""
    return f"{start.isoformat() if start else ''}至{end.isoformat() if end else ''}"


def ledger_totals(year: int | None = None) -> Totals:
    """Count, amount and technology-transaction amount: the stats figures for that year."""
    return totals(Filters(year=year))


def _total_row(figures: Totals) -> list:
    label = _("合计（%(n)d 项）", n=figures.count)
    return [label, "", "", "", "", "", "", figures.amount, figures.tech_amount, "", "", ""]


def register_sheet(year: int | None = None) -> spreadsheets.Sheet:
    """The 登记表 of one signing year (or all): a caption, the header, the agreements, 合计."""
    caption = _("技术合同登记表")
    if year is not None:
        caption = _("技术合同登记表（%(year)s年）", year=year)
    return spreadsheets.Sheet(
        title=_("技术合同登记表"),
        header=headers(),
        rows=registration_rows(recorded_agreements(year)),
        caption=caption,
        total=_total_row(ledger_totals(year)),
        widths=WIDTHS,
        freeze="C3",
        money_format=AMOUNT_FORMAT,
    )


def to_xlsx(year: int | None = None) -> bytes:
    """The 登记表 as an Excel workbook: a title row, the header, the agreements, the 合计."""
    return spreadsheets.to_xlsx([register_sheet(year)])


def to_csv(year: int | None = None) -> bytes:
    """The 登记表 as CSV in UTF-8 with a BOM (so Excel reads the Chinese correctly)."""
    return spreadsheets.to_csv(register_sheet(year))
