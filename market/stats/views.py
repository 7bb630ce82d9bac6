"""The bureau's dashboard: agreements and their exact total, by year."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from market.agreements.services import agreements_visible_to
from market.auth import bureau_required
from market.notifications.services import failed_emails
from market.stats.services import agreement_totals, totals_by_year

bp = Blueprint("stats", __name__, url_prefix="/bureau")


@bp.route("/dashboard")
@bureau_required
def dashboard():
    year = request.args.get("year", type=int)
    return render_template(
        "stats/dashboard.html",
        year=year,
        totals=agreement_totals(year),
        all_totals=agreement_totals(),
        by_year=totals_by_year(),
        agreements=agreements_visible_to(current_user, year),
        failed=failed_emails(),
    )
