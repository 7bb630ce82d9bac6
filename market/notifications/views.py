"""The in-app notification list, notification settings and one-click unsubscribe."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market import outbox
from market.errors import DomainError
from market.extensions import csrf
from market.notifications import preferences
from market.notifications.forms import SettingsForm
from market.notifications.models import Channel
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


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm()
    if request.method == "GET":
        return _settings_page(form, preferences.preferences_of(current_user))
    if not form.validate_on_submit():
        flash(_("提交已失效，请刷新页面后重试。"), "danger")
        return redirect(url_for("notifications.settings"))
    try:
        change = preferences.parse_settings(request.form)
        preferences.update_preferences(current_user, change)
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        flash(error.message, "danger")
        chosen = preferences.preferences_of(current_user)
        return _settings_page(form, chosen, error.errors), 400
    flash(_("通知设置已保存。"), "success")
    return redirect(url_for("notifications.settings"))


def _settings_page(form, chosen, errors=None):
    return render_template(
        "notifications/settings.html",
        form=form,
        chosen=chosen,
        errors=errors or {},
        categories=preferences.CATEGORIES,
        category_labels=preferences.CATEGORY_LABELS,
        channels=list(Channel),
        channel_labels=preferences.CHANNEL_LABELS,
        choices=preferences.CHOICES,
        frequency_labels=preferences.FREQUENCY_LABELS,
        field_name=preferences.field_name,
        email_on=current_user.email_notifications,
    )


@bp.route("/unsubscribe/<token>", methods=["GET"])
def unsubscribe(token: str):
    """Say what the link will turn off; a GET changes nothing (mail scanners open links)."""
    try:
        request_ = preferences.read_unsubscribe_token(token)
    except DomainError as error:
        return _refusal(error)
    return render_template(
        "notifications/unsubscribe.html", request_=request_, **_labels(request_), done=False
    )


@bp.route("/unsubscribe/<token>", methods=["POST"])
@csrf.exempt  # RFC 8058: mail clients POST here without a form; the signed token is the proof
def unsubscribe_post(token: str):
    try:
        request_ = preferences.unsubscribe(token)
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        return _refusal(error)
    return render_template(
        "notifications/unsubscribe.html", request_=request_, **_labels(request_), done=True
    )


def _labels(request_) -> dict:
    if request_.category == preferences.ALL:
        return {"what": _("全部邮件通知")}
    return {"what": _("“%(label)s”邮件", label=preferences.CATEGORY_LABELS[request_.category])}


def _refusal(error: DomainError):
    return render_template("notifications/unsubscribe_refused.html", message=error.message), 400
