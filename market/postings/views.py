"""Post problems, talent needs and results; read a posting with its matches."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from market import outbox
from market.accounts.models import Role
from market.auth import role_required
from market.dockings.services import docking_between
from market.errors import DomainError
from market.forms import show_domain_error
from market.matching.services import matches_for
from market.postings import services
from market.postings.forms import ProblemForm, ResultForm, TalentForm
from market.postings.models import PostingKind

bp = Blueprint("postings", __name__, url_prefix="/postings")

NEW_POSTING_PAGES = {
    "problem": (ProblemForm, services.create_problem, _l("发布技术需求")),
    "talent": (TalentForm, services.create_talent_need, _l("发布人才需求")),
    "result": (ResultForm, services.create_result, _l("发布科技成果")),
}


def _new_posting(kind: str):
    form_class, create, title = NEW_POSTING_PAGES[kind]
    form = form_class()
    status = 200
    if form.validate_on_submit():
        try:
            posting = create(current_user, form.data)
            outbox.commit()
        except DomainError as error:
            outbox.rollback()
            show_domain_error(form, error)
            status = 400
        else:
            flash(_("已提交，科技局审核通过后公开。"), "success")
            return redirect(url_for("postings.detail", posting_id=posting.id))
    elif form.is_submitted():
        status = 400
    return render_template("postings/new.html", form=form, kind=kind, title=title), status


@bp.route("/problems/new", methods=["GET", "POST"])
@role_required(Role.ENTERPRISE)
def new_problem():
    return _new_posting("problem")


@bp.route("/talent/new", methods=["GET", "POST"])
@role_required(Role.ENTERPRISE)
def new_talent():
    return _new_posting("talent")


@bp.route("/results/new", methods=["GET", "POST"])
@role_required(Role.INSTITUTE)
def new_result():
    return _new_posting("result")


@bp.route("/<int:posting_id>")
def detail(posting_id: int):
    posting = services.get_visible_posting(current_user, posting_id)
    owner = services.is_owner(current_user, posting)
    bureau = current_user.is_authenticated and current_user.is_bureau
    matches = matches_for(posting) if (owner or bureau) else []
    dockings = {other.id: _docking_for(posting, other) for _match, other in matches}
    decisions = services.review_history(posting) if (owner or bureau) else []
    return render_template(
        "postings/detail.html",
        posting=posting,
        owner=owner,
        matches=matches,
        dockings=dockings,
        decisions=decisions,
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
    kind = request.args.get("kind")
    kind_enum = PostingKind(kind) if kind in {k.value for k in PostingKind} else None
    postings = services.published_postings(kind_enum)
    return render_template("postings/browse.html", postings=postings, kind=kind_enum)
