from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField


class DecisionForm(FlaskForm):
    decision = HiddenField()
    reason = TextAreaField(_l("驳回原因（驳回时必填，将发送给发布方）"))
