"""The one form behind every review button: which decision, and the reason for it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField


class DecisionForm(FlaskForm):
    decision = HiddenField()  # publish, return or reject
    reason = TextAreaField(_l("原因（退回修改或驳回时必填，将发送给发布方）"))
