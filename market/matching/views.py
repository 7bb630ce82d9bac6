"""Full-text search over published postings."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from market.matching.services import search_postings

bp = Blueprint("matching", __name__)

QUERY_MAX = 200


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
