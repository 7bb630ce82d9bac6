"""The bureau's import page and the export of any posting list."""

from __future__ import annotations

import io

from flask import Blueprint, current_app, flash, render_template, request, send_file
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from market import outbox
from market.auth import bureau_required
from market.errors import DomainError
from market.extensions import csrf
from market.postings.models import PostingKind
from market.transfer.exporters import export_postings
from market.transfer.forms import ImportForm
from market.transfer.readers import MAX_FILE_BYTES, too_large_message
from market.transfer.services import import_postings

bp = Blueprint("transfer", __name__)

# The app refuses bodies over MAX_CONTENT_LENGTH (2 MB); this page alone takes 10 MB files,
# plus room for the multipart envelope so the size message comes from check_size.
UPLOAD_LIMIT = MAX_FILE_BYTES + 512 * 1024
KINDS = "any(problem,talent,result,expert,equipment,all)"


@bp.route("/bureau/import", methods=["GET", "POST"])
@csrf.exempt  # checked in the view, once the larger body limit is in place
@bureau_required
def import_page():
    try:
        _accept_large_upload()
    except RequestEntityTooLarge:
        form, report = ImportForm(formdata=None), None
        flash(too_large_message(), "danger")
        return render_template("transfer/import.html", form=form, report=report), 413
    form = ImportForm()
    report, status = None, 200
    if form.validate_on_submit():
        report, status = _run_import(form)
    elif form.is_submitted():
        status = 400
    return render_template("transfer/import.html", form=form, report=report), status


def _accept_large_upload() -> None:
    """Raise this request's body limit, read the body, then check CSRF as CSRFProtect would."""
    request.max_content_length = UPLOAD_LIMIT
    request.files  # noqa: B018  (parse now, so an oversized body is refused here)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


def _run_import(form: ImportForm):
    upload = form.file.data
    try:
        report = import_postings(
            form.kind.data,
            upload.filename,
            upload.stream.read(MAX_FILE_BYTES + 1),
            dry_run=form.dry_run.data,
            actor=current_user,
        )
    except DomainError as error:
        outbox.rollback()
        flash(error.message, "danger")
        return None, 400
    if report.imported:
        outbox.commit()
    else:
        outbox.rollback()
    return report, 200 if report.ok else 400


@bp.route(f"/export/<{KINDS}:kind>.<any(csv,xlsx):fmt>")
def export(kind: str, fmt: str):
    """The list with the query string's filters, as much of it as this viewer may see."""
    chosen = None if kind == "all" else PostingKind(kind)
    exported = export_postings(current_user, chosen, fmt, request.args)
    return send_file(
        io.BytesIO(exported.content),
        mimetype=exported.mimetype,
        as_attachment=True,
        download_name=exported.filename,
        max_age=0,
    )
