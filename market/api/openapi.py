"""The OpenAPI 3 document of API v1, built from the same tables the API validates with.

Field schemas below are what `inputs.check_types` checks request bodies against, and choice
lists and required fields come from the posting models and `KIND_FIELD_SPECS`, so the
document and the API cannot drift apart silently (tests compare real responses with it).
"""

from __future__ import annotations

from datetime import timedelta

from market.accounts.models import COUNTIES
from market.agreements.models import AgreementStatus, ContractType, PartyRole
from market.dockings.models import DockingOutcome, DockingStatus
from market.postings.fields import KIND_FIELD_SPECS, KIND_FIELDS
from market.postings.models import (
    BUDGET_BANDS,
    COOPERATION_MODES,
    DEGREES,
    FIELDS,
    IP_STATUSES,
    MATURITY_LEVELS,
    SHARING_MODES,
    PostingKind,
    PostingStatus,
    Visibility,
)
from market.timeutil import today

K = PostingKind
COLLECTIONS = {
    "problems": K.PROBLEM,
    "talent-needs": K.TALENT,
    "results": K.RESULT,
    "experts": K.EXPERT,
    "equipment": K.EQUIPMENT,
}
SCHEMA_NAMES = {
    K.PROBLEM: "Problem",
    K.TALENT: "TalentNeed",
    K.RESULT: "Result",
    K.EXPERT: "Expert",
    K.EQUIPMENT: "Equipment",
}
KIND_TITLES = {
    K.PROBLEM: "技术需求",
    K.TALENT: "人才需求",
    K.RESULT: "科技成果",
    K.EXPERT: "专家",
    K.EQUIPMENT: "仪器设备",
}
ERROR_CODES = [
    "validation_error",
    "not_found",
    "forbidden",
    "unauthorized",
    "bad_request",
    "conflict",
    "server_error",
]
MONEY_IN = {
    "type": "string",
    "pattern": r"^[0-9]{1,7}(\.[0-9]{1,2})?$",
    "description": '金额（万元），字符串，最多两位小数，例如 "30.00"',
}
MONEY_OUT = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "description": "万元，两位小数"}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def _text(multiline: bool = False) -> dict:
    return {"type": "string", "description": "多行文本" if multiline else "单行文本"}


def _choice(options) -> dict:
    return {"type": "string", "enum": list(options)}


def _list(items: dict) -> dict:
    return {"type": "array", "items": items}


# What each posting field accepts in a request body. Lengths and formats are checked by the
# posting services, which say what is wrong in the user's language (422 validation_error).
FIELD_SCHEMAS: dict[str, dict] = {
    "title": _text(),
    "body": _text(multiline=True),
    "indicators": _text(multiline=True),
    "baseline": _text(multiline=True),
    "expected_outcome": _text(multiline=True),
    "field": _choice(FIELDS),
    "keywords": {**_list({"type": "string"}), "description": "关键词（最多 10 个）"},
    "budget_band": _choice(BUDGET_BANDS),
    "budget": MONEY_IN,
    "cooperation": _choice(COOPERATION_MODES),
    "visibility": {
        **_choice([v.value for v in Visibility]),
        "description": "public：公开；liaisons：详情仅对科研机构联络员可见；"
        "anonymous：另隐藏企业名称，直到企业接受对接",
    },
    "valid_until": {**DATE, "description": "有效期至：晚于今天，最长两年"},
    "contact_person": _text(),
    "position": _text(),
    "discipline": _text(),
    "degree": _choice(DEGREES),
    "headcount": {"type": "integer", "minimum": 1, "maximum": 999},
    "salary": _text(),
    "workplace": _text(),
    "maturity": _choice(MATURITY_LEVELS),
    "cooperation_modes": _list(_choice(COOPERATION_MODES)),
    "ip_status": _choice(IP_STATUSES),
    "patent_numbers": {**_list({"type": "string"}), "description": "专利申请号或公开号"},
    "reference_price": MONEY_IN,
    "application_fields": _text(multiline=True),
    "expert_title": _text(),
    "unit": _text(),
    "achievements": _text(multiline=True),
    "model_no": _text(),
    "sharing_mode": _choice(SHARING_MODES),
    "fee_standard": _text(),
    "location": _text(),
}

# Keys every posting representation has besides its kind's fields (see `visible_fields`).
COMMON_OUTPUT = {
    "id": ID,
    "kind": _choice([k.value for k in PostingKind]),
    "ref": {"type": "string", "nullable": True},
    "status": _choice([s.value for s in PostingStatus]),
    "organization": {"type": "string", "description": "发布单位；匿名需求显示为占位文字"},
    "county": {"type": "string", "nullable": True},
    "published_at": {**DATE_TIME, "nullable": True},
    "last_confirmed_at": {**DATE_TIME, "nullable": True},
    "details_hidden": {"type": "boolean", "description": "详情对当前调用者隐藏（字段为 null）"},
    "company_hidden": {"type": "boolean", "description": "企业名称对当前调用者隐藏"},
}


def input_schema(kind: PostingKind, *, partial: bool) -> dict:
    """The request body for creating (all required fields) or changing (any subset) a posting."""
    properties = {}
    for spec in KIND_FIELD_SPECS[kind]:
        schema = {**FIELD_SCHEMAS[spec.name], "title": str(spec.label)}
        if not spec.required:
            schema["nullable"] = True
        properties[spec.name] = schema
    body = {"type": "object", "properties": properties, "additionalProperties": False}
    if not partial:
        body["required"] = [spec.name for spec in KIND_FIELD_SPECS[kind] if spec.required]
    return body


def output_schema(kind: PostingKind) -> dict:
    """A posting as `visible_fields` gives it: hidden or empty fields are null."""
    properties = dict(COMMON_OUTPUT)
    for name in KIND_FIELDS[kind]:
        properties[name] = _output_field(FIELD_SCHEMAS[name])
    properties["kind"] = _choice([kind.value])
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _output_field(schema: dict) -> dict:
    if schema is MONEY_IN:
        return {**MONEY_OUT, "nullable": True}
    if schema.get("type") == "array":
        return {"type": "array", "items": {"type": "string"}, "nullable": True}
    # Stored values are shown as stored: no enum, in case a choice list changes later.
    kept = {k: v for k, v in schema.items() if k in ("type", "format", "minimum", "maximum")}
    return {**kept, "nullable": True}


def example_input(kind: PostingKind) -> dict:
    """A valid body for creating a posting of this kind (also what schemathesis starts from)."""
    valid_until = (today() + timedelta(days=90)).isoformat()
    common = {"field": "电力装备", "keywords": ["开关柜", "测温"], "valid_until": valid_until}
    bodies = {
        K.PROBLEM: {
            "title": "开关柜触头发热无法在线监测",
            "body": "十千伏开关柜触头和母排接头松动后发热，红外测温枪照不到柜内，希望找到"
            "能长期安装在柜内、无需电池的无线测温办法。",
            "cooperation": "合作开发",
            "budget": "30.00",
            "visibility": "public",
        },
        K.TALENT: {
            "title": "招聘电力电子工程师",
            "position": "电力电子工程师",
            "body": "负责开关电源与逆变器的研发设计，熟悉电路仿真与样机调试，有新能源行业"
            "经验者优先。",
            "headcount": 2,
        },
        K.RESULT: {
            "title": "开关柜无源无线声表面波测温技术",
            "body": "采用声表面波谐振器作为温敏元件，传感器无电池、无需取电，可安装于开关柜"
            "触头、母排搭接面等高电位接点，测温精度±1℃。",
            "maturity": "产业化",
            "cooperation_modes": ["技术许可", "合作开发"],
            "reference_price": "120.50",
        },
        K.EXPERT: {
            "title": "李明",
            "expert_title": "研究员",
            "unit": "中国科学院电工研究所 电力电子研究部",
            "body": "大功率电力电子变换、开关柜状态监测与故障诊断。",
        },
        K.EQUIPMENT: {
            "title": "局部放电检测系统",
            "unit": "中国科学院电工研究所",
            "body": "开关柜、电缆和变压器的局部放电检测与定位。",
            "sharing_mode": "委托测试",
        },
    }
    return {**bodies[kind], **common}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _page_of(item_schema: dict) -> dict:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": item_schema},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
        },
        "required": ["items", "page", "per_page", "total"],
        "additionalProperties": False,
    }


def _json(schema: dict, description: str, example: dict | None = None) -> dict:
    content = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"description": description, "content": {"application/json": content}}


ERROR_DESCRIPTIONS = {
    "400": "请求格式或查询参数有误（bad_request）",
    "401": "缺少或无效的 API 令牌（unauthorized）",
    "403": "无权进行此操作（forbidden）",
    "404": "不存在或对调用者不可见（not_found）",
    "409": "与当前状态冲突（conflict）",
    "413": "提交的内容过大（bad_request）",
    "415": "请求体不是 JSON（bad_request）",
    "422": "字段有误，fields 中逐项说明（validation_error）",
}


def _responses(ok: str, ok_response: dict, *errors: str) -> dict:
    responses = {ok: ok_response}
    for status in ("400", "401", *errors):
        responses[status] = {"$ref": f"#/components/responses/E{status}"}
    return responses


WRITE_ERRORS = ("403", "409", "413", "415", "422")
PUBLIC = [{}, {"bearer": []}]  # a token is optional: anonymous callers see what visitors see


def _parameter(name: str, schema: dict, description: str, where: str = "query") -> dict:
    param = {"name": name, "in": where, "schema": schema, "description": description}
    if where == "path":
        param["required"] = True
    return param


PAGING = [
    _parameter("page", {"type": "integer", "minimum": 1, "maximum": 100_000}, "页码，从 1 开始"),
    _parameter("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "每页条数，默认 20"),
]


def _posting_filters(kind: PostingKind) -> list[dict]:
    params = [
        _parameter("field", _choice(FIELDS), "所属领域"),
        _parameter("county", _choice(COUNTIES), "发布单位所在县（市、区）"),
        _parameter(
            "status",
            _choice([s.value for s in PostingStatus]),
            "审核状态：科技局可按任意状态列出；其他人仅在 mine=true 时可用",
        ),
        _parameter("mine", {"type": "boolean"}, "只列本单位发布的信息（任意状态，需令牌）"),
    ]
    if kind in (K.PROBLEM, K.RESULT):
        params.append(_parameter("cooperation", _choice(COOPERATION_MODES), "合作方式"))
    if kind == K.RESULT:
        params.append(_parameter("maturity", _choice(MATURITY_LEVELS), "成熟度"))
    return params


def _posting_paths(collection: str, kind: PostingKind) -> dict:
    name, title = SCHEMA_NAMES[kind], KIND_TITLES[kind]
    item_path = _parameter("posting_id", ID, "信息编号", where="path")
    return {
        f"/{collection}": {
            "get": {
                "operationId": f"list_{collection.replace('-', '_')}",
                "summary": f"列出{title}",
                "description": "匿名可读已发布且未过期的信息；科技局默认列出所有状态。",
                "security": PUBLIC,
                "parameters": [*PAGING, *_posting_filters(kind)],
                "responses": _responses("200", _json(_page_of(_ref(name)), f"{title}列表"), "403"),
            },
            "post": {
                "operationId": f"create_{collection.replace('-', '_')}",
                "summary": f"发布{title}（提交科技局审核）",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": _ref(f"{name}Input"),
                            "example": example_input(kind),
                        }
                    },
                },
                "responses": _responses("201", _json(_ref(name), "已提交"), *WRITE_ERRORS),
            },
        },
        f"/{collection}/{{posting_id}}": {
            "parameters": [item_path],
            "get": {
                "operationId": f"get_{collection.replace('-', '_')}",
                "summary": f"读取{title}",
                "security": PUBLIC,
                "responses": _responses("200", _json(_ref(name), title), "404"),
            },
            "patch": {
                "operationId": f"update_{collection.replace('-', '_')}",
                "summary": f"修改{title}（仅发布单位）",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(f"{name}Update")}},
                },
                "responses": _responses("200", _json(_ref(name), "已修改"), "404", *WRITE_ERRORS),
            },
        },
        f"/{collection}/{{posting_id}}/matches": {
            "parameters": [item_path],
            "get": {
                "operationId": f"matches_of_{collection.replace('-', '_')}",
                "summary": f"{title}的匹配结果（发布单位和科技局）",
                "parameters": PAGING,
                "responses": _responses(
                    "200", _json(_page_of(_ref("Match")), "匹配结果，最相关的在前"), "403", "404"
                ),
            },
        },
    }


def _docking_paths() -> dict:
    docking_id = _parameter("docking_id", ID, "对接编号", where="path")
    answer = {
        "parameters": [docking_id],
        "post": {
            "responses": _responses("200", _json(_ref("Docking"), "已答复"), "403", "404", "409")
        },
    }
    return {
        "/dockings": {
            "get": {
                "operationId": "list_dockings",
                "summary": "本单位的对接（科技局：全部）",
                "parameters": [
                    *PAGING,
                    _parameter("status", _choice([s.value for s in DockingStatus]), "对接状态"),
                ],
                "responses": _responses("200", _json(_page_of(_ref("Docking")), "对接列表")),
            },
            "post": {
                "operationId": "request_docking",
                "summary": "就一项需求和一项成果（专家、设备）发起对接",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("DockingInput")}},
                },
                "responses": _responses("201", _json(_ref("Docking"), "已发起"), *WRITE_ERRORS),
            },
        },
        "/dockings/{docking_id}": {
            "parameters": [docking_id],
            "get": {
                "operationId": "get_docking",
                "summary": "读取对接",
                "responses": _responses("200", _json(_ref("Docking"), "对接"), "404"),
            },
        },
        "/dockings/{docking_id}/accept": {
            **answer,
            "post": {**answer["post"], "operationId": "accept_docking", "summary": "接受对接"},
        },
        "/dockings/{docking_id}/decline": {
            "parameters": [docking_id],
            "post": {
                "operationId": "decline_docking",
                "summary": "婉拒对接（须说明原因）",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("DeclineInput")}},
                },
                "responses": _responses(
                    "200", _json(_ref("Docking"), "已婉拒"), "403", "404", "409", "415", "422"
                ),
            },
        },
    }


def _agreement_paths() -> dict:
    return {
        "/agreements": {
            "get": {
                "operationId": "list_agreements",
                "summary": "合同：科技局看全部，企业和科研机构看本单位签订的",
                "parameters": [
                    *PAGING,
                    _parameter(
                        "year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "签订年份"
                    ),
                    _parameter("county", _choice(COUNTIES), "企业所在县（市、区）"),
                ],
                "responses": _responses("200", _json(_page_of(_ref("Agreement")), "合同列表")),
            },
            "post": {
                "operationId": "submit_agreement",
                "summary": "登记合同（仅科技局）；同一 submission_key 只登记一次",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("AgreementInput")}},
                },
                "responses": {
                    **_responses("201", _json(_ref("Agreement"), "已提交登记"), *WRITE_ERRORS),
                    "200": _json(_ref("Agreement"), "此 submission_key 已登记过：原合同"),
                },
            },
        },
        "/agreements/{agreement_id}": {
            "parameters": [_parameter("agreement_id", ID, "合同编号", where="path")],
            "get": {
                "operationId": "get_agreement",
                "summary": "读取合同",
                "responses": _responses("200", _json(_ref("Agreement"), "合同"), "404"),
            },
        },
    }


def _organization() -> dict:
    return {
        "type": "object",
        "properties": {
            "id": ID,
            "name": {"type": "string"},
            "county": {"type": "string", "nullable": True},
        },
        "required": ["id", "name"],
    }


def _component_schemas() -> dict:
    schemas: dict[str, dict] = {}
    for kind, name in SCHEMA_NAMES.items():
        schemas[name] = output_schema(kind)
        schemas[f"{name}Input"] = input_schema(kind, partial=False)
        schemas[f"{name}Update"] = input_schema(kind, partial=True)
    any_posting = {"oneOf": [_ref(name) for name in SCHEMA_NAMES.values()]}
    schemas["Match"] = {
        "type": "object",
        "properties": {
            "strength": {"type": "number", "minimum": 0, "maximum": 1},
            "terms": {"type": "array", "items": {"type": "string"}},
            "highlights": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "对方信息中的匹配片段（HTML，已转义，<mark> 标出匹配词）",
            },
            "computed_at": DATE_TIME,
            "posting": any_posting,
        },
        "required": ["strength", "terms", "highlights", "computed_at", "posting"],
        "additionalProperties": False,
    }
    schemas["Docking"] = {
        "type": "object",
        "properties": {
            "id": ID,
            "status": _choice([s.value for s in DockingStatus]),
            "message": {"type": "string", "nullable": True},
            "requested_by": _choice(["demand", "supply"]),
            "awaiting_your_answer": {"type": "boolean"},
            "created_at": DATE_TIME,
            "decided_at": {**DATE_TIME, "nullable": True},
            "demand": any_posting,
            "supply": any_posting,
        },
        "required": [
            "id",
            "status",
            "message",
            "requested_by",
            "awaiting_your_answer",
            "created_at",
            "decided_at",
            "demand",
            "supply",
        ],
        "additionalProperties": False,
    }
    schemas["DockingInput"] = DOCKING_INPUT
    schemas["DeclineInput"] = DECLINE_INPUT
    schemas["Agreement"] = {
        "type": "object",
        "properties": {
            "id": ID,
            "title": {"type": "string"},
            "amount": MONEY_OUT,
            "signed_on": DATE,
            "status": _choice([s.value for s in AgreementStatus]),
            "docking_id": {**ID, "nullable": True},
            "company": _organization(),
            "institute": _organization(),
            "created_at": DATE_TIME,
            "registration_no": {"type": "string", "description": "合同登记号"},
            "contract_type": _choice([t.value for t in ContractType]),
            "tech_amount": MONEY_OUT,
            "term_start": {**DATE, "nullable": True},
            "term_end": {**DATE, "nullable": True},
            "county": {"type": "string", "nullable": True},
            "field": {"type": "string", "nullable": True},
            "problem_id": {**ID, "nullable": True},
            "result_id": {**ID, "nullable": True},
            "event_id": {**ID, "nullable": True},
            "revision": {"type": "integer", "minimum": 1},
            "parties": _list(
                {
                    "type": "object",
                    "properties": {
                        "id": ID,
                        "name": {"type": "string"},
                        "role": _choice([r.value for r in PartyRole]),
                    },
                    "required": ["id", "name", "role"],
                }
            ),
        },
        "required": [
            "id",
            "title",
            "amount",
            "signed_on",
            "status",
            "docking_id",
            "company",
            "institute",
            "created_at",
        ],
        "additionalProperties": False,
    }
    schemas["AgreementInput"] = AGREEMENT_INPUT
    schemas["User"] = {
        "type": "object",
        "properties": {
            "id": ID,
            "name": {"type": "string"},
            "email": {"type": "string"},
            "role": _choice(["enterprise", "institute", "bureau"]),
            "organization": _organization(),
        },
        "required": ["id", "name", "email", "role", "organization"],
        "additionalProperties": False,
    }
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": _choice(ERROR_CODES),
                    "message": {"type": "string", "description": "说明（按调用者语言，默认中文）"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "出错字段及其说明",
                    },
                },
                "required": ["code", "message", "fields"],
                "additionalProperties": False,
            }
        },
        "required": ["error"],
        "additionalProperties": False,
    }
    return schemas


DOCKING_INPUT = {
    "type": "object",
    "properties": {
        "demand_id": {**ID, "description": "技术需求或人才需求的编号"},
        "supply_id": {**ID, "description": "科技成果、专家或仪器设备的编号"},
        "message": {"type": "string", "nullable": True, "description": "留言（不超过 1000 字）"},
    },
    "required": ["demand_id", "supply_id"],
    "additionalProperties": False,
}
DECLINE_INPUT = {
    "type": "object",
    "properties": {
        "outcome": {
            **_choice([o.value for o in DockingOutcome]),
            "description": "未达成原因：tech_mismatch 技术不匹配、no_budget 预算不足、"
            "bad_timing 时机不成熟、solved_elsewhere 已另行解决、other 其他（须填写说明）",
        },
        "comment": {"type": "string", "nullable": True, "description": "说明（不超过 500 字）"},
    },
    "required": ["outcome"],
    "additionalProperties": False,
}
AGREEMENT_INPUT = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "description": "合同名称"},
        "amount": MONEY_IN,
        "signed_on": {**DATE, "description": "签订日期，不晚于今天"},
        "docking_id": {**ID, "nullable": True, "description": "洽谈中的对接；给出时双方取自对接"},
        "company_id": {**ID, "nullable": True, "description": "牵头企业（委托方/受让方）"},
        "institute_id": {**ID, "nullable": True, "description": "牵头科研机构（受托方/让与方）"},
        "extra_buyer_ids": {**_list(ID), "nullable": True, "description": "其他委托方/受让方"},
        "extra_seller_ids": {**_list(ID), "nullable": True, "description": "其他受托方/让与方"},
        "contract_type": {
            **_choice([t.value for t in ContractType]),
            "nullable": True,
            "description": "合同类型：development 技术开发、transfer 技术转让、licensing 技术许可、"
            "consulting 技术咨询、service 技术服务（默认技术开发）",
        },
        "tech_amount": {
            **MONEY_IN,
            "nullable": True,
            "description": "技术交易额（万元），默认等于合同金额",
        },
        "term_start": {**DATE, "nullable": True, "description": "合同期限起"},
        "term_end": {**DATE, "nullable": True, "description": "合同期限止"},
        "county": {**_choice(COUNTIES), "nullable": True, "description": "企业所在县（市、区）"},
        "field": {**_choice(FIELDS), "nullable": True, "description": "技术领域"},
        "problem_id": {**ID, "nullable": True, "description": "来源技术需求"},
        "result_id": {**ID, "nullable": True, "description": "来源科技成果"},
        "event_id": {**ID, "nullable": True, "description": "促成合同的活动"},
        "submission_key": {
            "type": "string",
            "nullable": True,
            "description": "防重复提交的键（不超过 64 字符）：同一键只登记一份合同",
        },
    },
    "required": ["title", "amount", "signed_on"],
    "additionalProperties": False,
}


def build_document() -> dict:
    """The whole OpenAPI 3.0 document (examples use today's date, so build it per request)."""
    paths = {
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "本文档",
                "security": PUBLIC,
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3 文档")},
            }
        },
        "/me": {
            "get": {
                "operationId": "me",
                "summary": "令牌所属的用户",
                "responses": _responses("200", _json(_ref("User"), "当前用户")),
            }
        },
    }
    for collection, kind in COLLECTIONS.items():
        paths.update(_posting_paths(collection, kind))
    paths.update(_docking_paths())
    paths.update(_agreement_paths())
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "许昌科技大市场 API",
            "version": "1.0.0",
            "description": "技术需求、人才需求、科技成果、专家、仪器设备、匹配、对接与合同。"
            "令牌在“API 令牌”页面创建，以 Authorization: Bearer <令牌> 发送。"
            "金额单位为万元，以两位小数的字符串表示；日期为 ISO 8601。",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _component_schemas(),
            "responses": {
                f"E{status}": _json(_ref("Error"), description)
                for status, description in ERROR_DESCRIPTIONS.items()
            },
        },
    }
