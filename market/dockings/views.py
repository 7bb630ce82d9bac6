"""对接 pages: the list, a docking's detail (stage, deadline, messages, timeline) and its
actions; the bureau's overdue list and broker register."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market import outbox, timeutil
from market.auth import bureau_required
from market.dockings import services, timeline
from market.dockings.forms import (
    ActionForm,
    AnswerDockingForm,
    BrokerFlagForm,
    BrokerForm,
    CheckInForm,
    CloseDockingForm,
    MessageForm,
    RequestDockingForm,
)
from market.errors import DomainError, NotFound

bp = Blueprint("dockings", __name__, url_prefix="/dockings")

PER_PAGE = 20


def _stale_form() -> str:
    return _("提交已失效，请刷新页面后重试。")


@bp.route("/")
@login_required
def mine():
    page = services.dockings_page(
        current_user, max(1, request.args.get("page", 1, type=int) or 1), PER_PAGE
    )
    return render_template(
        "dockings/mine.html",
        page=page,
        dockings=page.items,
        companies=services.company_names(current_user, page.items),
        form=AnswerDockingForm(),
        deadline_state=services.deadline_state,
    )


@bp.route("/request", methods=["POST"])
@login_required
def request_docking():
    form = RequestDockingForm()
    back = request.referrer or url_for("dockings.mine")
    if not form.validate_on_submit():
        flash(_stale_form(), "danger")
        return redirect(back)
    try:
        docking = services.request_docking(
            current_user, form.demand_id.data, form.supply_id.data, form.message.data
        )
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        flash(error.message, "danger")
        return redirect(back)
    flash(_("对接请求已发出，对方答复后会通知您。"), "success")
    return redirect(url_for("dockings.detail", docking_id=docking.id))


@bp.route("/<int:docking_id>")
@login_required
def detail(docking_id: int):
    docking = services.load_docking(current_user, docking_id)
    return _detail_page(docking)


def _detail_page(docking, message_form=None, status=200):
    choices = services.outcome_choices()
    answer_form, close_form = AnswerDockingForm(), CloseDockingForm()
    answer_form.outcome.choices = close_form.outcome.choices = [("", _("请选择"))] + choices
    broker_form = BrokerForm()
    broker_form.broker_id.choices = [("", _("（无）"))] + [
        (str(u.id), f"{u.name} · {u.organization.name}")
        for u in services.broker_candidates(docking)
    ]
    broker_form.broker_id.data = str(docking.broker_id or "")
    return render_template(
        "dockings/detail.html",
        docking=docking,
        actions=services.allowed_actions(current_user, docking),
        entries=timeline.entries(current_user, docking),
        messages=timeline.messages(current_user, docking),
        agreements=services.signed_agreements(docking),
        deadline=services.deadline_state(docking),
        outcome_label=services.outcome_label,
        answer_form=answer_form,
        close_form=close_form,
        check_in_form=CheckInForm(),
        message_form=message_form or MessageForm(formdata=None),
        broker_form=broker_form,
        action_form=ActionForm(),
    ), status


@bp.route("/<int:docking_id>/answer", methods=["POST"])
@login_required
def answer(docking_id: int):
    form = AnswerDockingForm()

    def act():
        if form.answer.data == "accept":
            services.accept_docking(current_user, docking_id)
            return _("已接受对接，请与对方联系洽谈。")
        services.decline_docking(
            current_user, docking_id, form.outcome.data or None, form.comment.data
        )
        return _("已婉拒该对接，对方会收到您选择的原因。")

    back = url_for("dockings.mine") if form.next.data == "list" else None
    return _act(docking_id, form, act, back)


@bp.route("/<int:docking_id>/close", methods=["POST"])
@login_required
def close(docking_id: int):
    form = CloseDockingForm()

    def act():
        services.close_docking(
            current_user, docking_id, form.outcome.data or None, form.comment.data
        )
        return _("已结束洽谈（未达成），对方会收到您选择的原因。")

    return _act(docking_id, form, act)


@bp.route("/<int:docking_id>/check-in", methods=["POST"])
@login_required
def check_in(docking_id: int):
    form = CheckInForm()

    def act():
        services.check_in(current_user, docking_id, form.note.data)
        return _("已报告进展，下次报告期限已顺延。")

    return _act(docking_id, form, act)


@bp.route("/<int:docking_id>/messages", methods=["POST"])
@login_required
def post_message(docking_id: int):
    form = MessageForm()
    docking = services.load_docking(current_user, docking_id)
    try:
        if not form.validate_on_submit():
            raise DomainError(_stale_form())
        services.post_message(current_user, docking_id, form.body.data)
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        form.body.errors = [error.errors.get("body", error.message)]
        return _detail_page(services.load_docking(current_user, docking.id), form, 400)
    flash(_("留言已发送。"), "success")
    return redirect(url_for("dockings.detail", docking_id=docking_id, _anchor="messages"))


@bp.route("/<int:docking_id>/broker", methods=["POST"])
@login_required
def assign_broker(docking_id: int):
    form = BrokerForm()

    def act():
        raw = form.broker_id.data or ""
        if raw and not raw.isdigit():
            raise DomainError(_("请选择技术经理人。"))
        docking = services.assign_broker(current_user, docking_id, int(raw) if raw else None)
        if docking.broker is None:
            return _("已取消技术经理人。")
        return _("已指定技术经理人：%(name)s。", name=docking.broker.name)

    return _act(docking_id, form, act)


@bp.route("/<int:docking_id>/nudge", methods=["POST"])
@login_required
def nudge(docking_id: int):
    form = ActionForm()

    def act():
        services.nudge(current_user, docking_id)
        return _("已催办，待处理的一方会收到提醒。")

    back = url_for("dockings.overdue") if request.form.get("next") == "overdue" else None
    return _act(docking_id, form, act, back)


def _act(docking_id: int, form, action, back: str | None = None):
    """Run one service action: commit and flash its message, or roll back and flash the error.

    Outsiders get the 404 page: they learn nothing about the docking.
    """
    try:
        if not form.validate_on_submit():
            raise DomainError(_stale_form())
        message = action()
        outbox.commit()
    except NotFound:
        outbox.rollback()
        raise
    except DomainError as error:
        outbox.rollback()
        services.load_docking(current_user, docking_id)  # 404 for outsiders
        flash(error.message, "danger")
    else:
        flash(message, "success")
    return redirect(back or url_for("dockings.detail", docking_id=docking_id))


@bp.route("/overdue")
@bureau_required
def overdue():
    return render_template(
        "dockings/overdue.html",
        rows=services.overdue_dockings(),
        today=timeutil.today(),
        action_form=ActionForm(),
    )


@bp.route("/brokers", methods=["GET", "POST"])
@bureau_required
def brokers():
    form = BrokerFlagForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.set_broker_flag(current_user, form.email.data, form.flag.data)
            outbox.commit()
        except DomainError as error:
            outbox.rollback()
            form.email.errors = [error.errors.get("email", error.message)]
            status = 400
        else:
            if user.is_broker:
                flash(_("已认定 %(name)s 为技术经理人。", name=user.name), "success")
            else:
                flash(_("已取消 %(name)s 的技术经理人认定。", name=user.name), "success")
            return redirect(url_for("dockings.brokers"))
    return render_template(
        "dockings/brokers.html",
        form=form,
        brokers=services.flagged_brokers(),
        followed_count=services.followed_count,
        action_form=ActionForm(),
    ), status
