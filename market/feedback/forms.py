"""The 相关 / 不相关 / 清除 buttons of a listed match: a CSRF-protected POST."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, DataRequired

# What each button sends as `grade`: a mark, or "clear" to take the organisation's mark back.
CLEAR = "clear"


class FeedbackForm(FlaskForm):
    grade = HiddenField(validators=[AnyOf(["1", "0", CLEAR])])
    # The posting whose match list the buttons sit on: where to go back to.
    listed = IntegerField(validators=[DataRequired()])

    def grade_value(self) -> int | None:
        return None if self.grade.data == CLEAR else int(self.grade.data)
