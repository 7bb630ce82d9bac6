"""Bureau staff record agreements; parties see their own."""

import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from market import outbox
from market.accounts.models import Organization, Role
from market.agreements.forms import AgreementForm
from market.agreements.services import agreements_visible_to, submit_agreement
from market.auth import bureau_required
from market.dockings.services import open_dockings
from market.errors import DomainError
from market.extensions import db
from market.forms import options, show_domain_error
from market.money import format_amount

bp = Blueprint("agreements", __name__, url_prefix="/agreements")


@bp.route("/new", methods=["GET", "POST"])
@bureau_required
def new():
    form = AgreementForm()
    _fill_choices(form)
    status = 200
    if request.method == "GET":
        form.submission_key.data = secrets.token_urlsafe(16)
        form.docking_id.data = request.args.get("docking_id", "")
    elif form.validate_on_submit():
        try:
            agreement = submit_agreement(current_user, form.data)
            outbox.commit()
        except DomainError as error:
            outbox.rollback()
            show_domain_error(form, error)
            status = 400
        else:
            flash(
                _(
                    "合同“%(title)s”已提交登记，金额 %(amount)s 万元。",
                    title=agreement.title,
                    amount=format_amount(agreement.amount),
                ),
                "success",
            )
            return redirect(url_for("stats.dashboard"))
    else:
        status = 400
    return render_template("agreements/new.html", form=form), status


def _fill_choices(form: AgreementForm) -> None:
    def orgs(kind):
        return db.session.scalars(
            select(Organization).where(Organization.kind == kind).order_by(Organization.name)
        ).all()

    blank = [("", _("请选择"))]
    form.docking_id.choices = options(
        [("", _("（不关联对接，直接登记）"))]
        + [
            (d.id, f"#{d.id} {d.company.name} × {d.institute.name}：{d.demand.title}")
            for d in open_dockings()
        ]
    )
    form.company_id.choices = options(blank + [(o.id, o.name) for o in orgs(Role.ENTERPRISE)])
    form.institute_id.choices = options(blank + [(o.id, o.name) for o in orgs(Role.INSTITUTE)])


@bp.route("/")
@login_required
def listing():
    year = request.args.get("year", type=int)
    return render_template(
        "agreements/list.html", agreements=agreements_visible_to(current_user, year), year=year
    )
