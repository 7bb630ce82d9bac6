"""The bureau's agreement, correction and cancellation forms (checks live in the services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional


class AgreementTermsForm(FlaskForm):
    """What a correction may change: title, type, amounts, dates, county, field, event."""

    submission_key = HiddenField()
    title = StringField(_l("合同名称（项目名称）"))
    contract_type = SelectField(_l("合同类型"), choices=[], validate_choice=False)
    amount = StringField(_l("合同金额（万元，最多两位小数）"))
    tech_amount = StringField(
        _l("技术交易额（万元）"), description=_l("合同金额中技术部分的金额；不填则与合同金额相同。")
    )
    signed_on = DateField(_l("签订日期"), validators=[Optional()], format="%Y-%m-%d")
    term_start = DateField(_l("合同期限：开始"), validators=[Optional()], format="%Y-%m-%d")
    term_end = DateField(_l("合同期限：结束"), validators=[Optional()], format="%Y-%m-%d")
    county = SelectField(_l("企业所在县（市、区）"), choices=[], validate_choice=False)
    field = SelectField(_l("技术领域"), choices=[], validate_choice=False)
    event_id = SelectField(_l("来自活动（可不选）"), choices=[], validate_choice=False)


class AgreementForm(AgreementTermsForm):
    docking_id = SelectField(_l("来自对接（可不选）"), choices=[], validate_choice=False)
    company_id = SelectField(_l("签约企业（买方）"), choices=[], validate_choice=False)
    institute_id = SelectField(_l("签约科研机构（卖方）"), choices=[], validate_choice=False)
    extra_buyer_ids = SelectMultipleField(
        _l("其他买方（委托方/受让方，可多选）"), choices=[], validate_choice=False
    )
    extra_seller_ids = SelectMultipleField(
        _l("其他卖方（受托方/让与方，可多选）"), choices=[], validate_choice=False
    )
    problem_id = SelectField(_l("来自技术需求（可不选）"), choices=[], validate_choice=False)
    result_id = SelectField(_l("来自科技成果（可不选）"), choices=[], validate_choice=False)
    contract = FileField(
        _l("合同扫描件（PDF，可不传）"), description=_l("只接受 PDF 文件，大小有限制。")
    )


class CorrectionForm(AgreementTermsForm):
    revision = HiddenField()
    reason = TextAreaField(_l("更正原因（必填）"))


class CancellationForm(FlaskForm):
    submission_key = HiddenField()
    revision = HiddenField()
    reason = TextAreaField(_l("作废原因（必填）"))
