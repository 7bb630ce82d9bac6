"""Bureau staff record, correct and export agreements; parties see their own."""

import logging
import secrets
from io import BytesIO

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from market import outbox
from market.accounts.models import COUNTIES, Organization, Role
from market.agreements import contracts, export
from market.agreements.forms import AgreementForm, CancellationForm, CorrectionForm
from market.agreements.models import (
    CONTRACT_TYPE_LABELS,
    Agreement,
    AgreementStatus,
    ContractType,
    LedgerKind,
)
from market.agreements.services import (
    contract_file_for,
    get_agreement_for,
    ledger_lines,
    pending_correction,
    recordable_dockings,
    recordable_postings,
    submit_agreement,
    submit_cancellation,
    submit_correction,
)
from market.api.services import visible_agreements
from market.auth import bureau_required
from market.errors import DomainError
from market.events.models import Event
from market.extensions import db
from market.forms import options, show_domain_error
from market.money import format_amount
from market.postings.models import FIELDS, PostingKind
from market.timeutil import today

log = logging.getLogger(__name__)

bp = Blueprint("agreements", __name__, url_prefix="/agreements")

UPLOAD_ENDPOINTS = {"agreements.new"}
PER_PAGE = 20
FORM_OVERHEAD_BYTES = 256 * 1024


LEDGER_KIND_LABELS = {
    LedgerKind.RECORD: _l("登记"),
    LedgerKind.REVERSAL: _l("冲销"),
    LedgerKind.REPLACEMENT: _l("更正后"),
}


@bp.app_template_global()
def contract_type_label(value) -> str:
    return str(CONTRACT_TYPE_LABELS.get(ContractType(value), value)) if value else ""


@bp.app_template_global()
def ledger_kind_label(value) -> str:
    return str(LEDGER_KIND_LABELS.get(LedgerKind(value), value))


@bp.url_value_preprocessor
def allow_contract_uploads(endpoint, values):
    # Runs before CSRFProtect reads the body: the upload page may exceed MAX_CONTENT_LENGTH
    # by the scanned contract's own limit, every other page keeps the app-wide one.
    if endpoint in UPLOAD_ENDPOINTS:
        limit = contracts.max_bytes() + FORM_OVERHEAD_BYTES
        request.max_content_length = max(limit, current_app.config["MAX_CONTENT_LENGTH"] or 0)


@bp.errorhandler(413)
def upload_too_large(error):
    message = _("提交的内容过大：合同扫描件不能超过 %(mb)s MB。", mb=contracts.max_megabytes())
    return render_template("errors/error.html", status=413, message=message), 413


@bp.route("/new", methods=["GET", "POST"])
@bureau_required
def new():
    form = AgreementForm()
    _fill_choices(form)
    status = 200
    if request.method == "GET":
        form.submission_key.data = secrets.token_urlsafe(16)
        form.docking_id.data = request.args.get("docking_id", "")
        form.contract_type.data = ContractType.DEVELOPMENT.value
    elif form.validate_on_submit():
        stored = None
        try:
            agreement = submit_agreement(current_user, form.data, contract=form.contract.data)
            stored = agreement.contract_file
            outbox.commit()
        except DomainError as error:
            outbox.rollback()
            _drop_unsaved_contract(stored)
            show_domain_error(form, error)
            status = 400
        except Exception:
            outbox.rollback()
            _drop_unsaved_contract(stored)
            raise
        else:
            flash(
                _(
                    "合同“%(title)s”已提交登记，金额 %(amount)s 万元。",
                    title=agreement.title,
                    amount=format_amount(agreement.amount),
                ),
                "success",
            )
            return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    else:
        status = 400
    return render_template("agreements/new.html", form=form), status


def _drop_unsaved_contract(stored: str | None) -> None:
    """After a failed commit: delete the scanned contract just stored, unless a saved agreement
    holds it (a resubmission returns the earlier agreement, whose file must stay). When the
    database cannot say, the file is kept: an orphan is better than a lost contract."""
    if not stored:
        return
    try:
        saved = db.session.scalar(
            select(Agreement.id).where(Agreement.contract_file == stored).limit(1)
        )
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("contract %s kept: could not check whether it was saved", stored)
        return
    if saved is None:
        contracts.remove(stored)
        log.info("contract %s removed: its agreement was not saved", stored)


def _organizations(*kinds: Role) -> list[Organization]:
    return db.session.scalars(
        select(Organization).where(Organization.kind.in_(kinds)).order_by(Organization.name)
    ).all()


def _fill_terms_choices(form) -> None:
    types = CONTRACT_TYPE_LABELS.items()
    form.contract_type.choices = options((kind.value, label) for kind, label in types)
    form.county.choices = options([("", _("（按签约企业所在地）"))] + [(c, c) for c in COUNTIES])
    form.field.choices = options([("", _("（按需求或成果的领域）"))] + [(f, f) for f in FIELDS])
    events = db.session.scalars(select(Event).order_by(Event.starts_at.desc())).all()
    form.event_id.choices = options(
        [("", _("（不关联活动）"))] + [(e.id, f"{e.starts_at:%Y-%m-%d} {e.title}") for e in events]
    )


def _fill_choices(form: AgreementForm) -> None:
    _fill_terms_choices(form)
    blank = [("", _("请选择"))]
    form.docking_id.choices = options(
        [("", _("（不关联对接，直接登记）"))]
        + [
            (d.id, f"#{d.id} {d.company.name} × {d.institute.name}：{d.demand.title}")
            for d in recordable_dockings()
        ]
    )
    companies = _organizations(Role.ENTERPRISE)
    institutes = _organizations(Role.INSTITUTE)
    form.company_id.choices = options(blank + [(o.id, o.name) for o in companies])
    form.institute_id.choices = options(blank + [(o.id, o.name) for o in institutes])
    everyone = [(o.id, o.name) for o in companies + institutes]
    form.extra_buyer_ids.choices = options(everyone)
    form.extra_seller_ids.choices = options(everyone)
    none = [("", _("（不关联）"))]
    problems = recordable_postings(PostingKind.PROBLEM)
    results = recordable_postings(PostingKind.RESULT)
    form.problem_id.choices = options(
        none + [(p.id, f"{p.organization.name}：{p.title}") for p in problems]
    )
    form.result_id.choices = options(
        none + [(p.id, f"{p.organization.name}：{p.title}") for p in results]
    )


@bp.route("/")
@login_required
def listing():
    year = request.args.get("year", type=int)
    number = max(1, request.args.get("page", 1, type=int) or 1)
    page = db.paginate(
        visible_agreements(current_user, year), page=number, per_page=PER_PAGE, error_out=False
    )
    return render_template(
        "agreements/list.html",
        page=page,
        agreements=page.items,
        year=year,
        years=range(today().year, 2019, -1),
    )


@bp.route("/<int:agreement_id>")
@login_required
def detail(agreement_id: int):
    agreement = get_agreement_for(current_user, agreement_id)
    return render_template(
        "agreements/detail.html",
        agreement=agreement,
        lines=ledger_lines(agreement),
        pending=pending_correction(agreement),
        can_correct=current_user.is_bureau and agreement.status == AgreementStatus.RECORDED,
    )


@bp.route("/<int:agreement_id>/audit")
@login_required
def audit(agreement_id: int):
    agreement = get_agreement_for(current_user, agreement_id)
    return render_template(
        "agreements/audit.html", agreement=agreement, lines=ledger_lines(agreement)
    )


@bp.route("/<int:agreement_id>/contract")
@login_required
def contract(agreement_id: int):
    path, name = contract_file_for(current_user, agreement_id)
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=request.args.get("download") == "1",
        download_name=name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:agreement_id>/correct", methods=["GET", "POST"])
@bureau_required
def correct(agreement_id: int):
    agreement = get_agreement_for(current_user, agreement_id)
    form = CorrectionForm()
    _fill_terms_choices(form)
    status = 200
    if request.method == "GET":
        form.submission_key.data = secrets.token_urlsafe(16)
        form.revision.data = str(agreement.revision)
        for name in ("title", "amount", "tech_amount", "signed_on", "term_start", "term_end"):
            getattr(form, name).data = getattr(agreement, name)
        form.contract_type.data = agreement.contract_type.value
        form.county.data = agreement.county or ""
        form.field.data = agreement.field or ""
        form.event_id.data = str(agreement.event_id or "")
    elif form.validate_on_submit():
        done = _submit_ledger_change(
            form, submit_correction, agreement, _("更正已提交，将记入台账。")
        )
        if done is not None:
            return done
        status = 400
    else:
        status = 400
    return render_template("agreements/correct.html", form=form, agreement=agreement), status


@bp.route("/<int:agreement_id>/cancel", methods=["GET", "POST"])
@bureau_required
def cancel(agreement_id: int):
    agreement = get_agreement_for(current_user, agreement_id)
    form = CancellationForm()
    status = 200
    if request.method == "GET":
        form.submission_key.data = secrets.token_urlsafe(16)
        form.revision.data = str(agreement.revision)
    elif form.validate_on_submit():
        done = _submit_ledger_change(
            form, submit_cancellation, agreement, _("作废已提交，将记入台账。")
        )
        if done is not None:
            return done
        status = 400
    else:
        status = 400
    return render_template("agreements/cancel.html", form=form, agreement=agreement), status


def _submit_ledger_change(form, submit, agreement, done_message: str):
    """Submit a correction or cancellation: the redirect when accepted, None when the form
    shows the service's errors."""
    try:
        submit(current_user, agreement.id, form.data)
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        show_domain_error(form, error)
        return None
    flash(done_message, "success")
    return redirect(url_for("agreements.detail", agreement_id=agreement.id))


@bp.route("/export.<any(xlsx, csv):fmt>")
@bureau_required
def export_register(fmt: str):
    year = request.args.get("year", type=int)
    suffix = f"-{year}" if year else ""
    if fmt == "xlsx":
        content = export.to_xlsx(year)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = export.to_csv(year)
        mimetype = "text/csv; charset=utf-8"
    return send_file(
        BytesIO(content),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"技术合同登记表{suffix}.{fmt}",
    )
