"""Post, edit and read postings of every kind; lists with filters, sorting and pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from market import outbox
from market.accounts.models import COUNTIES, Role
from market.auth import role_required
from market.dockings.services import docking_between
from market.errors import DomainError
from market.forms import show_domain_error
from market.matching.services import matches_for
from market.postings import services
from market.postings.forms import form_data, posting_form_class
from market.postings.models import COOPERATION_MODES, FIELDS, MATURITY_LEVELS, PostingKind

bp = Blueprint("postings", __name__, url_prefix="/postings")

LIST_OPTIONS = {
    "fields": FIELDS,
    "counties": COUNTIES,
    "cooperation": COOPERATION_MODES,
    "maturity": MATURITY_LEVELS,
}

PAGE_TITLES = {
    PostingKind.PROBLEM: _l("发布技术需求"),
    PostingKind.TALENT: _l("发布人才需求"),
    PostingKind.RESULT: _l("发布科技成果"),
    PostingKind.EXPERT: _l("发布专家信息"),
    PostingKind.EQUIPMENT: _l("发布仪器设备"),
}


def _save_on_submit(form, save, success: str):
    """On a valid submit, save and go to the posting; otherwise show the form with its errors.

    Returns (redirect, None) when saved, else (None, HTTP status for re-rendering the form).
    """
    if not form.validate_on_submit():
        return None, 400 if form.is_submitted() else 200
    try:
        posting = save(form_data(form))
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        show_domain_error(form, error)
        return None, 400
    flash(success, "success")
    return redirect(url_for("postings.detail", posting_id=posting.id)), None


def _submit_page(kind: PostingKind):
    form = posting_form_class(kind)()
    saved, status = _save_on_submit(
        form,
        lambda data: services.submit_posting(current_user, kind, data),
        _("已提交，科技局审核通过后公开。"),
    )
    if saved:
        return saved
    page = render_template(
        "postings/new.html", form=form, kind=kind.value, title=PAGE_TITLES[kind], posting=None
    )
    return page, status


@bp.route("/problems/new", methods=["GET", "POST"])
@role_required(Role.ENTERPRISE)
def new_problem():
    return _submit_page(PostingKind.PROBLEM)


@bp.route("/talent/new", methods=["GET", "POST"])
@role_required(Role.ENTERPRISE)
def new_talent():
    return _submit_page(PostingKind.TALENT)


@bp.route("/results/new", methods=["GET", "POST"])
@role_required(Role.INSTITUTE)
def new_result():
    return _submit_page(PostingKind.RESULT)


@bp.route("/experts/new", methods=["GET", "POST"])
@role_required(Role.INSTITUTE)
def new_expert():
    return _submit_page(PostingKind.EXPERT)


@bp.route("/equipment/new", methods=["GET", "POST"])
@role_required(Role.INSTITUTE)
def new_equipment():
    return _submit_page(PostingKind.EQUIPMENT)


@bp.route("/<int:posting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(posting_id: int):
    posting = services.get_visible_posting(current_user, posting_id)
    if not services.is_owner(current_user, posting):
        abort(403)
    form = posting_form_class(posting.kind)(data=services.form_values(posting))
    saved, status = _save_on_submit(
        form,
        lambda data: services.update_posting(current_user, posting.id, data),
        _("已保存。"),
    )
    if saved:
        return saved
    title = _("修改：%(title)s", title=posting.title)
    page = render_template(
        "postings/new.html", form=form, kind=posting.kind.value, title=title, posting=posting
    )
    return page, status


@bp.route("/completeness", methods=["POST"])
@login_required
def completeness():
    """Score and hints for the form as typed so far (called by the form's script)."""
    payload = request.get_json(silent=True) or {}
    try:
        kind = PostingKind(payload.get("kind"))
    except ValueError:
        return {"error": _("未知的信息类型。")}, 400
    values = payload.get("values") if isinstance(payload.get("values"), dict) else {}
    result = services.completeness_of(kind, values)
    return {"score": result.score, "hints": result.hints}


@bp.route("/<int:posting_id>")
def detail(posting_id: int):
    posting = services.get_visible_posting(current_user, posting_id)
    owner = services.is_owner(current_user, posting)
    bureau = current_user.is_authenticated and current_user.is_bureau
    matches = matches_for(posting) if (owner or bureau) else []
    dockings = {other.id: _docking_for(posting, other) for _match, other in matches}
    return render_template(
        "postings/detail.html",
        posting=posting,
        view=services.visible_fields(current_user, posting),
        owner=owner,
        matches=matches,
        dockings=dockings,
        decisions=services.review_history(posting) if (owner or bureau) else [],
        score=services.completeness(posting) if (owner or bureau) else None,
    )


def _docking_for(posting, other):
    if posting.is_demand:
        return docking_between(posting.id, other.id)
    return docking_between(other.id, posting.id)


@bp.route("/mine")
@login_required
def mine():
    return render_template("postings/mine.html", postings=services.postings_of(current_user))


@bp.route("/")
def browse():
    filters = services.ListFilters.from_args(request.args, current_user)
    page = services.list_postings(filters)
    return render_template(
        "postings/browse.html",
        page=page,
        filters=filters,
        list_options=LIST_OPTIONS,
        export_available="transfer.export" in current_app.view_functions,
    )
