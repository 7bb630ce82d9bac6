"""/bureau/synonyms: the bureau lists, adds, switches off and deletes synonym groups."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from market import outbox
from market.auth import bureau_required
from market.errors import DomainError
from market.synonyms import services
from market.synonyms.forms import GroupActionForm, SynonymGroupForm

bp = Blueprint("synonyms", __name__, url_prefix="/bureau/synonyms")


@bp.route("/", methods=["GET", "POST"])
@bureau_required
def groups():
    form = SynonymGroupForm()
    if form.validate_on_submit():
        try:
            group = services.add_group(current_user, form.words.data)
            outbox.commit()
        except DomainError as error:
            outbox.rollback()
            form.words.errors.append(error.errors.get("words", error.message))
        else:
            flash(_("已添加同义词组：%(words)s。", words="、".join(group.words)), "success")
            return redirect(url_for("synonyms.groups"))
    status = 400 if form.is_submitted() and form.errors else 200
    return _page(form), status


def _page(form: SynonymGroupForm):
    return render_template(
        "synonyms/groups.html",
        form=form,
        action_form=GroupActionForm(),
        groups=services.list_groups(),
    )


@bp.route("/<int:group_id>/<any(deactivate, activate, delete):action>", methods=["POST"])
@bureau_required
def change(group_id: int, action: str):
    if not GroupActionForm().validate_on_submit():
        flash(_("提交已失效，请刷新页面后重试。"), "danger")
        return redirect(url_for("synonyms.groups"))
    if action == "delete":
        services.delete_group(current_user, group_id)
        message = _("已删除同义词组。")
    else:
        services.set_group_active(current_user, group_id, active=action == "activate")
        message = _("已启用同义词组。") if action == "activate" else _("已停用同义词组。")
    outbox.commit()
    flash(message + " " + _("已有的匹配结果将在 10 分钟内按新的同义词更新。"), "success")
    return redirect(url_for("synonyms.groups"))
