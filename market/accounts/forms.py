from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from market.accounts.models import COUNTIES
from market.forms import options


class LoginForm(FlaskForm):
    email = EmailField(_l("邮箱"), validators=[DataRequired(_l("请填写邮箱。"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码。"))])
    remember = BooleanField(_l("两周内自动登录"))


class RegisterForm(FlaskForm):
    role = SelectField(
        _l("账号类型"),
        choices=options([("enterprise", _l("企业")), ("institute", _l("高校/科研机构"))]),
    )
    org_name = StringField(
        _l("单位名称"), validators=[DataRequired(_l("请填写单位名称。")), Length(max=120)]
    )
    county = SelectField(
        _l("所在县（市、区）"),
        choices=options([("", _l("（科研机构可不填）"))] + [(c, c) for c in COUNTIES]),
        validators=[Optional()],
    )
    name = StringField(
        _l("联系人姓名"), validators=[DataRequired(_l("请填写姓名。")), Length(max=60)]
    )
    email = EmailField(
        _l("邮箱"), validators=[DataRequired(_l("请填写邮箱。")), Email(_l("邮箱格式不正确。"))]
    )
    password = PasswordField(
        _l("密码"),
        validators=[DataRequired(_l("请填写密码。")), Length(min=8, message=_l("密码至少 8 位。"))],
    )
    confirm = PasswordField(
        _l("确认密码"), validators=[EqualTo("password", _l("两次输入的密码不一致。"))]
    )
