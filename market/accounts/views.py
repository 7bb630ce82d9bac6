"""Register, log in, log out."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from market import outbox
from market.accounts.forms import LoginForm, RegisterForm
from market.accounts.models import Role
from market.accounts.services import authenticate, register_user
from market.errors import DomainError
from market.forms import show_domain_error

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            user = register_user(
                email=form.email.data,
                password=form.password.data,
                name=form.name.data,
                role=Role(form.role.data),
                org_name=form.org_name.data,
                county=form.county.data or None,
            )
            outbox.commit()
        except DomainError as error:
            outbox.rollback()
            show_domain_error(form, error)
        else:
            login_user(user)
            flash(_("注册成功，欢迎使用许昌科技大市场。"), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        outbox.commit()  # keeps an upgraded password hash
        if user is None:
            flash(_("邮箱或密码不正确。"), "danger")
            return render_template("accounts/login.html", form=form), 400
        login_user(user, remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("main.index"))


def _safe_next(target: str | None) -> str:
    """Only redirect within this site after login."""
    if target and target.startswith("/") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("main.index")
