"""The bureau's dashboard, drill-down and exports, and the public summary (大屏)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file, url_for
from flask_babel import gettext as _

from market import spreadsheets
from market.auth import bureau_required
from market.errors import DomainError
from market.notifications.services import failed_emails
from market.stats import exports, services
from market.stats.services import DIMENSION_LABELS, DIMENSIONS, Filters, parse_filters
from market.timeutil import today

bp = Blueprint("stats", __name__)

PAGE_SIZE = 100
FORMATS = ("csv", "xlsx")


def _filters() -> tuple[Filters, DomainError | None]:
    try:
        return parse_filters(request.args), None
    except DomainError as error:
        return Filters(), error


def _page_context(filters: Filters, error: DomainError | None) -> dict:
    return {
        "filters": filters,
        "args": request.args,
        "error": error,
        "choices": services.filter_choices(),
        "dimension_labels": DIMENSION_LABELS,
        "chart_titles": _chart_titles(),
    }


def _chart_titles() -> dict[str, str]:
    titles = {
        by: _("按%(dimension)s的合同金额", dimension=label)
        for by, label in DIMENSION_LABELS.items()
    }
    titles["trend"] = _("合同金额与项数")
    titles["funnel"] = _("从技术需求到签约")
    return titles


@bp.route("/stats/dashboard")
@bp.route("/bureau/dashboard", endpoint="dashboard_old_address")
@bureau_required
def dashboard():
    filters, error = _filters()
    context = _page_context(filters, error)
    if error is not None:
        return render_template("stats/dashboard.html", board=None, **context), 400
    board = services.dashboard(filters)
    links = {
        by: [url_for("stats.agreements", **g.filters.to_args()) for g in groups]
        for by, groups in board.breakdowns.items()
    }
    return render_template(
        "stats/dashboard.html",
        board=board,
        links=links,
        charts=_charts(board, links),
        ignored=services.funnel_ignores(filters),
        agreements=services.recent_agreements(),
        failed=failed_emails(),
        **context,
    )


def _charts(board: services.Dashboard, links: dict[str, list[str]]) -> dict:
    """What the page's ECharts draw: labels, counts, amounts and each bar's drill-down."""

    def series(by, groups):
        return {
            "labels": [g.label for g in groups],
            "counts": [g.count for g in groups],
            "amounts": [str(g.amount) for g in groups],
            "links": links[by],
        }

    charts = {by: series(by, groups) for by, groups in board.breakdowns.items()}
    charts["trend"] = charts[board.trend_by]
    return charts


@bp.route("/stats/agreements")
@bureau_required
def agreements():
    filters, error = _filters()
    context = _page_context(filters, error)
    if error is not None:
        return render_template("stats/agreements.html", lines=[], totals=None, **context), 400
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    totals = services.totals(filters)
    lines = services.drill_down(filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max((totals.count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template(
        "stats/agreements.html", lines=lines, totals=totals, page=page, pages=pages, **context
    )


@bp.route("/stats/dashboard.<fmt>")
@bureau_required
def dashboard_export(fmt: str):
    filters = _valid_filters()
    board = services.dashboard(filters)
    if fmt == "xlsx":
        return _send(spreadsheets.to_xlsx(exports.dashboard_sheets(board)), _("统计总表"), fmt)
    return _send(_one(exports.dashboard_flat_sheet(board), fmt), _("统计总表"), fmt)


@bp.route("/stats/breakdown.<fmt>")
@bureau_required
def breakdown_export(fmt: str):
    by = request.args.get("by", "year")
    if by not in DIMENSIONS:
        raise DomainError(_("未知的统计维度“%(by)s”。", by=by))
    filters = _valid_filters()
    sheet = exports.breakdown_sheet(by, services.breakdown(by, filters))
    name = _("按%(dimension)s统计", dimension=DIMENSION_LABELS[by])
    return _send(_one(sheet, fmt), name, fmt)


@bp.route("/stats/agreements.<fmt>")
@bureau_required
def agreements_export(fmt: str):
    filters = _valid_filters()
    sheet = exports.agreements_sheet(services.drill_down(filters))
    return _send(_one(sheet, fmt), _("合同明细"), fmt)


def _valid_filters() -> Filters:
    if request.view_args.get("fmt") not in FORMATS:
        abort(404)
    return parse_filters(request.args)  # a DomainError becomes a 400 page with the message


def _one(sheet: spreadsheets.Sheet, fmt: str) -> bytes:
    return spreadsheets.to_xlsx([sheet]) if fmt == "xlsx" else spreadsheets.to_csv(sheet)


def _send(data: bytes, name: str, fmt: str):
    mimetype = spreadsheets.XLSX_MIMETYPE if fmt == "xlsx" else spreadsheets.CSV_MIMETYPE
    return send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"{name}-{today().isoformat()}.{fmt}",
    )


@bp.route("/stats/public")
def public():
    """The public summary: headline figures, the trend by year, fields and counties."""
    summary = services.public_summary()
    charts = {
        by: {
            "labels": [g.label for g in groups],
            "counts": [g.count for g in groups],
            "amounts": [str(g.amount) for g in groups],
        }
        for by, groups in summary.breakdowns.items()
    }
    charts["trend"] = charts["year"]
    return render_template(
        "stats/public.html",
        summary=summary,
        charts=charts,
        dimension_labels=DIMENSION_LABELS,
        chart_titles=_chart_titles(),
    )
