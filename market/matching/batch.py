"""Batch matching for 对接会 and evaluation: problems with their best research results.

The ranking is the pages' own: `compute_matches` stores a problem's matches and `matches_for`
reads them back best first; this module only keeps the results and words the reasons. It
serves `market match` (JSON lines or a spreadsheet) and the bureau's match overview page.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from market.accounts.models import Role
from market.errors import DomainError
from market.extensions import db
from market.matching.models import Match
from market.matching.reasons import match_reasons
from market.matching.services import compute_matches, index_store, matches_for
from market.postings.models import Posting, PostingKind, Problem, Visibility
from market.postings.visibility import company_name, county

DEFAULT_LIMIT = 10
REASON_SEPARATOR = "；"


@dataclass(frozen=True)
class RankedResult:
    """One research result in a problem's list, with the stored match that placed it."""

    rank: int
    result: Posting
    match: Match
    reasons: list[str]

    @property
    def strength(self) -> float:
        """匹配度 as the pages show it: the share of the problem's core terms covered, 0..1."""
        return round(float(self.match.strength), 4)


@dataclass(frozen=True)
class ProblemMatches:
    problem: Problem
    results: list[RankedResult]


class CommandLineOperator:
    """Who reads what `market match` writes: the bureau's operator, who may see every company.

    Passed to the visibility rules as the viewer, so the command decides nothing on its own.
    """

    is_authenticated = True
    is_bureau = True
    role = Role.BUREAU
    organization_id = None


def posting_ref(posting: Posting) -> str:
    """The posting's 编号, or "#<id>" for one without."""
    return posting.ref or f"#{posting.id}"


def visible_problems_query():
    """Visible problems (published, not expired: `Posting.is_visible` in SQL), oldest first."""
    return select(Problem).where(Problem.is_visible).order_by(Problem.id)


def visible_problems() -> list[Problem]:
    """Every problem that may be matched now."""
    return list(db.session.scalars(visible_problems_query()))


def problems_by_ref(refs: Iterable[str]) -> list[Problem]:
    """The named problems in the order given; DomainError names any unknown or hidden one."""
    problems, errors = [], []
    for ref in refs:
        problem = _problem_by_ref(ref.strip())
        if problem is None:
            errors.append(_("没有编号为“%(ref)s”的技术需求。", ref=ref))
        elif not problem.is_visible:
            errors.append(_("技术需求“%(ref)s”未发布或已过期，不能匹配。", ref=ref))
        elif problem not in problems:
            problems.append(problem)
    if errors:
        raise DomainError("；".join(errors))
    return problems


def _problem_by_ref(ref: str) -> Problem | None:
    if ref.startswith("#") and ref[1:].isdigit():
        return db.session.get(Problem, int(ref[1:]))
    return db.session.scalar(select(Problem).where(Problem.ref == ref))


def index_is_empty() -> bool:
    """True before the first `market index rebuild` of a fresh instance (no worker indexed)."""
    return index_store().doc_count() == 0


def match_problems(
    problems: Iterable[Problem],
    limit: int = DEFAULT_LIMIT,
    after_each: Callable[[], None] | None = None,
) -> Iterator[ProblemMatches]:
    """Recompute each problem's matches (no notifications) and yield its top results.

    `after_each` runs once a problem's matches are stored (the command commits there, so a
    long run keeps what it did and holds no long write transaction).
    """
    for problem in problems:
        compute_matches(problem.id, notify_parties=False)
        if after_each is not None:
            after_each()
        yield ProblemMatches(problem, top_results(problem, limit))


def top_results(problem: Problem, limit: int = DEFAULT_LIMIT) -> list[RankedResult]:
    """The problem's stored matches with research results, best first, as its page ranks them."""
    pairs = [(m, other) for m, other in matches_for(problem) if other.kind == PostingKind.RESULT]
    return [
        RankedResult(rank, result, match, match_reasons(match))
        for rank, (match, result) in enumerate(pairs[:limit], start=1)
    ]


def stored_matches(problems: Iterable[Problem], limit: int = DEFAULT_LIMIT):
    """Each problem with its stored top results, without recomputing (what the page shows)."""
    return [ProblemMatches(p, top_results(p, limit)) for p in problems]


# --- JSON lines -------------------------------------------------------------------------------


def json_line(entry: ProblemMatches) -> str:
    """`{"problem": ref, "matches": [{"result": ref, "score": 匹配度, "reasons": [...]}]}`."""
    record = {
        "problem": posting_ref(entry.problem),
        "matches": [
            {"result": posting_ref(r.result), "score": r.strength, "reasons": r.reasons}
            for r in entry.results
        ],
    }
    return json.dumps(record, ensure_ascii=False)


# --- the bureau's spreadsheet -----------------------------------------------------------------

SHEET_COLUMNS = (  # header, width in characters
    ("需求编号", 12),
    ("需求名称", 36),
    ("企业", 28),
    ("所在县区", 10),
    ("排名", 6),
    ("成果编号", 12),
    ("成果名称", 40),
    ("科研机构", 28),
    ("匹配度", 9),
    ("匹配理由", 70),
)


def company_text(viewer, problem: Problem) -> str:
    """The company as this viewer may see it; an anonymous one the bureau sees is marked so."""
    name = company_name(viewer, problem)
    if problem.visibility == Visibility.ANONYMOUS and name == problem.organization.name:
        return _("%(name)s（匿名需求，勿向他方透露）", name=name)
    return name


def sheet_rows(entries: Iterable[ProblemMatches], viewer) -> Iterator[list]:
    """One row per (problem, result); a problem without matches still gets one row."""
    for entry in entries:
        problem = entry.problem
        head = [
            posting_ref(problem),
            problem.title,
            company_text(viewer, problem),
            county(viewer, problem) or "",
        ]
        if not entry.results:
            yield [*head, None, "", _("暂无匹配成果"), "", None, ""]
        for ranked in entry.results:
            yield [
                *head,
                ranked.rank,
                posting_ref(ranked.result),
                ranked.result.title,
                ranked.result.organization.name,
                ranked.strength,
                REASON_SEPARATOR.join(ranked.reasons),
            ]


def to_xlsx(entries: Iterable[ProblemMatches], viewer) -> bytes:
    """The sheet for the bureau: Chinese headers, frozen header row, 匹配度 as a percentage."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("匹配结果"))
    for position, (_header, width) in enumerate(SHEET_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, header) for header, _width in SHEET_COLUMNS])
    for row in sheet_rows(entries, viewer):
        sheet.append([_cell(sheet, position, value) for position, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


STRENGTH_COLUMN = 8
REASONS_COLUMN = 9


def _bold(sheet, header: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=header)
    cell.font = Font(bold=True)
    return cell


def _cell(sheet, position: int, value):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
        # A string cell is never evaluated, but one starting with "=" reads back as a formula.
        value = "'" + value if value.startswith("=") else value
    cell = WriteOnlyCell(sheet, value=value)
    if position == STRENGTH_COLUMN and value is not None:
        cell.number_format = "0%"
    if position == REASONS_COLUMN:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell
