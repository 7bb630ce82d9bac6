from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from market.events.models import EventKind
from market.forms import options

KIND_LABELS = {
    EventKind.POLICY: _l("政策宣讲会"),
    EventKind.LAUNCH: _l("成果发布会"),
    EventKind.TRAINING: _l("创新创业讲座/培训"),
    EventKind.MATCHMAKING: _l("产学研专题对接会"),
}


class EventForm(FlaskForm):
    """Times are Xuchang wall-clock times; the service parses and checks every field."""

    kind = SelectField(
        _l("活动类型"),
        choices=options([("", _l("请选择"))] + [(k.value, v) for k, v in KIND_LABELS.items()]),
        validate_choice=False,
    )
    title = StringField(_l("活动名称"))
    starts_at = StringField(_l("开始时间"), render_kw={"type": "datetime-local"})
    ends_at = StringField(_l("结束时间（可不填）"), render_kw={"type": "datetime-local"})
    place = StringField(_l("地点"))
    online_url = StringField(_l("线上链接"), description=_l("地点和线上链接至少填写一项。"))
    capacity = StringField(_l("人数上限（报名单位数）"), render_kw={"inputmode": "numeric"})
    description = TextAreaField(_l("活动介绍"))
    slot_minutes = StringField(
        _l("每场洽谈时长（分钟）"), description=_l("仅对接会：配对日程按此时长分时段。")
    )
    slot_count = StringField(
        _l("洽谈时段数"), description=_l("仅对接会：每家单位每个时段至多一场。")
    )


class CancelEventForm(FlaskForm):
    reason = StringField(_l("取消原因"))


class RegistrationForm(FlaskForm):
    posting_ids = SelectMultipleField(
        _l("带到对接会的需求或成果"),
        choices=[],
        coerce=str,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class EmptyForm(FlaskForm):
    """Only the CSRF token: for buttons that post."""
