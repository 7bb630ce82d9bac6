from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired


class RequestDockingForm(FlaskForm):
    demand_id = IntegerField(validators=[DataRequired()])
    supply_id = IntegerField(validators=[DataRequired()])
    message = TextAreaField(_l("留言（可不填）"))


class AnswerDockingForm(FlaskForm):
    """Accept or decline a request; a decline carries an outcome code (and maybe a comment)."""

    answer = HiddenField()
    next = HiddenField()  # "list": come back to the 对接 list instead of the detail page
    outcome = SelectField(_l("未达成原因"), choices=[], validate_choice=False)
    comment = TextAreaField(_l("说明（原因为“其他”时必填）"))


class CloseDockingForm(FlaskForm):
    outcome = SelectField(_l("未达成原因"), choices=[], validate_choice=False)
    comment = TextAreaField(_l("说明（原因为“其他”时必填）"))


class CheckInForm(FlaskForm):
    note = TextAreaField(_l("进展说明（可不填）"))


class MessageForm(FlaskForm):
    body = TextAreaField(_l("留言"))


class BrokerForm(FlaskForm):
    broker_id = SelectField(_l("技术经理人"), choices=[], validate_choice=False)


class ActionForm(FlaskForm):
    """A button with nothing but the CSRF token (nudge)."""


class BrokerFlagForm(FlaskForm):
    email = StringField(_l("用户邮箱"))
    flag = BooleanField(_l("认定为技术经理人"), default=True)
