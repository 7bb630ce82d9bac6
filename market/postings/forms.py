"""Posting forms: they parse types; the services decide what is valid."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from market.forms import options
from market.postings.models import COOPERATION_MODES, FIELDS, MATURITY_LEVELS
from market.timeutil import today


def _choices(values):
    return options([("", _l("请选择"))] + [(v, v) for v in values])


def default_valid_until():
    return today() + timedelta(days=180)


class PostingForm(FlaskForm):
    title = StringField(_l("标题"))
    body = TextAreaField(_l("详细描述"))
    field = SelectField(_l("所属领域"), choices=_choices(FIELDS))
    keywords = StringField(_l("关键词"), description=_l("用逗号或顿号分隔，最多 10 个"))
    valid_until = DateField(
        _l("有效期至"), default=default_valid_until, validators=[Optional()], format="%Y-%m-%d"
    )


class ProblemForm(PostingForm):
    budget = StringField(_l("预算（万元，可不填）"))
    cooperation = SelectField(_l("合作方式"), choices=_choices(COOPERATION_MODES))


class TalentForm(PostingForm):
    position = StringField(_l("岗位名称"))
    discipline = StringField(_l("专业方向"))
    degree = SelectField(_l("学历要求"), choices=_choices(["大专", "本科", "硕士", "博士", "不限"]))
    headcount = IntegerField(
        _l("招聘人数"),
        default=1,
        validators=[Optional(), NumberRange(1, 999, _l("招聘人数应在 1 到 999 之间。"))],
    )


class ResultForm(PostingForm):
    maturity = SelectField(_l("成熟度"), choices=_choices(MATURITY_LEVELS))
    cooperation_modes = SelectMultipleField(
        _l("合作方式"),
        choices=options((v, v) for v in COOPERATION_MODES),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
