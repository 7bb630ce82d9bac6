"""Request and answer 对接."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market import outbox
from market.dockings import services
from market.dockings.forms import AnswerDockingForm, RequestDockingForm
from market.errors import DomainError

bp = Blueprint("dockings", __name__, url_prefix="/dockings")


@bp.route("/")
@login_required
def mine():
    return render_template(
        "dockings/mine.html", dockings=services.dockings_for(current_user), form=AnswerDockingForm()
    )


@bp.route("/request", methods=["POST"])
@login_required
def request_docking():
    form = RequestDockingForm()
    back = request.referrer or url_for("dockings.mine")
    if not form.validate_on_submit():
        flash(_("提交已失效，请刷新页面后重试。"), "danger")
        return redirect(back)
    try:
        services.request_docking(
            current_user, form.demand_id.data, form.supply_id.data, form.message.data
        )
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        flash(error.message, "danger")
        return redirect(back)
    flash(_("对接请求已发出，对方答复后会通知您。"), "success")
    return redirect(url_for("dockings.mine"))


@bp.route("/<int:docking_id>/answer", methods=["POST"])
@login_required
def answer(docking_id: int):
    form = AnswerDockingForm()
    try:
        if not form.validate_on_submit():
            raise DomainError(_("提交已失效，请刷新页面后重试。"))
        if form.answer.data == "accept":
            services.accept_docking(current_user, docking_id)
            message = _("已接受对接，请与对方联系洽谈。")
        else:
            services.decline_docking(current_user, docking_id)
            message = _("已婉拒该对接。")
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        flash(error.message, "danger")
    else:
        flash(message, "success")
    return redirect(url_for("dockings.mine"))
