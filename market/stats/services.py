"""The bureau's figures, summed by SQL over the ledger (never in Python loops).

Every figure is a SUM over ledger lines. A correction writes a reversal line (count -1, amounts
negated, the old revision's dimensions) and a replacement line (the new revision's dimensions),
so grouping the lines by any dimension gives the agreements' current figures exactly.

The drill-down behind a figure lists the agreements whose *current* line (revision equal to
the agreement's revision, not a reversal) passes the same filters; its exact Decimal sum is
the figure. One `Filters` value narrows every figure, the drill-down and the exports alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.orm import aliased, joinedload, selectinload

from market.accounts.models import COUNTIES, Organization, Role
from market.agreements.models import (
    CONTRACT_TYPE_LABELS,
    Agreement,
    AgreementParty,
    AgreementStatus,
    ContractType,
    LedgerEntry,
    LedgerKind,
)
from market.dockings.models import Docking, DockingStatus
from market.errors import DomainError
from market.events.models import Event
from market.extensions import db
from market.matching.models import Match
from market.money import Money
from market.postings.models import FIELDS, Posting, PostingKind
from market.timeutil import CHINA

ZERO = Decimal("0.00")
NONE = "-"  # the filter value (and group key) of lines without a county, field or event
DIMENSIONS = ("year", "quarter", "month", "county", "institute", "field", "type", "event")
DIMENSION_LABELS = {
    "year": _l("年度"),
    "quarter": _l("季度"),
    "month": _l("月份"),
    "county": _l("县（市、区）"),
    "institute": _l("科研机构"),
    "field": _l("产业领域"),
    "type": _l("合同类型"),
    "event": _l("活动"),
}
YEARS = (1990, 2100)
TEXT_MAX = 40


@dataclass(frozen=True)
class Totals:
    count: int
    amount: Decimal  # 万元, exactly two decimals
    tech_amount: Decimal = field(default=ZERO, compare=False)  # 技术交易额


# Filters


@dataclass(frozen=True)
class Filters:
    """What every figure is narrowed to; None means "all". NONE selects lines without a value."""

    start: date | None = None
    end: date | None = None
    year: int | None = None
    quarter: int | None = None
    month: int | None = None
    county: str | None = None
    institute: int | None = None
    field: str | None = None
    type: ContractType | None = None
    event: int | str | None = None  # an event id, or NONE for agreements from no event

    def period(self) -> tuple[date | None, date | None]:
        """The signing dates allowed, both ends inclusive: the tightest of range and calendar."""
        low, high = self.start, self.end
        if self.year is not None:
            first_month, last_month = 1, 12
            if self.quarter is not None:
                first_month, last_month = 3 * self.quarter - 2, 3 * self.quarter
            if self.month is not None:
                first_month = last_month = self.month
            first = date(self.year, first_month, 1)
            last = _month_end(self.year, last_month)
            low = first if low is None else max(low, first)
            high = last if high is None else min(high, last)
        return low, high

    def narrowed(self, **values) -> Filters:
        """These filters with some dimensions set (a group's key added for its drill-down)."""
        return replace(self, **values)

    def to_args(self) -> dict[str, str]:
        """URL query arguments that parse back into these filters."""
        args = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            args[f.name] = value.value if isinstance(value, ContractType) else str(value)
        return args


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def parse_filters(args: Mapping[str, str | None]) -> Filters:
    """Read filters from query arguments or CLI options; raise DomainError with Chinese text."""
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        return " ".join(str(args.get(name) or "").split())

    values = {
        "start": _date_arg(text("start"), "start", errors),
        "end": _date_arg(text("end"), "end", errors),
        "year": _int_arg(
            text("year"), "year", YEARS, _("年份应为 1990 到 2100 之间的数字。"), errors
        ),
        "quarter": _int_arg(text("quarter"), "quarter", (1, 4), _("季度应为 1 到 4。"), errors),
        "month": _int_arg(text("month"), "month", (1, 12), _("月份应为 1 到 12。"), errors),
        "county": _choice_arg(
            text("county"), "county", COUNTIES, _("没有“%(value)s”这个县（市、区）。"), errors
        ),
        "field": _choice_arg(
            text("field"), "field", FIELDS, _("没有“%(value)s”这个技术领域。"), errors
        ),
        "institute": _institute_arg(text("institute"), errors),
        "type": _type_arg(text("type"), errors),
        "event": _event_arg(text("event"), errors),
    }
    _check_period(values, errors)
    if errors:
        raise DomainError(_("筛选条件有误：%(detail)s", detail=" ".join(errors.values())), errors)
    return Filters(**values)


def _date_arg(value: str, name: str, errors: dict) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = _("日期“%(value)s”格式不正确，请写成 2024-01-31。", value=value)
        return None


def _int_arg(value: str, name: str, bounds: tuple[int, int], message: str, errors) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not bounds[0] <= int(value) <= bounds[1]:
        errors[name] = message
        return None
    return int(value)


def _choice_arg(value: str, name: str, choices, message: str, errors: dict) -> str | None:
    """One of the fixed choices, or NONE for lines that have no value."""
    if not value:
        return None
    if value != NONE and value not in choices:
        errors[name] = message % {"value": value[:TEXT_MAX]}
        return None
    return value


def _institute_arg(value: str, errors: dict) -> int | None:
    if not value:
        return None
    if value.isdigit():
        found = db.session.get(Organization, int(value))
    else:  # the CLI may name the institute
        found = db.session.scalar(select(Organization).where(Organization.name == value))
    if found is None:
        errors["institute"] = _("找不到科研机构“%(value)s”。", value=value)
        return None
    return found.id


def _type_arg(value: str, errors: dict) -> ContractType | None:
    if not value:
        return None
    for member in ContractType:
        if value in (member.value, member.name, str(CONTRACT_TYPE_LABELS[member])):
            return member
    errors["type"] = _("合同类型“%(value)s”不存在。", value=value)
    return None


def _event_arg(value: str, errors: dict) -> int | str | None:
    if not value:
        return None
    if value == NONE:
        return NONE
    if not value.isdigit() or db.session.get(Event, int(value)) is None:
        errors["event"] = _("找不到活动“%(value)s”。", value=value)
        return None
    return int(value)


def _check_period(values: dict, errors: dict) -> None:
    if values["start"] and values["end"] and values["start"] > values["end"]:
        errors["end"] = _("开始日期不能晚于结束日期。")
    if (values["quarter"] or values["month"]) and values["year"] is None and "year" not in errors:
        errors["year"] = _("按季度或月份筛选时，请同时选择年份。")
    quarter, month = values["quarter"], values["month"]
    if quarter and month and (month + 2) // 3 != quarter:
        errors["month"] = _("%(month)s月不在第%(quarter)s季度内。", month=month, quarter=quarter)


def _ledger_conditions(filters: Filters) -> list:
    """The WHERE clauses of these filters over ledger lines."""
    line = LedgerEntry
    low, high = filters.period()
    conditions = []
    if low is not None:
        conditions.append(line.signed_on >= low)
    if high is not None:
        conditions.append(line.signed_on <= high)
    for column, value in ((line.county, filters.county), (line.field, filters.field)):
        if value == NONE:
            conditions.append(column.is_(None))
        elif value is not None:
            conditions.append(column == value)
    if filters.institute is not None:
        conditions.append(line.institute_id == filters.institute)
    if filters.type is not None:
        conditions.append(line.contract_type == filters.type)
    if filters.event == NONE:
        conditions.append(line.event_id.is_(None))
    elif filters.event is not None:
        conditions.append(line.event_id == filters.event)
    return conditions


# Totals and breakdowns


def _sums():
    # Money binds Decimal amounts, so the empty-sum default is ZERO (0 cents), not int 0.
    return (
        func.coalesce(func.sum(LedgerEntry.count), 0),
        type_coerce(func.coalesce(func.sum(LedgerEntry.amount), ZERO), Money),
        type_coerce(func.coalesce(func.sum(LedgerEntry.tech_amount), ZERO), Money),
    )


def totals(filters: Filters | None = None) -> Totals:
    """Number of agreements, contract amount and technology part under these filters."""
    query = select(*_sums()).where(*_ledger_conditions(filters or Filters()))
    count, amount, tech = db.session.execute(query).one()
    return Totals(int(count), amount, tech)


def agreement_totals(year: int | None = None) -> Totals:
    """Number of agreements and their total amount, optionally for one signing year."""
    return totals(Filters(year=year))


@dataclass(frozen=True)
class Group:
    """One row of a breakdown: its key, what people read, its figures and its drill-down."""

    key: str
    label: str
    count: int
    amount: Decimal
    tech_amount: Decimal
    filters: Filters  # the breakdown's filters narrowed to this group


TIME_DIMENSIONS = ("year", "quarter", "month")
CATEGORY_DIMENSIONS = ("county", "institute", "field", "type", "event")


def _category_columns() -> dict[str, object]:
    line = LedgerEntry
    return {
        "county": line.county,
        "institute": line.institute_id,
        "field": line.field,
        "type": line.contract_type,
        "event": line.event_id,
    }


def _time_columns(day) -> dict[str, list]:
    """year, (year, quarter), (year, month) of a date column, as GROUP BY expressions."""
    year = cast(extract("year", day), Integer)
    month = cast(extract("month", day), Integer)
    return {"year": [year], "quarter": [year, (month + 2) // 3], "month": [year, month]}


def _figures(count, amount, tech) -> list:
    return [
        func.sum(count),
        type_coerce(func.sum(amount), Money),
        type_coerce(func.sum(tech), Money),
    ]


def _not_netted_out(count, amount):
    # A group whose lines cancel out (a correction moved its only agreement) is no group.
    return or_(func.sum(count) != 0, func.sum(amount) != ZERO)


def _grouped_one(by: str, filters: Filters) -> list[tuple]:
    """(values, count, amount, tech) per group of one dimension: one GROUP BY over the ledger."""
    line = LedgerEntry
    if by in TIME_DIMENSIONS:
        columns = _time_columns(line.signed_on)[by]
    else:
        columns = [_category_columns()[by]]
    query = (
        select(*columns, *_figures(line.count, line.amount, line.tech_amount))
        .where(*_ledger_conditions(filters))
        .group_by(*columns)
        .having(_not_netted_out(line.count, line.amount))
    )
    width = len(columns)
    return [(tuple(row[:width]), *row[width:]) for row in db.session.execute(query)]


def _grouping_sets(columns: list, sets: dict[str, list], query) -> dict[str, list[tuple]]:
    """Run a GROUPING SETS query; sort its rows by the set (dimension) they belong to."""
    width = len(columns)
    masks = {}
    for by, members in sets.items():
        positions = [i for m in members for i, column in enumerate(columns) if column is m]
        # GROUPING(...) sets a column's bit when the row is NOT grouped by that column.
        mask = sum(1 << (width - 1 - i) for i in range(width) if i not in positions)
        masks[mask] = (by, positions)
    rows: dict[str, list[tuple]] = {by: [] for by in sets}
    for row in db.session.execute(query):
        by, positions = masks[row[0]]
        values = tuple(row[1 + i] for i in positions)
        rows[by].append((values, *row[1 + width :]))
    return rows


def _grouped_together(dimensions: list[str], filters: Filters) -> dict[str, list[tuple]]:
    """PostgreSQL: every breakdown from two scans of the ledger (GROUPING SETS)."""
    line = LedgerEntry
    conditions = _ledger_conditions(filters)
    rows: dict[str, list[tuple]] = {}
    times = [by for by in dimensions if by in TIME_DIMENSIONS]
    if times:
        # Days first (a few thousand rows), then years, quarters and months from the days.
        days = (
            select(
                line.signed_on.label("day"),
                func.sum(line.count).label("c"),
                func.sum(line.amount).label("a"),
                func.sum(line.tech_amount).label("t"),
            )
            .where(*conditions)
            .group_by(line.signed_on)
            .subquery()
        )
        by_time = _time_columns(days.c.day)
        sets = {by: by_time[by] for by in times}
        # GROUPING() may only name columns that some requested set groups by.
        candidates = [by_time["year"][0], by_time["quarter"][1], by_time["month"][1]]
        used = [m for members in sets.values() for m in members]
        columns = [c for c in candidates if any(c is m for m in used)]
        query = (
            select(func.grouping(*columns), *columns, *_figures(days.c.c, days.c.a, days.c.t))
            .group_by(func.grouping_sets(*(tuple_(*sets[by]) for by in times)))
            .having(_not_netted_out(days.c.c, days.c.a))
        )
        rows |= _grouping_sets(columns, sets, query)
    categories = [by for by in dimensions if by in CATEGORY_DIMENSIONS]
    if categories:
        available = _category_columns()
        columns = [available[by] for by in categories]
        sets = {by: [available[by]] for by in categories}
        query = (
            select(
                func.grouping(*columns),
                *columns,
                *_figures(line.count, line.amount, line.tech_amount),
            )
            .where(*conditions)
            .group_by(func.grouping_sets(*(tuple_(c) for c in columns)))
            .having(_not_netted_out(line.count, line.amount))
        )
        rows |= _grouping_sets(columns, sets, query)
    return rows


def breakdowns(dimensions, filters: Filters | None = None) -> dict[str, list[Group]]:
    """Count and amounts per group of each dimension, summed by SQL over the ledger.

    PostgreSQL computes them all in two GROUPING SETS queries; elsewhere each dimension is one
    GROUP BY. Groups whose lines net out to nothing are left out. Time groups come oldest
    first, the others largest amount first.
    """
    dimensions = list(dimensions)
    unknown = [by for by in dimensions if by not in DIMENSIONS]
    if unknown:
        raise DomainError(_("未知的统计维度“%(by)s”。", by=unknown[0]))
    filters = filters or Filters()
    if db.engine.dialect.name == "postgresql":
        rows = _grouped_together(dimensions, filters)
    else:
        rows = {by: _grouped_one(by, filters) for by in dimensions}
    names = _names(rows)
    return {by: _groups(by, rows[by], filters, names) for by in dimensions}


def breakdown(by: str, filters: Filters | None = None) -> list[Group]:
    """Count and amounts per group of one dimension: a single GROUP BY over the ledger."""
    return breakdowns([by], filters)[by]


def _names(rows: dict[str, list[tuple]]) -> dict[str, dict[int, str]]:
    """The institutes' names and the events' titles the groups need (two small lookups)."""
    names: dict[str, dict[int, str]] = {"institute": {}, "event": {}}
    for by, column, label in (
        ("institute", Organization.id, Organization.name),
        ("event", Event.id, Event.title),
    ):
        ids = [row[0][0] for row in rows.get(by, []) if row[0][0] is not None]
        if ids:
            names[by] = dict(db.session.execute(select(column, label).where(column.in_(ids))).all())
    return names


def _groups(by: str, rows: list[tuple], filters: Filters, names: dict) -> list[Group]:
    groups = []
    for values, count, amount, tech in rows:
        key, label, narrowing = _describe(by, values, names)
        groups.append(Group(key, label, int(count), amount, tech, filters.narrowed(**narrowing)))
    if by in TIME_DIMENSIONS:
        groups.sort(key=lambda g: g.key)
    else:
        groups.sort(key=lambda g: (-g.amount, g.key))
    return groups


def _describe(by: str, values: tuple, names: dict) -> tuple[str, str, dict]:
    """A group's key (for URLs and scripts), its label and the filters that select it."""
    value = values[0]
    if by == "year":
        return str(value), _("%(year)s年", year=value), {"year": int(value)}
    if by == "quarter":
        year, quarter = int(values[0]), int(values[1])
        label = _("%(year)s年第%(quarter)s季度", year=year, quarter=quarter)
        return f"{year}-Q{quarter}", label, {"year": year, "quarter": quarter}
    if by == "month":
        year, month = int(values[0]), int(values[1])
        label = _("%(year)s年%(month)s月", year=year, month=month)
        return f"{year}-{month:02d}", label, {"year": year, "month": month}
    if by in ("county", "field"):
        return (value or NONE), (value or _("未填写")), {by: value or NONE}
    if by == "type":
        member = value if isinstance(value, ContractType) else ContractType(value)
        return member.value, str(CONTRACT_TYPE_LABELS[member]), {"type": member}
    if value is None:  # an event
        return NONE, _("未关联活动"), {"event": NONE}
    label = names[by].get(value, f"#{value}")
    return str(value), label, {by: int(value)}


# Drill-down


@dataclass(frozen=True)
class AgreementLine:
    """An agreement behind a figure, with the figures of its current ledger line."""

    id: int
    title: str
    signed_on: date
    company: str
    institute: str
    county: str | None
    field: str | None
    contract_type: ContractType
    event: str | None
    amount: Decimal
    tech_amount: Decimal

    @property
    def type_label(self) -> str:
        return str(CONTRACT_TYPE_LABELS[self.contract_type])


def _current_lines_query(filters: Filters):
    company = aliased(Organization)
    institute = aliased(Organization)
    line = LedgerEntry
    return (
        select(
            Agreement.id,
            Agreement.title,
            line.signed_on,
            company.name,
            institute.name,
            line.county,
            line.field,
            line.contract_type,
            Event.title,
            line.amount,
            line.tech_amount,
        )
        .select_from(line)
        .join(
            Agreement,
            and_(
                Agreement.id == line.agreement_id,
                Agreement.revision == line.revision,
                line.kind != LedgerKind.REVERSAL,
            ),
        )
        .join(company, company.id == line.company_id)
        .join(institute, institute.id == line.institute_id)
        .outerjoin(Event, Event.id == line.event_id)
        .where(*_ledger_conditions(filters))
    )


def drill_down(
    filters: Filters | None = None, *, limit: int | None = None, offset: int = 0
) -> list[AgreementLine]:
    """The agreements behind a figure, newest first; their amounts add up to the figure."""
    query = _current_lines_query(filters or Filters()).order_by(
        LedgerEntry.signed_on.desc(), Agreement.id.desc()
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [AgreementLine(*row) for row in db.session.execute(query)]


# The funnel


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    count: int
    rate: Decimal | None  # percent of the previous stage, one decimal
    overall: Decimal | None  # percent of the first stage


FUNNEL_STAGES = (
    ("published", _l("发布的技术需求")),
    ("matched", _l("已有匹配")),
    ("requested", _l("提出对接")),
    ("accepted", _l("对接洽谈")),
    ("signed", _l("签约")),
)
# The funnel follows technical problems: institutes, contract types and events are not theirs.
FUNNEL_FILTERS = ("start", "end", "year", "quarter", "month", "county", "field")


def _published_between(filters: Filters) -> list:
    low, high = filters.period()
    conditions = []
    sqlite = db.engine.dialect.name == "sqlite"  # SQLite keeps naive UTC times
    for bound, op in ((low, "ge"), (high + timedelta(days=1) if high else None, "lt")):
        if bound is None:
            continue
        moment = datetime.combine(bound, time(), CHINA).astimezone(UTC)
        moment = moment.replace(tzinfo=None) if sqlite else moment
        column = Posting.published_at
        conditions.append(column >= moment if op == "ge" else column < moment)
    return conditions


def funnel(filters: Filters | None = None) -> list[Stage]:
    """Problems published in the period, and how many got matches, 对接 and a contract."""
    return _stages(_funnel_counts(filters or Filters()))


def _funnel_counts(filters: Filters) -> list[int]:
    # Each source is reduced to one row per problem first, then joined once to the problems.
    matched = select(Match.demand_id.label("id")).distinct().subquery("matched")
    talking = Docking.status.in_([DockingStatus.ACCEPTED, DockingStatus.SIGNED])
    dockings = (
        select(
            Docking.demand_id.label("id"),
            func.max(case((talking, 1), else_=0)).label("accepted"),
            func.max(case((Docking.status == DockingStatus.SIGNED, 1), else_=0)).label("signed"),
        )
        .group_by(Docking.demand_id)
        .subquery("docked")
    )
    contracts = (
        select(Agreement.problem_id.label("id"))
        .where(Agreement.problem_id.is_not(None), Agreement.status == AgreementStatus.RECORDED)
        .distinct()
        .subquery("contracted")
    )
    # A contract on the problem means its parties asked for and agreed to talk, so the 对接
    # stages include the later ones and the funnel narrows from "requested" to "signed".
    contract = contracts.c.id.is_not(None)
    stages = {
        "published": literal(True),
        "matched": matched.c.id.is_not(None),
        "requested": or_(dockings.c.id.is_not(None), contract),
        "accepted": or_(dockings.c.accepted == 1, contract),
        "signed": or_(dockings.c.signed == 1, contract),
    }
    query = (
        select(*(func.coalesce(func.sum(case((c, 1), else_=0)), 0) for c in stages.values()))
        .select_from(Posting)
        .outerjoin(matched, matched.c.id == Posting.id)
        .outerjoin(dockings, dockings.c.id == Posting.id)
        .outerjoin(contracts, contracts.c.id == Posting.id)
        .where(
            Posting.kind == PostingKind.PROBLEM,
            Posting.published_at.is_not(None),
            *_published_between(filters),
        )
    )
    query = _funnel_organisation(query, filters)
    return [int(c) for c in db.session.execute(query).one()]


def _funnel_organisation(query, filters: Filters):
    if filters.field == NONE:
        return query.where(literal(False))  # every problem has a field
    if filters.field is not None:
        query = query.where(Posting.field == filters.field)
    if filters.county is not None:
        query = query.join(Organization, Organization.id == Posting.organization_id)
        county = Organization.county
        query = query.where(
            county.is_(None) if filters.county == NONE else county == filters.county
        )
    return query


def _stages(counts: list[int]) -> list[Stage]:
    stages, previous, first = [], None, counts[0] if counts else 0
    for (key, label), count in zip(FUNNEL_STAGES, counts, strict=True):
        rate = None if previous is None else percent(count, previous)
        overall = None if previous is None else percent(count, first)
        stages.append(Stage(key, str(label), count, rate, overall))
        previous = count
    return stages


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal, or None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def funnel_ignores(filters: Filters) -> list[str]:
    """The names of the set filters the funnel cannot apply."""
    return [name for name in filters.to_args() if name not in FUNNEL_FILTERS]


# The whole dashboard


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    totals: Totals
    breakdowns: dict[str, list[Group]]
    funnel: list[Stage]

    @property
    def trend_by(self) -> str:
        """Months within one year, else years."""
        return "month" if self.filters.year is not None else "year"


def dashboard(filters: Filters | None = None) -> Dashboard:
    """Every figure of the bureau's dashboard under one set of filters.

    On PostgreSQL the funnel (problems, matches, 对接: no ledger figure) is counted on a
    second connection while this one sums the ledger, so the two use both cores.
    """
    filters = filters or Filters()
    if db.engine.dialect.name != "postgresql":
        return Dashboard(filters, totals(filters), breakdowns(DIMENSIONS, filters), funnel(filters))
    with ThreadPoolExecutor(max_workers=1) as pool:
        counts = pool.submit(_in_own_app_context(current_app._get_current_object()), filters)
        figures, groups = totals(filters), breakdowns(DIMENSIONS, filters)
        return Dashboard(filters, figures, groups, _stages(counts.result()))


def _in_own_app_context(app):
    def count(filters: Filters) -> list[int]:
        with app.app_context():  # its own session and connection
            try:
                return _funnel_counts(filters)
            finally:
                db.session.remove()

    return count


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The values each filter of the form offers (cheap: no scan of the ledger)."""
    first, last = db.session.execute(
        select(func.min(LedgerEntry.signed_on), func.max(LedgerEntry.signed_on))
    ).one()  # both from the signed_on index
    years = range(last.year, first.year - 1, -1) if first else []
    institutes = db.session.execute(
        select(Organization.id, Organization.name)
        .where(Organization.kind == Role.INSTITUTE)
        .order_by(Organization.name)
    ).all()
    events = db.session.execute(select(Event.id, Event.title).order_by(Event.starts_at.desc()))
    return {
        "year": [(str(y), str(y)) for y in years],
        "county": [(c, c) for c in COUNTIES],
        "field": [(f, f) for f in FIELDS],
        "institute": [(str(i), name) for i, name in institutes],
        "event": [(str(i), title) for i, title in events],
        "type": [(t.value, str(label)) for t, label in CONTRACT_TYPE_LABELS.items()],
    }


def recent_agreements(limit: int = 10) -> list[Agreement]:
    """The latest submitted agreements, recorded or still waiting for the worker."""
    query = (
        select(Agreement)
        .options(
            selectinload(Agreement.parties).joinedload(AgreementParty.organization),
            joinedload(Agreement.company),
            joinedload(Agreement.institute),
        )
        .order_by(Agreement.id.desc())
        .limit(limit)
    )
    return db.session.scalars(query).all()


PUBLIC_DIMENSIONS = ("year", "field", "county", "type")


def public_summary() -> Dashboard:
    """What anyone may see: totals and the breakdowns that name no person or organisation."""
    filters = Filters()
    return Dashboard(
        filters=filters,
        totals=totals(filters),
        breakdowns=breakdowns(PUBLIC_DIMENSIONS, filters),
        funnel=[],
    )
