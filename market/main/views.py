"""The home page and the language switch."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask_login import current_user

from market import outbox
from market.postings.models import PostingKind
from market.postings.services import published_postings
from market.stats.services import agreement_totals

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template(
        "main/index.html",
        problems=published_postings(PostingKind.PROBLEM, limit=6),
        results=published_postings(PostingKind.RESULT, limit=6),
        totals=agreement_totals(),
    )


@bp.route("/locale/<code>", methods=["POST"])
def set_locale(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        outbox.commit()
    target = request.referrer or "/"
    return redirect(
        target if target.startswith(request.host_url) or target.startswith("/") else "/"
    )


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
