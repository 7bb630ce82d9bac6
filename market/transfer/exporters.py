"""Export a posting list, with the list page's filters, as the viewer may see it.

Every row goes through `visible_fields`, so an export shows no more than the pages do. Headers
and values are the importer's Chinese ones: an exported file of one kind imports again as is.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import String, cast, or_

from market.extensions import db
from market.postings.models import Posting, PostingKind
from market.postings.services import (
    ListFilters,
    can_view_details,
    filtered_query,
    visible_fields,
)
from market.templating import local_time
from market.timeutil import today
from market.transfer import columns as cols
from market.transfer.readers import FORMULA_STARTS

EXPORT_LIMIT = 20_000
QUERY_MAX = 200
MIME_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WIDE_COLUMNS = {"标题": 36, "设备名称": 30, "详细描述": 60, "研究方向": 60, "主要功能": 60}


@dataclass
class Export:
    content: bytes
    filename: str
    mimetype: str


def export_postings(viewer, kind: PostingKind | None, fmt: str, args) -> Export:
    """The filtered list of one kind (or all kinds, None) as a CSV or XLSX file."""
    postings = exportable_postings(viewer, kind, args)
    headers, rows = export_table(viewer, kind, postings)
    content = to_xlsx(headers, rows, sheet_name(kind)) if fmt == "xlsx" else to_csv(headers, rows)
    return Export(content, f"{sheet_name(kind)}-{today():%Y%m%d}.{fmt}", MIME_TYPES[fmt])


def exportable_postings(viewer, kind: PostingKind | None, args) -> list[Posting]:
    """The list page's postings for these query-string filters, plus `q`, without paging."""
    filters = ListFilters.from_args(args, viewer)
    filters.kind = kind
    query = filtered_query(filters)
    text = (args.get("q") or "").strip()[:QUERY_MAX]
    if text:
        query = query.where(
            or_(
                Posting.title.icontains(text, autoescape=True),
                Posting.body.icontains(text, autoescape=True),
                cast(Posting.keywords, String).icontains(text, autoescape=True),
            )
        )
    postings = db.session.scalars(query.limit(EXPORT_LIMIT)).all()
    if text:  # a hidden description must not be findable by searching for its words
        postings = [p for p in postings if _found_in_view(viewer, p, text)]
    return postings


def _found_in_view(viewer, posting: Posting, text: str) -> bool:
    if can_view_details(viewer, posting):
        return True
    needle = text.lower()
    return needle in posting.title.lower() or any(needle in k.lower() for k in posting.keywords)


def sheet_name(kind: PostingKind | None) -> str:
    return cols.KIND_TEXT[kind.value] if kind else "全部信息"


def export_table(viewer, kind: PostingKind | None, postings: list[Posting]):
    """Headers and rows of values (not yet text) for the postings as the viewer sees them."""
    views = [file_values(visible_fields(viewer, p)) for p in postings]
    if kind is not None:
        columns = cols.export_columns(kind)
        rows = [[view.get(name) for name, _header in columns] for view in views]
        return [header for _name, header in columns], rows
    columns = cols.mixed_export_columns()
    rows = [[_first(view, fields) for _header, fields in columns] for view in views]
    return [header for header, _fields in columns], rows


def _first(view: dict, fields: tuple[str, ...]):
    return next((view[name] for name in fields if view.get(name) is not None), None)


def file_values(view: dict) -> dict:
    """A visible_fields dict with the values files carry: Chinese labels, joined lists."""
    values = dict(view)
    if view.get("company_hidden"):
        values[cols.ORGANIZATION] = None  # not the placeholder: it must never become a name
    values[cols.KIND_COLUMN] = cols.KIND_TEXT[view["kind"]]
    values["status"] = cols.STATUS_TEXT.get(view["status"], view["status"])
    values["published_at"] = local_time(view.get("published_at")) or None
    if view.get("visibility"):
        values["visibility"] = cols.VISIBILITY_TEXT.get(view["visibility"], view["visibility"])
    for name, value in view.items():
        if isinstance(value, list | tuple):
            values[name] = "、".join(str(v) for v in value) or None
    return values


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese text correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([csv_text(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_text(value) -> str:
    """A cell as text; text Excel would run as a formula is kept text by an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_xlsx(headers: list[str], rows: list[list], title: str) -> bytes:
    """One sheet: a bold header, dates as dates, money with two decimals, text as text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for position, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = WIDE_COLUMNS.get(header, 14)
    sheet.append([_header_cell(sheet, h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet, header: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=header)
    cell.font = Font(bold=True)
    return cell


def _xlsx_cell(sheet, value):
    if isinstance(value, datetime):
        value = local_time(value)
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.00"
        return cell
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
        # A string cell is never evaluated, but one starting with "=" reads back as a formula.
        return "'" + value if value.startswith("=") else value
    return value
