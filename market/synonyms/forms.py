"""The bureau's synonym forms: add a group; switch one on or off, or delete it (CSRF only)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

WORDS_MAX = 500


class SynonymGroupForm(FlaskForm):
    words = StringField(
        _l("同义词"),
        validators=[DataRequired(_l("请填写至少两个词。")), Length(max=WORDS_MAX)],
        description=_l("用空格、逗号或顿号分隔，例如：刀具寿命 刀具耐用度、耐用度"),
    )


class GroupActionForm(FlaskForm):
    """停用 / 启用 / 删除 buttons: nothing but the CSRF token."""
