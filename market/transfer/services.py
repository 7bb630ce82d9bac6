"""Import a file of postings all or nothing: check every row first, then store them all.

Imported postings are published at once (the bureau vouches for the file) and indexed after
the commit. A row whose 编号 (ref) already exists updates that posting instead of adding a
second one. The caller commits with `outbox.commit()` when `report.imported`, and otherwise
rolls back; a dry run and a refused run have written nothing in the first place.

Defaults: a missing or empty 有效期 becomes today + 365 days. A file without a 领域 column at
all (such as shared research data) files its new postings under "其他"; a 领域 column that is
present must name a known field (or a listed alias) in every row.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from market import outbox
from market.accounts.models import COUNTIES, Organization, Role, User
from market.errors import DomainError, PermissionDenied
from market.extensions import db
from market.postings.fields import LIST_SPLIT
from market.postings.models import MATURITY_LEVELS, Posting, PostingKind, PostingStatus
from market.postings.services import (
    KIND_FIELDS,
    create_posting,
    update_posting_fields,
    validate_posting,
)
from market.templating import label
from market.timeutil import today, utcnow
from market.transfer import columns as cols
from market.transfer.readers import FORMULA_STARTS, BadCell, FileRefused, SourceRow, read_table

log = logging.getLogger(__name__)

DEFAULT_VALID_DAYS = 365
DEFAULT_FIELD = "其他"
DEFAULT_PROBLEM_COOPERATION = "合作开发"
REF_MAX = 40
ORG_NAME_MAX = 120
OWNER_ROLES = {
    PostingKind.PROBLEM: Role.ENTERPRISE,
    PostingKind.TALENT: Role.ENTERPRISE,
    PostingKind.RESULT: Role.INSTITUTE,
    PostingKind.EXPERT: Role.INSTITUTE,
    PostingKind.EQUIPMENT: Role.INSTITUTE,
}
DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass
class RowProblem:
    line: int
    messages: list[str]


@dataclass
class ImportReport:
    """What an import found and did (or, in a dry run, would do)."""

    kind: PostingKind
    filename: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    new_organizations: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def imported(self) -> bool:
        """True when rows were stored and the caller should commit."""
        return self.ok and not self.dry_run


@dataclass
class PlannedRow:
    line: int
    ref: str | None
    data: dict
    organization: str
    county: str | None
    existing: Posting | None


def import_postings(
    kind: PostingKind | str,
    filename: str,
    content: bytes,
    *,
    dry_run: bool = False,
    actor: User | None = None,
) -> ImportReport:
    """Check every row of the file and, unless a dry run or any row is bad, store them all."""
    if actor is not None and not actor.is_bureau:
        raise PermissionDenied(_("只有科技局工作人员可以导入。"))
    kind = PostingKind(kind)
    table = read_table(filename, content)
    mapping, ignored = cols.match_headers(kind, table.headers)
    check_columns(table.headers, mapping)
    if not table.rows:
        raise FileRefused(_("文件只有表头，没有数据行。"))
    report = ImportReport(kind, filename, dry_run, rows=len(table.rows), ignored_columns=ignored)
    headers = {name: str(table.headers[pos]).strip() for pos, name in mapping.items()}
    plan = plan_rows(kind, table.rows, mapping, headers, report)
    if report.ok and not dry_run:
        store_rows(kind, plan, report)
    who = actor.email if actor is not None else "the command line"
    log.info(
        "import of %s (%s) by %s: %d rows, %d new, %d updated, %d bad%s",
        filename,
        kind.value,
        who,
        report.rows,
        report.created,
        report.updated,
        len(report.problems),
        " (dry run)" if dry_run else "",
    )
    return report


def check_columns(headers: list, mapping: dict[int, str]) -> None:
    """Refuse a file whose header names no field, misses a required one or names one twice."""
    if not mapping:
        raise FileRefused(
            _(
                "没有识别出任何列名：第一行应是列名，"
                "如“标题、详细描述、单位”或 title、body、institute。"
            )
        )
    seen: dict[str, str] = {}
    for position, name in mapping.items():
        header = str(headers[position]).strip()
        if name in seen:
            raise FileRefused(
                _(
                    "“%(a)s”和“%(b)s”两列表示同一项内容，请只保留一列。",
                    a=seen[name],
                    b=header,
                )
            )
        seen[name] = header
    missing = [str(cols.FIELD_LABELS[n]) for n in cols.REQUIRED if n not in seen]
    if missing:
        raise FileRefused(_("缺少必需的列：%(names)s。", names="、".join(missing)))


def plan_rows(
    kind: PostingKind,
    rows: list[SourceRow],
    mapping: dict[int, str],
    headers: dict[str, str],
    report: ImportReport,
) -> list[PlannedRow]:
    """Check every row and record each bad one with all its reasons; return the good ones."""
    lookups = Lookups.load(rows, mapping)
    seen_refs: dict[str, int] = {}
    plan = []
    for row in rows:
        errors: list[str] = []
        planned = plan_row(kind, row, mapping, headers, lookups, seen_refs, errors)
        if errors:
            report.problems.append(RowProblem(row.line, errors))
        else:
            plan.append(planned)
            if planned.existing is None:
                report.created += 1
            else:
                report.updated += 1
    report.new_organizations = sorted(lookups.new_organizations)
    return plan


@dataclass
class Lookups:
    """Existing postings by ref and organisations by name, read once for the whole file."""

    postings: dict[str, Posting]
    organizations: dict[str, Organization]
    new_organizations: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, rows: list[SourceRow], mapping: dict[int, str]) -> Lookups:
        refs = _column_texts(rows, mapping, "ref")
        names = _column_texts(rows, mapping, cols.ORGANIZATION)
        postings = _in_chunks(Posting, Posting.ref, refs)
        organizations = _in_chunks(Organization, Organization.name, names)
        return cls({p.ref: p for p in postings}, {o.name: o for o in organizations})


def _column_texts(rows: list[SourceRow], mapping: dict[int, str], name: str) -> set[str]:
    positions = [pos for pos, n in mapping.items() if n == name]
    values = {_text(r.values[p]) for r in rows for p in positions if p < len(r.values)}
    return {v for v in values if v}


def _in_chunks(model, column, values: set[str], size: int = 500) -> list:
    found, ordered = [], sorted(values)
    for start in range(0, len(ordered), size):
        found += db.session.scalars(select(model).where(column.in_(ordered[start : start + size])))
    return found


def plan_row(
    kind: PostingKind,
    row: SourceRow,
    mapping: dict[int, str],
    headers: dict[str, str],
    lookups: Lookups,
    seen_refs: dict[str, int],
    errors: list[str],
) -> PlannedRow | None:
    """Turn one row into what will be stored, adding every problem found to `errors`."""
    if row.error:
        errors.append(row.error)
        return None
    cells = row_cells(row, mapping, headers, errors)
    check_kind_column(kind, cells.pop("kind", None), errors)
    ref = check_ref(kind, cells.pop("ref", None), row.line, lookups, seen_refs, errors)
    existing = lookups.postings.get(ref) if ref else None
    organization = _text(cells.pop(cols.ORGANIZATION, None))
    county = _text(cells.pop(cols.COUNTY, None)) or None
    check_organization(kind, organization, county, lookups, errors)
    data = posting_data(kind, cells, headers, existing is None, errors)
    if errors:
        return None
    try:
        validate_posting(kind, data, partial=existing is not None)
    except DomainError as error:
        errors.extend(error.errors.values() or [error.message])
        return None
    return PlannedRow(row.line, ref, data, organization, county, existing)


def row_cells(row: SourceRow, mapping: dict[int, str], headers: dict, errors: list) -> dict:
    """The row's values by field name, cleaned; formulas and error values are refused."""
    cells = {}
    for position, name in mapping.items():
        value = row.values[position] if position < len(row.values) else None
        if isinstance(value, BadCell):
            errors.append(_("“%(column)s”%(reason)s。", column=headers[name], reason=value.reason))
            continue
        if name not in cols.READ_ONLY:
            cells[name] = clean_cell(value)
    return cells


def clean_cell(value):
    """Plain values: trimmed text, whole numbers as int, Excel's escaping apostrophe removed."""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
            value = value[1:]  # our exports escape cells Excel would run as formulas
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [clean_cell(v) for v in value if clean_cell(v) is not None]
    return value


def _text(value) -> str:
    value = clean_cell(value)
    if value is None or isinstance(value, BadCell):
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def check_kind_column(kind: PostingKind, value, errors: list) -> None:
    """A 类型 column (from an export of all kinds) must name the kind being imported."""
    if value is None:
        return
    named = {k.value: k.value for k in PostingKind} | {t: k for k, t in cols.KIND_TEXT.items()}
    if named.get(_text(value)) != kind.value:
        message = _("类型“%(value)s”与导入的类型“%(kind)s”不符。", value=value, kind=label(kind))
        errors.append(message)


def check_ref(
    kind: PostingKind,
    value,
    line: int,
    lookups: Lookups,
    seen_refs: dict[str, int],
    errors: list,
) -> str | None:
    """The row's 编号: unique in the file, and if it exists already, of the same kind."""
    ref = _text(value)
    if not ref:
        return None
    if len(ref) > REF_MAX:
        errors.append(_("编号不能超过 %(n)d 个字符。", n=REF_MAX))
    elif ref in seen_refs:
        errors.append(_("编号“%(ref)s”与第 %(line)d 行重复。", ref=ref, line=seen_refs[ref]))
    else:
        seen_refs[ref] = line
    existing = lookups.postings.get(ref)
    if existing is not None and existing.kind != kind:
        errors.append(
            _(
                "编号“%(ref)s”已被一条%(other)s使用，不能作为%(kind)s导入。",
                ref=ref,
                other=label(existing.kind),
                kind=label(kind),
            )
        )
    return ref


def check_organization(
    kind: PostingKind, name: str, county: str | None, lookups: Lookups, errors: list
) -> None:
    """The owner: named, of the right kind if it exists, in one of Xuchang's counties."""
    if county and county not in COUNTIES:
        errors.append(_("所在县区“%(county)s”不是许昌市的县（市、区）。", county=county))
    if not name:
        errors.append(_("请填写单位名称。"))
        return
    if len(name) > ORG_NAME_MAX:
        errors.append(_("单位名称不能超过 %(n)d 个字。", n=ORG_NAME_MAX))
        return
    organization = lookups.organizations.get(name)
    if organization is None:
        lookups.new_organizations.add(name)
    elif organization.kind != OWNER_ROLES[kind]:
        errors.append(
            _(
                "单位“%(name)s”已以%(role)s身份注册，不能发布%(kind)s。",
                name=name,
                role=label(organization.kind),
                kind=label(kind),
            )
        )


def posting_data(kind: PostingKind, cells: dict, headers: dict, new: bool, errors: list) -> dict:
    """The values validate_posting takes, with the importer's defaults and aliases applied."""
    data = {name: cells[name] for name in KIND_FIELDS[kind] if name in cells}
    if "field" in headers:
        data["field"] = field_value(data.get("field"))
    elif new:
        data["field"] = DEFAULT_FIELD  # no 领域 column at all, e.g. shared research data
    if "valid_until" in headers or new:
        data["valid_until"] = valid_until_value(data.get("valid_until"), headers, errors)
    if kind == PostingKind.PROBLEM and new and "cooperation" not in headers:
        data["cooperation"] = DEFAULT_PROBLEM_COOPERATION  # no 合作方式 column at all
    if "cooperation" in data:
        data["cooperation"] = cooperation_value(data["cooperation"])
    if "cooperation_modes" in data:
        data["cooperation_modes"] = cooperation_modes_value(data["cooperation_modes"])
    if "maturity" in data:
        data["maturity"] = maturity_value(data["maturity"])
    if "visibility" in data:
        data["visibility"] = visibility_value(data["visibility"])
    return data


def field_value(value):
    """A known field, also when the file calls it by a listed alias."""
    text = _text(value)
    return cols.FIELD_ALIASES.get(text, text) or None


def cooperation_value(value):
    """A mode, also when the file calls it by a listed alias (技术服务 is 技术咨询)."""
    text = _text(value)
    return cols.COOPERATION_ALIASES.get(text, text) or None


def cooperation_modes_value(value):
    """Modes from a list or from text such as "技术转让、技术服务", aliases resolved."""
    items = value if isinstance(value, list) else LIST_SPLIT.split(_text(value))
    modes = [cooperation_value(item) for item in items]
    return list(dict.fromkeys(m for m in modes if m)) or None


def maturity_value(value):
    """A level, also when written with 阶段 (中试阶段 is 中试)."""
    text = _text(value)
    stripped = text.removesuffix("阶段")
    return stripped if stripped in MATURITY_LEVELS else text or None


def visibility_value(value):
    """The file's Chinese label (公开, 仅科研机构可见, 匿名) or the stored value."""
    text = _text(value)
    return cols.VISIBILITY_BY_LABEL.get(text, text) or None


def valid_until_value(value, headers: dict, errors: list):
    """A date from a cell (Excel date, 2026-05-01, 2026/5/1, 2026年5月1日); empty: a year on."""
    if value is None or value == "":
        return today() + timedelta(days=DEFAULT_VALID_DAYS)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_PATTERN.match(unicodedata.normalize("NFKC", str(value)).strip())
    try:
        return date(*(int(g) for g in match.groups())) if match else date.fromisoformat(value)
    except (TypeError, ValueError):
        column = cols.label_for("valid_until", headers)
        errors.append(
            _(
                "%(column)s：“%(value)s”不是有效日期，请写成 2026-05-01。",
                column=column,
                value=value,
            )
        )
        return None


INDEX_BATCH = 200


def store_rows(kind: PostingKind, plan: list[PlannedRow], report: ImportReport) -> None:
    """Create or update every planned posting, published; stop at the first refusal."""
    organizations: dict[str, Organization] = {}
    stored: list[int] = []
    for planned in plan:
        owner = owner_organization(kind, planned, organizations)
        try:
            if planned.existing is None:
                posting = create_posting(
                    kind,
                    planned.data,
                    organization=owner,
                    status=PostingStatus.PUBLISHED,
                    index=False,
                )
                posting.ref = planned.ref
            else:
                posting = republish(planned.existing, owner, planned.data)
        except DomainError as error:  # checked already; kept so a refusal can never half-import
            report.problems.append(RowProblem(planned.line, list(error.errors.values())))
            return
        stored.append(posting.id)
    db.session.flush()
    # One index commit per batch instead of one per posting (about 20 times faster).
    for start in range(0, len(stored), INDEX_BATCH):
        outbox.defer("worker.tasks.index_postings", stored[start : start + INDEX_BATCH])


def republish(posting: Posting, owner: Organization, data: dict) -> Posting:
    """Apply the file's values to an existing posting and publish it as confirmed today."""
    posting.organization = owner
    if posting.status != PostingStatus.PUBLISHED:
        posting.status = PostingStatus.PUBLISHED
        posting.published_at = utcnow()
    posting.last_confirmed_at = utcnow()
    return update_posting_fields(posting, data, index=False)  # indexed with its batch


def owner_organization(kind: PostingKind, planned: PlannedRow, cache: dict) -> Organization:
    """The organisation named in the row, created (with its county) the first time it is seen."""
    name = planned.organization
    if name not in cache:
        organization = db.session.scalar(select(Organization).where(Organization.name == name))
        if organization is None:
            organization = Organization(name=name, kind=OWNER_ROLES[kind], county=planned.county)
            db.session.add(organization)
            log.info("organisation %s created by an import", name)
        cache[name] = organization
    return cache[name]
