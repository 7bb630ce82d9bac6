"""The account page where people create and revoke their API tokens (/account/tokens).

A new token is shown once, in the response to the form that created it: never flashed
(flash messages travel in the signed, not encrypted, session cookie) and never stored.
"""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from market import outbox
from market.api import services
from market.api.services import TOKEN_NAME_MAX
from market.errors import DomainError
from market.forms import show_domain_error

bp = Blueprint("api_tokens", __name__, url_prefix="/account")


class NewTokenForm(FlaskForm):
    name = StringField(
        _l("令牌名称"),
        validators=[DataRequired(), Length(max=TOKEN_NAME_MAX)],
        description=_l("写明用途，例如“ERP 同步”，便于日后辨认和撤销。"),
    )


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token: the token to revoke is in the URL."""


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = NewTokenForm()
    new_token, status = None, 200
    if form.validate_on_submit():
        try:
            _token, new_token = services.create_token(current_user, form.name.data)
            outbox.commit()
        except DomainError as error:
            outbox.rollback()
            show_domain_error(form, error)
            status = 400
        else:
            form = NewTokenForm(formdata=None)
    elif form.is_submitted():
        status = 400
    response = make_response(_page(form, new_token), status)
    response.headers["Cache-Control"] = "no-store"  # the new token must not linger in caches
    return response


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    if RevokeTokenForm().validate_on_submit():
        try:
            token = services.revoke_token(current_user, token_id)
            outbox.commit()
        except DomainError as error:
            outbox.rollback()
            flash(error.message, "danger")
        else:
            flash(_("令牌“%(name)s”已撤销，使用它的请求将被拒绝。", name=token.name), "success")
    else:
        flash(_("提交已失效，请刷新页面后重试。"), "danger")
    return redirect(url_for("api_tokens.tokens"))


def _page(form: NewTokenForm, new_token: str | None) -> str:
    return render_template(
        "api/tokens.html",
        form=form,
        revoke_form=RevokeTokenForm(),
        tokens=services.tokens_of(current_user),
        new_token=new_token,
    )
