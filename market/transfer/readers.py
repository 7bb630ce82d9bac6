"""Turn an uploaded CSV, XLSX or JSONL file into a header and numbered rows of raw values.

Readers never evaluate anything: a formula is kept as a `BadCell` the importer refuses.
Line numbers are the file's own: the header is line 1 in CSV and XLSX, the first line is 1
in JSONL.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from market.errors import DomainError

MAX_FILE_BYTES = 10 * 1024 * 1024
# An XLSX is a zip: a small file can unpack into gigabytes, so cap what it may expand to.
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}
# Excel treats cells starting with these as formulas; exports prefix them with an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FileRefused(DomainError):
    """The file as a whole cannot be read: wrong format, too large, empty, no header."""


@dataclass(frozen=True)
class BadCell:
    """A cell whose value must not be imported (a formula, an Excel error value)."""

    reason: str


@dataclass
class SourceRow:
    line: int
    values: list
    error: str | None = None  # the whole line is unreadable (broken JSON)


@dataclass
class Table:
    headers: list
    rows: list[SourceRow] = field(default_factory=list)


def read_table(filename: str, data: bytes) -> Table:
    """Read an uploaded file of a supported format; raise FileRefused when it cannot be."""
    check_size(len(data))
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise FileRefused(_("文件是空的。"))
    table = READERS[file_format(filename)](data)
    if not any(str(h or "").strip() for h in table.headers):
        raise FileRefused(_("文件没有表头：第一行应是列名，例如“标题、详细描述、单位”。"))
    return table


def check_size(size: int) -> None:
    """Refuse files over 10 MB before reading them."""
    if size > MAX_FILE_BYTES:
        raise FileRefused(too_large_message())


def too_large_message() -> str:
    return _("文件超过 %(n)d MB，请拆分成几个文件分别导入。", n=MAX_FILE_BYTES // 1024 // 1024)


def file_format(filename: str) -> str:
    """csv, xlsx or jsonl, from the file name's extension."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xls":
        raise FileRefused(_("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入。"))
    if suffix not in FORMATS:
        raise FileRefused(_("只能导入 CSV、XLSX 或 JSONL 文件。"))
    return FORMATS[suffix]


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, which covers GBK files from Excel."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件。"))


def read_csv(data: bytes) -> Table:
    """Rows of a CSV file; quoted cells may span lines, rows keep their first line number."""
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows, headers = [], None
    try:
        while True:
            line = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            values = [_csv_cell(v) for v in values]
            if not any(_filled(v) for v in values):
                continue
            if headers is None:
                headers = values
            else:
                rows.append(SourceRow(line, values))
    except csv.Error as exc:
        raise FileRefused(
            _("CSV 文件第 %(line)d 行格式有误：%(error)s", line=line, error=exc)
        ) from exc
    return Table(headers or [], rows)


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if "\t" in first and "," not in first else ","


def _csv_cell(value: str):
    return BadCell(str(FORMULA)) if value.startswith("=") else value


def read_xlsx(data: bytes) -> Table:
    """Rows of the workbook's first sheet, formulas refused rather than evaluated."""
    workbook = _open_workbook(data)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # files from other tools often state a wrong used range
        rows, headers = [], None
        for line, cells in enumerate(sheet.iter_rows(), start=1):
            values = [_xlsx_cell(cell) for cell in cells]
            if not any(_filled(v) for v in values):
                continue
            if headers is None:
                headers = values
            else:
                rows.append(SourceRow(line, values))
    finally:
        workbook.close()
    return Table(headers or [], rows)


def _open_workbook(data: bytes):
    unreadable = _("无法读取该 Excel 文件，请确认它是 .xlsx 格式且未加密。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise FileRefused(_("Excel 文件解压后过大，请拆分后再导入。"))
        # data_only=False keeps formulas as formulas, so they can be seen and refused.
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise FileRefused(unreadable) from exc


def _xlsx_cell(cell):
    value = getattr(cell, "value", None)
    data_type = getattr(cell, "data_type", None)
    if data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        return BadCell(str(FORMULA))
    if data_type == "e":
        return BadCell(_("是 Excel 错误值 %(value)s", value=value))
    return value


def read_jsonl(data: bytes) -> Table:
    """One JSON object a line; the keys of all lines together make the header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(_("JSONL 文件必须是 UTF-8 编码。")) from exc
    headers: dict[str, None] = {}
    parsed = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            record, error = _json_record(raw)
            headers.update(dict.fromkeys(record))
            parsed.append((line, record, error))
    names = list(headers)
    rows = [SourceRow(line, [r.get(n) for n in names], error) for line, r, error in parsed]
    return Table(names, rows)


def _json_record(raw: str) -> tuple[dict, str | None]:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError:
        return {}, str(NOT_JSON)
    if not isinstance(record, dict):
        return {}, str(NOT_OBJECT)
    return {str(k): _json_value(v) for k, v in record.items()}, None


def _json_value(value):
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return value
    if isinstance(value, dict | list):
        return BadCell(_("不是文字、数字或文字列表"))
    return value


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""


FORMULA = _l("含公式（导入时不计算公式，请改为直接填写数值或文字）")
NOT_JSON = _l("不是有效的 JSON。")
NOT_OBJECT = _l('应是一个 JSON 对象（{"标题": …}）。')
READERS = {"csv": read_csv, "xlsx": read_xlsx, "jsonl": read_jsonl}
