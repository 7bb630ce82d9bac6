"""The bureau's review queue."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from market import outbox
from market.auth import bureau_required
from market.errors import DomainError
from market.review.forms import DecisionForm
from market.review.services import publish_posting, reject_posting, review_queue

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.route("/")
@bureau_required
def queue():
    return render_template("review/queue.html", postings=review_queue(), form=DecisionForm())


@bp.route("/<int:posting_id>", methods=["POST"])
@bureau_required
def decide(posting_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("提交已失效，请刷新页面后重试。"), "danger")
        return redirect(url_for("review.queue"))
    try:
        if form.decision.data == "publish":
            posting = publish_posting(current_user, posting_id)
            message = _("已发布“%(title)s”。", title=posting.title)
        else:
            posting = reject_posting(current_user, posting_id, form.reason.data)
            message = _("已驳回“%(title)s”，原因已通知发布方。", title=posting.title)
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        flash(error.message, "danger")
    else:
        flash(message, "success")
    return redirect(url_for("review.queue"))
