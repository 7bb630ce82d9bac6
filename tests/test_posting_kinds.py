"""Every kind of posting: its fields, who may post it, validation, completeness and editing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from market import outbox
from market.accounts.models import Role
from market.errors import DomainError
from market.extensions import db
from market.postings.fields import check_character, patent_number, validate_posting
from market.postings.models import Posting, PostingKind, PostingStatus
from market.postings.services import completeness, submit_posting, update_posting
from market.timeutil import today

VALID_UNTIL = (today() + timedelta(days=120)).isoformat()

FORMS = {
    "problem": {
        "title": "超硬刀具磨损太快",
        "body": "我公司加工灰铸铁缸体，现用硬质合金刀具一个班要换三次刀，停机换刀影响产能，"
        "希望找到寿命更长的刀具材料和刃口处理方案。缸体材料为 HT250，切削速度 300 米每分钟，"
        "现有机床为国产加工中心，主轴功率 15 千瓦，冷却为乳化液，每天两班生产约八百件。",
        "indicators": "刀具寿命提高 3 倍以上；表面粗糙度 Ra≤1.6",
        "baseline": "已试过两家进口涂层刀片，寿命提高约 50%，成本太高。",
        "expected_outcome": "可批量供货的刀具方案",
        "field": "超硬材料",
        "keywords": "PCBN、刀具寿命、灰铸铁",
        "budget_band": "10-50万元",
        "budget": "35.00",
        "cooperation": "委托开发",
        "visibility": "public",
        "valid_until": VALID_UNTIL,
        "contact_person": "王工",
    },
    "talent": {
        "title": "招聘电力电子研发工程师",
        "position": "研发工程师",
        "discipline": "电力电子",
        "degree": "硕士",
        "headcount": "2",
        "salary": "年薪 15-25 万元，提供人才公寓",
        "workplace": "许昌市魏都区",
        "body": "负责储能变流器控制算法开发与样机调试，要求熟悉 DSP 编程和功率器件驱动设计，"
        "有两年以上相关项目经验者优先。",
        "field": "电力装备",
        "keywords": "变流器、DSP",
        "valid_until": VALID_UNTIL,
        "contact_person": "人事部 李女士",
    },
    "result": {
        "title": "PCBN 刀具刃口钝化与涂层技术",
        "body": "采用立方氮化硼复合片制备刀具，结合刃口钝化和复合涂层，加工灰铸铁时寿命为硬质"
        "合金刀具的 3-5 倍，已在多家发动机缸体产线验证。刃口采用倒棱加钝化处理，"
        "抗崩刃能力明显提高，适合高速断续切削；可根据用户工况定制刀片规格与涂层。",
        "indicators": "寿命提高 3-5 倍；Ra 0.8",
        "field": "超硬材料",
        "keywords": "PCBN、刀具、涂层",
        "maturity": "中试",
        "cooperation_modes": ["技术许可", "合作开发"],
        "ip_status": "已授权专利",
        "patent_numbers": "ZL201710601862.3, CN112345678A",
        "reference_price": "80.00",
        "application_fields": "汽车零部件、铸铁加工",
        "valid_until": VALID_UNTIL,
        "contact_person": "张老师",
    },
    "expert": {
        "title": "李明",
        "expert_title": "研究员",
        "unit": "中国科学院电工研究所 储能技术研究组",
        "body": "电池储能系统集成、变流器控制与电网友好并网技术，兼顾储能电站安全监测与寿命评估。",
        "achievements": "主持国家重点研发计划项目 2 项；兆瓦级储能电站示范工程。",
        "field": "电力装备",
        "keywords": "储能、变流器",
        "valid_until": VALID_UNTIL,
        "contact_person": "联络办公室",
    },
    "equipment": {
        "title": "场发射扫描电子显微镜",
        "model_no": "SU8020",
        "unit": "郑州大学 材料测试中心",
        "body": "可开展金刚石、立方氮化硼等超硬材料的表面形貌、断口和成分分析。",
        "sharing_mode": "委托测试",
        "fee_standard": "400 元/小时（校外）",
        "location": "郑州大学主校区材料楼 101",
        "field": "超硬材料",
        "keywords": "电镜、形貌分析",
        "valid_until": VALID_UNTIL,
        "contact_person": "测试中心 赵老师",
    },
}
PATHS = {
    "problem": "problems",
    "talent": "talent",
    "result": "results",
    "expert": "experts",
    "equipment": "equipment",
}
POSTERS = {"problem": Role.ENTERPRISE, "talent": Role.ENTERPRISE}


def poster_role(kind):
    return POSTERS.get(kind, Role.INSTITUTE)


@pytest.mark.parametrize("kind", list(FORMS))
def test_each_kind_is_posted_through_its_form_with_all_fields(kind, client, auth, make_user):
    auth.login(make_user(poster_role(kind)))
    response = client.post(f"/postings/{PATHS[kind]}/new", data=FORMS[kind])
    assert response.status_code == 302, response.text[-2000:]
    posting = db.session.scalar(select(Posting))
    assert posting.kind == PostingKind(kind)
    assert posting.status == PostingStatus.PENDING
    assert posting.contact_person == FORMS[kind]["contact_person"]
    assert completeness(posting).score == 100
    page = client.get(f"/postings/{posting.id}").text
    assert FORMS[kind]["title"] in page
    assert FORMS[kind]["contact_person"] in page


@pytest.mark.parametrize("kind", list(FORMS))
def test_the_wrong_role_cannot_post_a_kind(kind, client, auth, make_user):
    wrong = Role.INSTITUTE if poster_role(kind) == Role.ENTERPRISE else Role.ENTERPRISE
    auth.login(make_user(wrong))
    assert client.post(f"/postings/{PATHS[kind]}/new", data=FORMS[kind]).status_code == 403
    with pytest.raises(DomainError):
        submit_posting(make_user(Role.BUREAU), PostingKind(kind), FORMS[kind])
    assert db.session.scalar(select(func.count(Posting.id))) == 0


def test_result_fields_are_stored_exactly(client, auth, make_user):
    auth.login(make_user(Role.INSTITUTE))
    client.post("/postings/results/new", data=FORMS["result"])
    result = db.session.scalar(select(Posting))
    assert result.patent_numbers == ["201710601862.3", "CN112345678A"]
    assert str(result.reference_price) == "80.00"
    assert result.cooperation_modes == ["技术许可", "合作开发"]


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("ZL201710601862.3", True),  # the published worked example
        ("2017106018623", True),
        ("ZL 2017 1060 1862.3", True),
        ("ＺＬ２０１７１０６０１８６２．３", True),  # full-width, as typed with a Chinese IME
        ("ZL95115608.X", True),  # an 8-digit number from before 2004
        ("CN112345678A", True),
        ("CN212345678U", True),
        ("ZL201710601862.4", False),  # wrong check character
        ("CN11234567A", False),
        ("US1234567B2", False),
        ("专利一项", False),
    ],
)
def test_patent_numbers_are_checked(number, valid):
    if valid:
        assert patent_number(number)
    else:
        with pytest.raises(ValueError):
            patent_number(number)


def test_patent_check_character_is_the_mod_11_rule():
    # Weights 2..9 repeating, sum mod 11, 10 written X (CNIPA's rule; published examples).
    assert check_character("201710601862") == "3"
    assert check_character("95115608") == "X"


def test_invalid_values_are_refused_per_field(app):
    bad = {
        **FORMS["result"],
        "maturity": "量产",
        "patent_numbers": "ZL201710601862.4",
        "reference_price": "-1",
        "cooperation_modes": ["白送"],
        "keywords": ["x" * 31],
    }
    with pytest.raises(DomainError) as error:
        validate_posting(PostingKind.RESULT, bad)
    assert set(error.value.errors) == {
        "maturity",
        "patent_numbers",
        "reference_price",
        "cooperation_modes",
        "keywords",
    }
    assert "校验位" in error.value.errors["patent_numbers"]
    past = {**FORMS["equipment"], "valid_until": (today() - timedelta(days=1)).isoformat()}
    with pytest.raises(DomainError) as error:
        validate_posting(PostingKind.EQUIPMENT, past)
    assert "有效期必须晚于今天" in error.value.errors["valid_until"]


def test_completeness_tells_what_is_missing_while_typing(client, auth, make_user):
    auth.login(make_user(Role.ENTERPRISE))
    sparse = {"title": "刀具磨得快", "body": "换刀频繁。", "field": "超硬材料"}
    result = client.post("/postings/completeness", json={"kind": "problem", "values": sparse})
    assert result.status_code == 200
    body = result.get_json()
    assert body["score"] < 30
    hints = " ".join(body["hints"])
    assert "技术指标" in hints and "预算区间" in hints and "描述偏短" in hints
    full = client.post(
        "/postings/completeness", json={"kind": "problem", "values": FORMS["problem"]}
    )
    assert full.get_json() == {"score": 100, "hints": []}
    assert client.post("/postings/completeness", json={"kind": "nope"}).status_code == 400


def test_the_review_queue_shows_completeness(client, auth, make_user, make_posting):
    make_posting("problem")
    auth.login(make_user(Role.BUREAU))
    page = client.get("/review/").text
    assert "完整度" in page


def test_owners_edit_and_a_published_posting_is_indexed_again(client, auth, make_posting):
    from market.matching.services import index_store

    problem = make_posting("problem", publish=True)
    auth.login(problem.author)
    form = {**FORMS["problem"], "title": "改过的标题：开关柜测温"}
    response = client.post(f"/postings/{problem.id}/edit", data=form)
    assert response.status_code == 302
    db.session.refresh(problem)
    assert problem.title == "改过的标题：开关柜测温"
    assert problem.status == PostingStatus.PUBLISHED
    assert index_store().stamps()[problem.id] == problem.stamp()


def test_others_cannot_edit(client, auth, make_user, make_posting):
    problem = make_posting("problem", publish=True)
    auth.login(make_user(Role.ENTERPRISE, org_name="许昌别的公司"))
    assert client.post(f"/postings/{problem.id}/edit", data=FORMS["problem"]).status_code == 403
    with pytest.raises(DomainError):
        update_posting(make_user(Role.BUREAU), problem.id, {"title": "x"})
    db.session.refresh(problem)
    assert problem.title != FORMS["problem"]["title"]


def test_a_returned_posting_goes_back_to_review_when_edited(client, auth, make_posting):
    problem = make_posting("problem")
    problem.status = PostingStatus.RETURNED
    outbox.commit()
    auth.login(problem.author)
    assert "修改并重新提交" in client.get(f"/postings/{problem.id}").text
    client.post(f"/postings/{problem.id}/edit", data=FORMS["problem"])
    db.session.refresh(problem)
    assert problem.status == PostingStatus.PENDING
