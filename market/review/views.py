"""The bureau's review queue."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from market import outbox
from market.auth import bureau_required
from market.errors import DomainError
from market.postings.services import completeness
from market.review.forms import DecisionForm
from market.review.services import publish_posting, reject_posting, return_posting, review_queue

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.route("/")
@bureau_required
def queue():
    entries = [(posting, completeness(posting)) for posting in review_queue()]
    return render_template("review/queue.html", entries=entries, form=DecisionForm())


@bp.route("/<int:posting_id>", methods=["POST"])
@bureau_required
def decide(posting_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("提交已失效，请刷新页面后重试。"), "danger")
        return redirect(url_for("review.queue"))
    try:
        message = _decide(form.decision.data, posting_id, form.reason.data)
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        flash(error.message, "danger")
    else:
        flash(message, "success")
    return redirect(url_for("review.queue"))


def _decide(decision: str, posting_id: int, reason: str | None) -> str:
    """Take one decision and say what was done."""
    if decision == "publish":
        posting = publish_posting(current_user, posting_id)
        return _("已发布“%(title)s”。", title=posting.title)
    if decision == "return":
        posting = return_posting(current_user, posting_id, reason)
        return _("已将“%(title)s”退回修改，意见已通知发布方。", title=posting.title)
    if decision == "reject":
        posting = reject_posting(current_user, posting_id, reason)
        return _("已驳回“%(title)s”，原因已通知发布方。", title=posting.title)
    raise DomainError(_("未知的审核操作。"))
