"""The in-app notification list."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from market import outbox
from market.notifications.services import mark_all_read, notifications_for

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@login_required
def inbox():
    return render_template(
        "notifications/inbox.html", notifications=notifications_for(current_user)
    )


@bp.route("/read", methods=["POST"])
@login_required
def read_all():
    mark_all_read(current_user)
    outbox.commit()
    return redirect(url_for("notifications.inbox"))
