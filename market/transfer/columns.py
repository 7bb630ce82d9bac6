"""Which file columns mean which posting fields, in Chinese and in English.

Export writes the first header of each field, so an exported file imports again unchanged.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from market.postings.models import PostingKind, Visibility

K = PostingKind
ORGANIZATION = "organization"  # the owner organisation, created when missing
COUNTY = "county"  # the owner organisation's county
REQUIRED = ("title", "body", ORGANIZATION)
# "标题（必填）" is still 标题; other brackets stay, so "预算（元）" never passes for 万元.
OPTIONAL_SUFFIX = re.compile(r"\((必填|选填|可选|可不填|万元)\)$")
# Export-only columns: recognised on import and ignored (imports are always published).
READ_ONLY = {"status": ("状态", "status"), "published_at": ("发布时间", "published_at")}
# An export of all kinds says each row's kind; an import checks it matches.
KIND_COLUMN = "kind"
KIND_HEADERS = ("类型", "kind")

COMMON = {
    "ref": ("编号", "登记号", "需求编号", "成果编号", "ref", "reference"),
    "title": ("标题", "名称", "需求名称", "成果名称", "项目名称", "title"),
    "body": (
        "详细描述",
        "简介",
        "描述",
        "内容",
        "摘要",
        "需求描述",
        "成果简介",
        "summary",
        "description",
        "body",
    ),
    "field": ("领域", "所属领域", "技术领域", "行业领域", "field"),
    "keywords": ("关键词", "关键字", "keywords"),
    ORGANIZATION: (
        "单位",
        "单位名称",
        "机构",
        "机构名称",
        "企业",
        "企业名称",
        "公司",
        "公司名称",
        "institute",
        "company",
        "organization",
        "organisation",
    ),
    COUNTY: ("所在县区", "县区", "县(市、区)", "县市区", "区县", "county"),
    "valid_until": ("有效期", "有效期至", "截止日期", "valid_until"),
    "contact_person": ("联系人", "contact_person", "contact"),
}

BY_KIND = {
    K.PROBLEM: {
        "indicators": ("技术指标", "主要技术指标", "indicators"),
        "baseline": ("现有基础", "现有条件", "baseline"),
        "expected_outcome": ("预期目标", "预期效果", "预期成果", "expected_outcome"),
        "budget_band": ("预算区间", "预算范围", "budget_band"),
        "budget": ("预算（万元）", "预算", "预算金额", "投入预算", "budget"),
        "cooperation": ("合作方式", "cooperation"),
        "visibility": ("公开范围", "可见范围", "公开方式", "visibility"),
    },
    K.TALENT: {
        "position": ("岗位", "岗位名称", "职位", "position"),
        "discipline": ("专业方向", "专业", "专业要求", "discipline"),
        "degree": ("学历要求", "学历", "degree"),
        "headcount": ("招聘人数", "人数", "需求人数", "headcount"),
        "salary": ("薪酬待遇", "薪酬", "待遇", "salary"),
        "workplace": ("工作地点", "工作地", "workplace"),
    },
    K.RESULT: {
        "indicators": ("技术指标", "主要技术指标", "indicators"),
        "maturity": ("成熟度", "成果成熟度", "技术成熟度", "maturity"),
        "cooperation_modes": ("合作方式", "cooperation", "cooperation_modes"),
        "ip_status": ("知识产权", "知识产权状况", "知识产权情况", "ip_status"),
        "patent_numbers": ("专利号", "专利", "专利号码", "patent_numbers", "patents"),
        "reference_price": ("参考价格（万元）", "参考价格", "参考价", "reference_price", "price"),
        "application_fields": ("应用领域", "应用范围", "应用行业", "application_fields"),
    },
    K.EXPERT: {
        "expert_title": ("职称", "expert_title"),
        "unit": ("所在部门", "所在单位/部门", "部门", "所在实验室", "院系", "unit"),
        "achievements": ("代表性成果", "主要成果", "主要业绩", "achievements"),
    },
    K.EQUIPMENT: {
        "model_no": ("规格型号", "型号", "型号规格", "model_no", "model"),
        "unit": ("所在部门", "所属单位", "管理部门", "部门", "unit"),
        "sharing_mode": ("共享方式", "服务方式", "sharing_mode"),
        "fee_standard": ("收费标准", "收费", "fee_standard", "fee"),
        "location": ("存放地点", "放置地点", "所在地点", "地点", "location"),
    },
}

# An expert's title is the name and body the research directions; equipment likewise.
RENAMED = {
    K.EXPERT: {
        "title": ("姓名", "专家姓名", "name"),
        "body": ("研究方向", "research_directions"),
    },
    K.EQUIPMENT: {
        "title": ("设备名称", "仪器名称", "仪器设备名称", "name"),
        "body": ("主要功能", "功能与用途", "功能", "技术能力", "功能用途", "capabilities"),
    },
}

# Values as files write them: Chinese whatever the interface language, so files round-trip.
KIND_TEXT = {
    "problem": "技术需求",
    "talent": "人才需求",
    "result": "科技成果",
    "expert": "专家",
    "equipment": "仪器设备",
}
STATUS_TEXT = {
    "pending": "待审核",
    "published": "已发布",
    "returned": "退回修改",
    "rejected": "未通过",
    "archived": "已归档",
}
VISIBILITY_TEXT = {
    Visibility.PUBLIC.value: "公开",
    Visibility.LIAISONS.value: "仅科研机构可见",
    Visibility.ANONYMOUS.value: "匿名",
}
VISIBILITY_BY_LABEL = {label: value for value, label in VISIBILITY_TEXT.items()}

# Field names people recognise, for messages about columns the file does not have.
FIELD_LABELS = {
    "ref": _l("编号"),
    "title": _l("标题"),
    "body": _l("详细描述"),
    "field": _l("领域"),
    "keywords": _l("关键词"),
    ORGANIZATION: _l("单位"),
    COUNTY: _l("所在县区"),
    "valid_until": _l("有效期"),
}

# Values that mean a known FIELDS entry (files from other systems name fields differently).
FIELD_ALIASES = {
    "电力": "电力装备",
    "电力设备": "电力装备",
    "农产品加工": "农副产品深加工",
    "农副产品加工": "农副产品深加工",
    "食品加工": "农副产品深加工",
    "中药": "中药材",
    "中医药": "中药材",
    "汽车配件": "汽车零部件",
    "电子": "电子信息",
    "节能": "节能环保",
    "环保": "节能环保",
    "医药": "生物医药",
    "材料": "新材料",
    "机械制造": "装备制造",
    "花卉苗木": "花木",
    "农业食品": "农副产品深加工",
    "食品": "农副产品深加工",
    "农产品加工与食品": "农副产品深加工",
    "化学工业": "化工",
    "轻工": "轻工纺织",
    "纺织": "轻工纺织",
    "纺织服装": "轻工纺织",
    "农业": "现代农业",
}

# Cooperation modes as other systems write them. 技术服务 and 技术咨询 are one chapter of the
# Civil Code's technology contracts (技术咨询合同和技术服务合同), closest of the modes we offer.
COOPERATION_ALIASES = {
    "技术服务": "技术咨询",
    "技术咨询与服务": "技术咨询",
    "技术咨询和技术服务": "技术咨询",
    "转让": "技术转让",
    "许可": "技术许可",
    "专利许可": "技术许可",
    "专利转让": "技术转让",
    "联合开发": "合作开发",
    "合作研发": "合作开发",
}


def aliases(kind: PostingKind) -> dict[str, tuple[str, ...]]:
    """Every importable field of this kind with its accepted headers, export header first."""
    renamed = RENAMED.get(kind, {})
    fields = {
        name: (*renamed.get(name, ()), *headers)
        for name, headers in {**COMMON, **BY_KIND[kind]}.items()
    }
    return {**fields, **READ_ONLY, KIND_COLUMN: KIND_HEADERS}


def export_columns(kind: PostingKind) -> list[tuple[str, str]]:
    """(field, Chinese header) of every column an export of this kind writes."""
    headers = aliases(kind)
    del headers[KIND_COLUMN]
    return [(name, names[0]) for name, names in headers.items()]


def mixed_export_columns() -> list[tuple[str, tuple[str, ...]]]:
    """(Chinese header, fields) of an export of all kinds: shared headers share a column."""
    merged: dict[str, list[str]] = {KIND_HEADERS[0]: [KIND_COLUMN]}
    groups = [{**COMMON, **BY_KIND[kind]} for kind in PostingKind] + [READ_ONLY]
    for group in groups:
        for name, headers in group.items():
            fields = merged.setdefault(headers[0], [])
            if name not in fields:
                fields.append(name)
    return [(header, tuple(fields)) for header, fields in merged.items()]


def header_key(text) -> str:
    """A header as compared: NFKC (full-width brackets become ASCII), no spaces or *, lower."""
    key = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*＊]", "", key).lower()


def match_headers(kind: PostingKind, headers: list) -> tuple[dict[int, str], list[str]]:
    """Map column positions to field names; also return the headers nobody recognised."""
    lookup = {header_key(h): name for name, hs in aliases(kind).items() for h in hs}
    mapped, unknown = {}, []
    for position, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        name = lookup.get(key) or lookup.get(OPTIONAL_SUFFIX.sub("", key))
        if name:
            mapped[position] = name
        else:
            unknown.append(str(header).strip())
    return mapped, unknown


def label_for(name: str, headers: dict[str, str]) -> str:
    """How to name a field in a message: the file's own header when it has one."""
    return headers.get(name) or str(FIELD_LABELS.get(name, name))
