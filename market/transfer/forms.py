"""The bureau's upload form: which kind, which file, and whether only to check it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField

from market.forms import options
from market.templating import KIND_LABELS


class ImportForm(FlaskForm):
    kind = SelectField(_l("信息类型"), choices=options(KIND_LABELS.items()))
    file = FileField(
        _l("文件"),
        validators=[FileRequired(_l("请选择要导入的文件。"))],
        description=_l("CSV、XLSX 或 JSONL，不超过 10 MB；第一行是列名，如 标题、详细描述、单位。"),
    )
    dry_run = BooleanField(_l("只检查，不导入"), default=True)
