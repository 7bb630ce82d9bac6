"""Mark a listed match 相关 / 不相关 (or clear the mark); JSON for the page's script."""

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from market import outbox
from market.errors import DomainError, PermissionDenied
from market.feedback import services
from market.feedback.forms import FeedbackForm
from market.matching.reasons import match_reasons
from market.matching.services import matches_for
from market.postings.services import get_posting

bp = Blueprint("feedback", __name__)

MESSAGES = {
    1: _l("已标记为相关，已移到列表前面。"),
    0: _l("已标记为不相关，已移到列表最后。"),
    None: _l("已清除标记。"),
}


@bp.route("/matches/<int:demand_id>/<int:supply_id>/feedback", methods=["POST"])
@login_required
def mark(demand_id: int, supply_id: int):
    form = FeedbackForm()
    if not form.validate_on_submit() or form.listed.data not in (demand_id, supply_id):
        return _refused(DomainError(_("提交已失效，请刷新页面后重试。")), form.listed.data)
    grade = form.grade_value()
    try:
        _check_list(form.listed.data)
        services.mark_match(current_user, demand_id, supply_id, grade)
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        return _refused(error, form.listed.data)
    if _wants_json():
        return jsonify(_list_state(form.listed.data))
    flash(str(MESSAGES[grade]), "success")
    return redirect(_back(form.listed.data))


def _check_list(listed_id: int) -> None:
    """Marks are made on a list the user may read; its new order is sent back."""
    if not services.may_see_list(current_user, get_posting(listed_id)):
        raise PermissionDenied(_("只能在本单位信息的匹配列表中标记。"))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _list_state(listed_id: int) -> dict:
    """The list's new order and marks, for the page's script to show without a reload."""
    posting = get_posting(listed_id)
    rows = matches_for(posting)
    return {
        "order": [other.id for _match, other in rows],
        "marks": {str(row[1].id): row.mark for row in rows},
        "mine": {str(k): v for k, v in services.marks_by(current_user, posting).items()},
    }


def _refused(error: DomainError, listed_id: int | None):
    if _wants_json() or error.status_code != 400 or not listed_id:
        raise error  # the error pages answer 403/404 (JSON to the script)
    flash(error.message, "danger")
    return redirect(_back(listed_id))


def _back(listed_id: int) -> str:
    return url_for("postings.detail", posting_id=listed_id) + "#matches"


@bp.app_template_global("feedback_marks")
def feedback_marks(posting) -> dict[int, int]:
    """The marks the viewer's organisation made on this posting's match list."""
    return services.marks_by(current_user, posting)


@bp.app_template_global("other_match_reasons")
def other_match_reasons(match) -> list[str]:
    """The match's reasons after its shared words (which the list shows highlighted).

    match_reasons() lists the shared words first when there are any.
    """
    reasons = match_reasons(match)
    return reasons[1:] if match.terms else reasons
