from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired


class RequestDockingForm(FlaskForm):
    demand_id = IntegerField(validators=[DataRequired()])
    supply_id = IntegerField(validators=[DataRequired()])
    message = TextAreaField(_l("留言（可不填）"))


class AnswerDockingForm(FlaskForm):
    answer = HiddenField()
