"""Reconfirm a posting: from a reminder's signed link (no login) or as its logged-in owner."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market import outbox
from market.errors import DomainError
from market.freshness import services
from market.freshness.forms import ConfirmLinkForm, StillValidForm
from market.postings.services import get_posting

bp = Blueprint("freshness", __name__)


@bp.route("/postings/<int:posting_id>/confirm", methods=["GET"])
def confirm_from_link(posting_id: int):
    """Show what the link will do; a GET never changes anything (mail scanners open links)."""
    token = request.args.get("token", "")
    try:
        sent_for = services.read_confirmation_token(token, posting_id)
        posting = get_posting(posting_id)
    except DomainError as error:
        return _refusal(error)
    return render_template(
        "freshness/confirm.html",
        posting=posting,
        used=services.link_is_used(posting, sent_for),
        new_until=services.extended_until(posting.valid_until),
        form=ConfirmLinkForm(token=token),
    )


@bp.route("/postings/<int:posting_id>/confirm", methods=["POST"])
def confirm_from_link_post(posting_id: int):
    form = ConfirmLinkForm()
    if not form.validate_on_submit():
        return _refusal(DomainError(_("提交已失效，请重新打开确认链接。")))
    try:
        posting = services.confirm_from_link(form.token.data, posting_id)
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        return _refusal(error)
    return _confirmed(posting)


@bp.route("/postings/<int:posting_id>/still-valid", methods=["POST"])
@login_required
def confirm_as_owner(posting_id: int):
    """The owner's plain “确认仍然有效” button on the posting page."""
    if not StillValidForm().validate_on_submit():
        flash(_("提交已失效，请刷新页面后重试。"), "danger")
        return redirect(url_for("postings.detail", posting_id=posting_id))
    try:
        posting = services.confirm_as_owner(current_user, posting_id)
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        if error.status_code != 400:
            raise
        flash(error.message, "danger")
        return redirect(url_for("postings.detail", posting_id=posting_id))
    return _confirmed(posting)


def _confirmed(posting):
    flash(_("已确认仍然有效，有效期至 %(date)s。", date=posting.valid_until.isoformat()), "success")
    return redirect(url_for("postings.detail", posting_id=posting.id))


def _refusal(error: DomainError):
    return render_template("freshness/refused.html", message=error.message), 400
