"""The matching engine: concept bridging, bounded queries, fit preferences and explanations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from search_index import IndexStore, load_thesaurus, make_expander
from search_index.matching import (
    MAX_QUERY_TERMS,
    KeyTerm,
    KindStats,
    build_match_query,
    default_expander,
    fit_factor,
    modes_compatible,
    query_terms_for,
)

PCBN_RESULT = {
    "id": 1,
    "kind": "result",
    "title": "灰铸铁制动盘高速精车用PCBN刀具",
    "body": "聚晶立方氮化硼刀具精车灰铸铁，刀具寿命提高3倍以上。",
    "keywords": ["PCBN", "刀具寿命"],
    "field": "超硬材料",
    "org": "郑州磨料磨具磨削研究所",
}
OTHER_RESULTS = [
    {
        "id": 2,
        "kind": "result",
        "title": "小麦淀粉废水厌氧处理",
        "body": "IC厌氧反应器处理高浓度淀粉废水，COD去除率90%。",
        "keywords": ["淀粉废水", "厌氧"],
        "field": "节能环保",
        "org": "河南工业大学",
    },
    {
        "id": 3,
        "kind": "result",
        "title": "化纤假发阻燃改性",
        "body": "在化纤发丝中添加无卤阻燃剂，假发通过燃烧测试。",
        "keywords": ["阻燃", "假发"],
        "field": "轻工纺织",
        "org": "许昌学院",
    },
]
# Plant language: none of its words is in the PCBN result except through the thesaurus.
PLANT_PROBLEM = {
    "id": 100,
    "kind": "problem",
    "title": "刹车盘车削换刀太勤",
    "body": "一个班要换三次刀，刀磨得快，工人抱怨。",
    "keywords": [],
    "field": "汽车零部件",
    "org": "长葛某汽配厂",
}


def result(doc_id: int, **fields) -> dict:
    base = {
        "id": doc_id,
        "kind": "result",
        "title": "声表面波无线测温系统",
        "body": "开关柜触头温度在线监测，无源无线。",
        "keywords": ["无线测温"],
        "org": f"研究所{doc_id}",
    }
    return {**base, **fields}


def source(**fields) -> dict:
    base = {
        "id": 900,
        "kind": "problem",
        "title": "开关柜触头测温",
        "body": "开关柜触头发热，想在线监测温度。",
        "keywords": [],
        "org": "某配电公司",
    }
    return {**base, **fields}


@pytest.fixture
def store(tmp_path):
    store = IndexStore(str(tmp_path / "index"))
    yield store
    store.close()


@pytest.fixture
def market(store):
    store.rebuild([PCBN_RESULT, *OTHER_RESULTS])
    return store


# Concept bridging


def test_plant_language_finds_the_research_result_through_the_thesaurus(market):
    matches = market.match(PLANT_PROBLEM, "result", limit=3)
    assert matches[0].id == PCBN_RESULT["id"]


def test_without_the_thesaurus_the_plant_language_finds_less(tmp_path, market):
    from search_index.matching import expand_sub_words

    plain = IndexStore(market.index_dir, expand=expand_sub_words)
    try:
        bridged = market.match(PLANT_PROBLEM, "result")[0]
        unbridged = [m for m in plain.match(PLANT_PROBLEM, "result") if m.id == 1]
        assert not unbridged or unbridged[0].strength < bridged.strength
    finally:
        plain.close()


def test_a_bridged_match_says_which_synonym_bridged_which_word(market):
    match = market.match(PLANT_PROBLEM, "result")[0]
    assert ("刹车盘", "制动盘") in match.bridges
    assert any(source == "换刀太勤" for source, _synonym in match.bridges)
    assert "制动盘" in match.terms
    assert match.strength > 0


def test_a_result_finds_the_problem_written_in_plant_language(store):
    store.rebuild([PLANT_PROBLEM, dict(OTHER_RESULTS[0], id=101, kind="problem")])
    matches = store.match(PCBN_RESULT, "problem")
    assert [m.id for m in matches] == [PLANT_PROBLEM["id"]]
    assert ("制动盘", "刹车盘") in matches[0].bridges


def test_bridged_synonyms_are_highlighted_in_the_hit(market):
    match = market.match(PLANT_PROBLEM, "result")[0]
    assert "<mark>制动盘</mark>" in match.highlights["title"]


def test_a_word_found_as_typed_is_no_bridge(market):
    problem = dict(PLANT_PROBLEM, title="制动盘车削换刀太勤")
    match = market.match(problem, "result")[0]
    assert all(source != "制动盘" for source, _synonym in match.bridges)
    assert "制动盘" in match.terms


def test_matched_fields_name_where_the_hit_matched(store):
    store.rebuild([result(1, title="无关的标题", keywords=["阻燃"], body="开关柜触头测温。")])
    match = store.match(source(), "result")[0]
    assert match.fields == ("body",)


def test_bureau_groups_bridge_words_the_shipped_thesaurus_does_not_know(tmp_path):
    doc = result(1, title="神垕坯泥配方优化", body="坯泥配方。", keywords=[])
    wish = source(title="钧瓷土配方", body="钧瓷土配方不稳定。")
    plain = IndexStore(str(tmp_path / "index"))
    plain.rebuild([doc])
    bureau = IndexStore(
        plain.index_dir, expand=make_expander(load_thesaurus([["钧瓷土", "神垕坯泥"]]))
    )
    try:
        assert ("钧瓷土", "神垕坯泥") in bureau.match(wish, "result")[0].bridges
        assert all(("钧瓷土", "神垕坯泥") not in m.bridges for m in plain.match(wish, "result"))
    finally:
        plain.close()
        bureau.close()


def test_the_default_expander_is_the_shipped_thesaurus_and_is_cached():
    assert default_expander() is default_expander()
    terms = [KeyTerm("刹车盘", "刹车盘", 2.0, "刹车盘")]
    expanded = {t.text: t for t in default_expander()(terms)}
    assert expanded["制动盘"].via == "thesaurus"
    assert expanded["制动盘"].weight < 2.0
    assert expanded["制动盘"].origin == "刹车盘"


# A bounded query


def test_a_long_source_gives_a_bounded_query(market):
    words = "开关柜 断路器 变压器 互感器 电缆 母线 触头 绝缘子 避雷器 熔断器 电容器 电抗器 "
    long_text = (words + "刀具 砂轮 腐竹 粉条 蜂蜜 假发 钧瓷 废钢 烤烟 苗木 ") * 30
    problem = dict(PLANT_PROBLEM, body=long_text[:1000])
    searcher = market._searcher()
    terms = query_terms_for(problem, KindStats(searcher, "result"), default_expander())
    assert len(terms) <= MAX_QUERY_TERMS
    clauses = build_match_query(terms).subqueries
    for name in ("title", "keywords", "body"):
        assert sum(1 for q in clauses if q.fieldname == name) <= MAX_QUERY_TERMS


def test_expansions_weigh_less_than_the_word_they_stand_for(market):
    searcher = market._searcher()
    terms = query_terms_for(PLANT_PROBLEM, KindStats(searcher, "result"), default_expander())
    own = {t.text: t.weight for t in terms if not t.via}
    for term in terms:
        if term.via and term.origin in own:
            assert term.weight <= own[term.origin]


# Fit


def test_same_field_and_compatible_modes_give_a_mild_boost():
    factor, passed = fit_factor(
        {"kind": "problem", "field": "电力装备", "cooperation": ["技术转让"]},
        {"kind": "result", "field": "电力装备", "cooperation": "技术许可,技术咨询"},
    )
    assert passed == ("field", "cooperation")
    assert 1 < factor < 1.5


def test_unrelated_modes_and_fields_neither_boost_nor_penalise():
    factor, passed = fit_factor(
        {"kind": "problem", "field": "电力装备", "cooperation": ["技术咨询"]},
        {"kind": "result", "field": "发制品", "cooperation": "合作开发"},
    )
    assert (factor, passed) == (1.0, ())


def test_cooperation_modes_of_one_family_are_compatible():
    assert modes_compatible({"技术转让"}, {"技术许可"})
    assert modes_compatible({"委托开发"}, {"合作开发"})
    assert not modes_compatible({"技术咨询"}, {"技术转让"})
    assert not modes_compatible(set(), {"技术转让"})


@pytest.mark.parametrize(
    ("budget", "price", "expected"),
    [
        ("30.00", "20.00", "boost"),
        ("30", "30.00", "boost"),
        ("30.00", "45.00", "neutral"),
        ("30.00", "60.01", "penalty"),
        (None, "20.00", "neutral"),
        ("30.00", None, "neutral"),
        ("0", "20.00", "neutral"),
        ("面议", "20.00", "neutral"),
    ],
)
def test_price_within_budget_boosts_and_far_above_it_mildly_penalises(budget, price, expected):
    factor, passed = fit_factor(
        {"kind": "problem", "amount": budget}, {"kind": "result", "amount": price}
    )
    assert {"boost": factor > 1, "neutral": factor == 1, "penalty": factor < 1}[expected]
    assert ("budget" in passed) == (expected == "boost")
    assert factor >= 0.9  # mild: fit reorders close calls, it never buries a hit


def test_budget_is_compared_from_either_side():
    problem = {"kind": "problem", "amount": Decimal("30.00")}
    cheap = {"kind": "result", "amount": "12.50"}
    assert fit_factor(cheap, problem) == fit_factor(problem, cheap)


def test_fit_reorders_otherwise_equal_hits(store):
    store.rebuild(
        [
            result(1, field="电子信息", cooperation=["技术咨询"], amount="90.00"),
            result(2, field="电力装备", cooperation=["技术许可"], amount="20.00"),
        ]
    )
    wish = source(field="电力装备", cooperation=["技术转让"], amount="30.00")
    matches = store.match(wish, "result")
    assert [m.id for m in matches] == [2, 1]
    assert matches[0].fit == ("field", "cooperation", "budget")
    assert matches[1].fit == ()


def test_a_poor_fit_is_never_filtered_out(store):
    store.rebuild([result(1, field="发制品", cooperation=["技术咨询"], amount="9999.00")])
    wish = source(field="电力装备", cooperation=["技术转让"], amount="1.00")
    assert [m.id for m in store.match(wish, "result")] == [1]


def test_a_shared_catch_all_field_is_no_fit():
    from search_index.matching import fit_factor

    assert fit_factor({"field": "其他"}, {"field": "其他"}) == (1.0, ())
    assert fit_factor({"field": "化工"}, {"field": "化工"})[1] == ("field",)


# The retrieval stage: numpy arrays giving exactly Whoosh's BM25F scores and order

SENTENCES = [
    "聚晶立方氮化硼刀具精车灰铸铁制动盘，刀具寿命提高3倍以上。",
    "开关柜触头温度在线监测，无源无线测温，35kV配电网。",
    "小麦淀粉废水厌氧处理，IC反应器COD去除率90%。",
    "化纤发丝添加无卤阻燃剂，假发通过燃烧测试。",
    "钧瓷窑变釉色控制，梭式窑烧成曲线优化。",
    "再生铝熔炼除渣工艺，废钢破碎分选设备。",
    "金刚石砂轮磨削硬质合金，表面粗糙度Ra0.2。",
    "金银花烘干工艺，中药材深加工与有效成分保留。",
    "变压器油中溶解气体在线监测，C2H2含量预警。",
    "腐竹粉条自动化生产线，蒸汽能耗降低30%。",
]


def corpus_docs(count: int, kind: str = "result") -> list[dict]:
    """Documents of varied length and wording (deterministic), for ranking comparisons."""
    docs = []
    for i in range(1, count + 1):
        picked = [SENTENCES[(i * k + k) % len(SENTENCES)] for k in range(1, 2 + i % 5)]
        docs.append(
            {
                "id": i,
                "kind": kind if i % 7 else "problem",
                "title": SENTENCES[i % len(SENTENCES)][:12],
                "body": "".join(picked),
                "keywords": [SENTENCES[(i + 3) % len(SENTENCES)][:4]],
                "org": f"机构{i % 9}",
                "field": ("超硬材料", "电力装备", "节能环保")[i % 3],
            }
        )
    return docs


SOURCES = [
    source(title="刹车盘车削换刀太勤", body="一个班要换三次刀，刀磨得快。"),
    source(title="开关柜发热", body="触头温度高，想在线监测温度，35kV。", org="机构2"),
    source(title="淀粉废水", body="COD超标，厌氧处理效果差，能耗高。" * 3),
    source(title="假发阻燃", body="化纤假发燃烧测试不过，卷曲不反弹。"),
]


@pytest.fixture
def split_store(tmp_path, monkeypatch):
    """An index of several segments with deleted and replaced documents."""
    from search_index import store as store_module

    monkeypatch.setattr(store_module, "PARALLEL_FROM", 5)
    monkeypatch.setattr(store_module, "REBUILD_BATCH", 9)
    store = IndexStore(str(tmp_path / "index"))
    docs = corpus_docs(80)
    store.rebuild(docs, procs=2)
    store.delete(5)
    store.upsert(dict(docs[10], body=SENTENCES[2] * 2))  # replaced: old version deleted
    store.apply(upserts=[dict(d, id=d["id"] + 100) for d in docs[:6]], deletes=[7, 8])
    yield store
    store.close()


def retrieval_inputs(store, problem):
    from search_index import matching

    searcher = store._searcher()
    stats = KindStats(searcher, "result")
    terms = matching.query_terms_for(problem, stats, store.expand)
    clauses = matching.match_clauses(matching.search_terms(terms, stats))
    return searcher, clauses


def test_array_scoring_gives_whoosh_hits_scores_and_order(split_store):
    from search_index import candidates, matching

    searcher = split_store._searcher()
    assert len(candidates.leaves(searcher)) > 1 and searcher.reader().has_deletions()
    for problem in SOURCES:
        searcher, clauses = retrieval_inputs(split_store, problem)
        for exclude_org in (None, "机构2"):
            excluded = matching._excluded(problem, exclude_org)
            expected = candidates.whoosh_candidates(
                searcher,
                clauses,
                30,
                filter=matching.kind_filter(searcher, "result"),
                mask=excluded,
            )
            found = candidates.top_candidates(
                searcher,
                clauses,
                30,
                allowed=matching.kind_mask(searcher, "result"),
                excluded=searcher.docs_for_query(excluded),
            )
            assert expected  # the comparison means something
            assert [(c.docnum, c.score) for c in found] == expected


def test_matches_are_identical_with_and_without_array_scoring(split_store, monkeypatch):
    from search_index import matching

    with_arrays = [split_store.match(p, "result", limit=20) for p in SOURCES]
    monkeypatch.setattr(matching, "ARRAY_SCORING", False)
    assert [split_store.match(p, "result", limit=20) for p in SOURCES] == with_arrays
    ids = {m.id for matches in with_arrays for m in matches}
    assert not ids & {5, 7, 8}  # deleted documents never come back
    assert all(i % 7 for i in ids if i < 100)  # problems (every 7th) are no results


def test_a_tiny_postings_cache_changes_nothing(split_store, monkeypatch):
    from search_index import candidates

    expected = [split_store.match(p, "result", limit=10) for p in SOURCES]
    monkeypatch.setattr(candidates, "_cache", candidates.PostingsCache(max_bytes=64))
    assert [split_store.match(p, "result", limit=10) for p in SOURCES] == expected
    assert candidates.postings_cache().bytes <= 64 or len(candidates._cache._postings) == 1


def test_cached_term_lookup_agrees_with_whoosh_postings(split_store):
    from search_index import candidates
    from search_index.highlight import terms_by_field
    from search_index.schema import TEXT_FIELDS

    searcher, clauses = retrieval_inputs(split_store, SOURCES[0])
    texts = {c.text for c in clauses} | {"刀具", "不存在的词"}
    docnums = list(range(0, searcher.doc_count_all(), 3))
    docnums = [d for d in docnums if not searcher.reader().is_deleted(d)]
    assert candidates.terms_by_field(searcher, docnums, texts, TEXT_FIELDS) == terms_by_field(
        searcher, docnums, texts
    )


def test_an_index_change_is_seen_by_the_next_match(split_store):
    problem = SOURCES[1]
    before = [m.id for m in split_store.match(problem, "result", limit=50)]
    assert before and 500 not in before
    gone = before[0]
    split_store.delete(gone)
    split_store.upsert(result(500, title="开关柜触头在线测温", body="开关柜触头温度监测。"))
    after = [m.id for m in split_store.match(problem, "result", limit=50)]
    assert gone not in after and 500 in after


def test_warming_reads_frequent_postings_and_changes_no_match(split_store, monkeypatch):
    from search_index import candidates

    expected = [split_store.match(p, "result", limit=10) for p in SOURCES]
    monkeypatch.setattr(candidates, "_cache", candidates.PostingsCache(max_bytes=2**24))
    assert split_store.warm(min_doc_frequency=10**9) == 0
    read = split_store.warm(min_doc_frequency=5)
    assert read > 0 and candidates.postings_cache().misses == read
    assert [split_store.match(p, "result", limit=10) for p in SOURCES] == expected
