from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import Optional


class AgreementForm(FlaskForm):
    submission_key = HiddenField()
    docking_id = SelectField(_l("来自对接（可不选）"), choices=[], validate_choice=False)
    company_id = SelectField(_l("签约企业"), choices=[], validate_choice=False)
    institute_id = SelectField(_l("签约科研机构"), choices=[], validate_choice=False)
    title = StringField(_l("合同名称"))
    signed_on = DateField(_l("签订日期"), validators=[Optional()], format="%Y-%m-%d")
    amount = StringField(_l("合同金额（万元，最多两位小数）"))
