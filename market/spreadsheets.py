"""Spreadsheets people download: CSV (UTF-8 with a BOM, for Excel) and XLSX.

Every export (the bureau's figures, the 技术合同登记表, a 对接会's schedule) is written here, so
text that people typed (titles, organisation names) is never run as a formula: XLSX stores it
as a string cell, CSV puts a quote mark before a leading = + - @ (CSV injection). Amounts stay
exact: Decimal with two places is two-decimal text in CSV and a number shown 0.00 in XLSX.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from market.money import CENT

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
MONEY_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
# What Excel and LibreOffice take as the start of a formula in a cell read from CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class Sheet:
    """A header row and rows of plain values (str, int, float, Decimal, date, None).

    caption is a bold line above the header (XLSX only); total a bold last row; widths the
    column widths (by default from the header); freeze the pane's top-left cell (by default
    the first cell under the header); wrap the 0-based columns whose text wraps.
    """

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    caption: str | None = None
    total: Sequence | None = None
    widths: Sequence[int] = ()
    freeze: str | None = None
    money_format: str = MONEY_FORMAT
    wrap: Sequence[int] = ()


# CSV


def csv_cell(value) -> str:
    """A value as CSV text: exact amounts, ISO dates, text that never starts a formula."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.quantize(CENT)}" if value.as_tuple().exponent <= -2 else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a byte-order mark so Excel reads the Chinese; the caption is left out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(name) for name in sheet.header])
    for row in _rows_and_total(sheet):
        writer.writerow([csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _rows_and_total(sheet: Sheet) -> Iterable[Sequence]:
    yield from sheet.rows
    if sheet.total is not None:
        yield sheet.total


# XLSX


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one worksheet per sheet.

    Written in openpyxl's write-only mode: a list of 100,000 agreements streams out instead
    of building every cell in memory.
    """
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(_sheet_title(sheet.title, used)), sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(worksheet, sheet: Sheet) -> None:
    first_row = 1
    widths = sheet.widths or [max(10, min(40, len(str(n)) * 2 + 2)) for n in sheet.header]
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    if sheet.caption is not None:
        first_row += 1
    worksheet.freeze_panes = sheet.freeze or f"A{first_row + 1}"
    if sheet.caption is not None:
        caption = xlsx_cell(worksheet, sheet.caption)
        caption.font = Font(bold=True, size=14)
        worksheet.append([caption])
    header = [xlsx_cell(worksheet, name) for name in sheet.header]
    for cell in header:
        cell.font = _BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    worksheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.rows:
        cells = [xlsx_cell(worksheet, value, sheet.money_format) for value in row]
        for index in sheet.wrap:
            cells[index].alignment = wrap
        worksheet.append(cells)
    if sheet.total is not None:
        cells = [xlsx_cell(worksheet, value, sheet.money_format) for value in sheet.total]
        for cell in cells:
            cell.font = _BOLD
        worksheet.append(cells)


def xlsx_cell(worksheet, value, money_format: str = MONEY_FORMAT) -> WriteOnlyCell:
    """A cell of a write-only worksheet; text is always a string, never a formula."""
    if isinstance(value, str):
        cell = WriteOnlyCell(worksheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # "=..." would otherwise be stored as a formula
        return cell
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, Decimal):
        cell.number_format = money_format if _is_money(value) else _places(value)
    elif isinstance(value, date) and not isinstance(value, datetime):
        cell.number_format = DATE_FORMAT
    return cell


def _is_money(value: Decimal) -> bool:
    return value.as_tuple().exponent == -2


def _places(value: Decimal) -> str:
    places = max(0, -value.as_tuple().exponent)
    return "0." + "0" * places if places else "0"


def _sheet_title(title: str, used: set[str]) -> str:
    base = _SHEET_NAME_FORBIDDEN.sub(" ", title)[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base}{n}", n + 1
    used.add(name)
    return name
