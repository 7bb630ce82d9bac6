"""Full-text search over published postings, and the bureau's overview of problem matches."""

import io

from flask import Blueprint, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from market.auth import bureau_required
from market.extensions import db
from market.matching import batch
from market.matching.services import search_postings
from market.timeutil import today

bp = Blueprint("matching", __name__)

QUERY_MAX = 200
PROBLEMS_PER_PAGE = 10
LIMIT_MAX = 50
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/search")
def search():
    query = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or None
    page = request.args.get("page", 1, type=int) or 1
    error = None
    if len(query) > QUERY_MAX:
        error = _("搜索词太长：请不超过 %(n)d 个字。", n=QUERY_MAX)
        query = query[:QUERY_MAX]
    result, rows = search_postings(query, kind, max(page, 1), current_user) if query else (None, [])
    if query and result is not None and result.total == 0 and not error:
        if result.terms:
            error = _("没有找到相关信息，请换个说法试试，例如“开关柜 测温”。")
        else:
            error = _("请输入有意义的搜索词，例如“开关柜 测温”。")
    return render_template(
        "matching/search.html", query=query, kind=kind, result=result, rows=rows, error=error
    )


@bp.route("/bureau/matches")
@bureau_required
def bureau_matches():
    """Every visible problem with its best stored research results, as the pages rank them."""
    limit = _limit_arg()
    page = db.paginate(
        batch.visible_problems_query(),
        page=request.args.get("page", 1, type=int),
        per_page=PROBLEMS_PER_PAGE,
        error_out=False,
    )
    entries = batch.stored_matches(page.items, limit)
    return render_template(
        "matching/bureau_matches.html",
        page=page,
        entries=entries,
        limit=limit,
        company_text=lambda problem: batch.company_text(current_user, problem),
    )


@bp.route("/bureau/matches.xlsx")
@bureau_required
def bureau_matches_xlsx():
    """The same table for every visible problem, as the spreadsheet `market match` writes."""
    entries = batch.stored_matches(batch.visible_problems(), _limit_arg())
    return send_file(
        io.BytesIO(batch.to_xlsx(entries, current_user)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"需求匹配结果-{today().isoformat()}.xlsx",
        max_age=0,
    )


def _limit_arg() -> int:
    limit = request.args.get("limit", batch.DEFAULT_LIMIT, type=int)
    return min(max(limit, 1), LIMIT_MAX)
