"""The search index: writing, rebuilding, matching, searching, highlighting, locking."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from search_index import IndexStore, Match, SearchPage, analyze, dictionary_hash
from search_index.store import META_FILE

RESULTS = [
    {
        "id": 101,
        "title": "开关柜无源无线测温系统",
        "body": "采用声表面波测温传感器，无源无线，无需电池，安装在开关柜触头和母排接头处，"
        "实时监测温度，触头过热时自动预警。",
        "keywords": ["声表面波", "无线测温", "开关柜", "过热预警"],
        "field": "电力装备",
        "org": "郑州大学",
    },
    {
        "id": 102,
        "title": "金刚石砂轮精密磨削技术",
        "body": "采用树脂结合剂金刚石砂轮磨削硬质合金刀具，磨削效率提高40%，表面粗糙度Ra0.2μm。",
        "keywords": ["金刚石", "砂轮", "磨削", "硬质合金"],
        "field": "超硬材料",
        "org": "河南工业大学",
    },
    {
        "id": 103,
        "title": "PCBN刀具高速切削淬硬钢",
        "body": "聚晶立方氮化硼（PCBN）刀具切削淬硬钢，刀具寿命提高3倍，适用于汽车齿轮加工。",
        "keywords": ["PCBN", "立方氮化硼", "超硬刀具"],
        "field": "超硬材料",
        "org": "郑州磨料磨具磨削研究所",
    },
    {
        "id": 104,
        "title": "化纤发丝阻燃改性技术",
        "body": "在化纤丝中添加无卤阻燃剂，假发通过出口燃烧测试，手感与光泽不变。",
        "keywords": ["假发", "阻燃", "化纤发"],
        "field": "发制品",
        "org": "许昌学院",
    },
    {
        "id": 105,
        "title": "配电自动化馈线终端",
        "body": "馈线终端实现配电线路单相接地故障的快速定位与隔离，减少停电时间。",
        "keywords": ["配电自动化", "馈线终端", "单相接地"],
        "field": "电力装备",
        "org": "许继集团",
    },
    {
        "id": 106,
        "title": "金银花低温烘干工艺",
        "body": "热泵烘干金银花，按阶段控制温度和湿度，绿原酸保留率高，颜色好。",
        "keywords": ["金银花", "热泵", "烘干"],
        "field": "中药材",
        "org": "河南中医药大学",
    },
]

PROBLEMS = [
    {
        "id": 201,
        "title": "开关柜触头发热看不见",
        "body": "我公司的开关柜触头和母排接头经常过热，柜门关着红外测温枪照不到，"
        "柜内温度看不到。希望找到能长期装在柜子里的无线测温办法，不能用电池。",
        "keywords": ["开关柜", "测温"],
        "field": "电力装备",
        "org": "许昌润达配电运维服务有限公司",
    },
    {
        "id": 202,
        "title": "硬质合金刀具磨削效率低",
        "body": "我们用普通砂轮磨硬质合金刀具，磨削效率低，砂轮损耗大。",
        "keywords": ["磨削", "砂轮"],
        "field": "超硬材料",
        "org": "长葛市某刀具厂",
    },
    {
        "id": 203,
        "title": "假发出口燃烧测试不合格",
        "body": "化纤发丝做的假发过不了出口燃烧测试，订单被退回。",
        "keywords": ["假发", "阻燃"],
        "field": "发制品",
        "org": "许昌某发制品公司",
    },
]


def doc(id, kind="result", title="", body="", keywords=(), org="某单位", stamp="v1", field="综合"):
    return {
        "id": id,
        "kind": kind,
        "title": title,
        "body": body,
        "keywords": list(keywords),
        "field": field,
        "org": org,
        "stamp": stamp,
    }


def corpus() -> list[dict]:
    results = [dict(d, kind="result", stamp="r1") for d in RESULTS]
    problems = [dict(d, kind="problem", stamp="p1") for d in PROBLEMS]
    return results + problems


@pytest.fixture
def store(tmp_path):
    store = IndexStore(str(tmp_path / "index"))
    yield store
    store.close()


@pytest.fixture
def market(store):
    """A store holding the small hand-made corpus of results and problems."""
    store.rebuild(corpus())
    return store


def problem(doc_id: int) -> dict:
    return next(d for d in corpus() if d["id"] == doc_id)


def ids(items) -> list[int]:
    return [item.id for item in items]


# Writing


def test_new_store_creates_an_empty_index_with_meta(tmp_path):
    store = IndexStore(str(tmp_path / "index"))
    assert store.stamps() == {}
    meta = json.loads((tmp_path / "index" / META_FILE).read_text())
    assert meta["dictionary_hash"] == dictionary_hash()
    assert not store.needs_rebuild()


def test_upsert_adds_and_then_replaces_a_document(store):
    store.upsert(doc(1, title="开关柜测温", stamp="v1"))
    store.upsert(doc(1, title="金刚石砂轮", stamp="v2"))
    assert store.stamps() == {1: "v2"}
    assert store.search("开关柜").total == 0
    assert ids(store.search("砂轮").hits) == [1]


def test_delete_removes_a_document_and_ignores_unknown_ids(store):
    store.upsert(doc(1, title="开关柜测温"))
    store.upsert(doc(2, title="开关柜绝缘"))
    store.delete(1)
    store.delete(999)
    assert store.stamps() == {2: "v1"}
    assert ids(store.search("开关柜").hits) == [2]


def test_rebuild_swaps_in_a_fresh_index_and_reports_progress(store, tmp_path):
    store.upsert(doc(1, title="旧文档"))
    seen = []
    docs = (doc(i, title=f"砂轮{i}", stamp=f"s{i}") for i in range(10, 260))
    count = store.rebuild(docs, seen.append)
    assert count == 250
    assert seen[-1] == 250 and seen[0] == 100
    assert store.stamps() == {i: f"s{i}" for i in range(10, 260)}
    leftovers = [p.name for p in tmp_path.iterdir() if ".new-" in p.name or ".old-" in p.name]
    assert leftovers == []


def test_another_store_sees_the_swapped_index(tmp_path):
    # Two handles on one directory behave like two processes: the reader must notice the swap
    # even though the rebuilt index starts again at a low generation number.
    path = str(tmp_path / "index")
    writer, reader = IndexStore(path), IndexStore(path)
    writer.upsert(doc(1, title="开关柜"))
    assert ids(reader.search("开关柜").hits) == [1]
    writer.rebuild([doc(2, title="开关柜")])
    assert ids(reader.search("开关柜").hits) == [2]
    writer.upsert(doc(3, title="开关柜"))
    assert sorted(ids(reader.search("开关柜").hits)) == [2, 3]
    writer.close()
    reader.close()


def test_failed_rebuild_keeps_the_old_index(store, tmp_path):
    store.upsert(doc(1, title="开关柜"))
    with pytest.raises(ValueError):
        store.rebuild([doc(5, title="甲"), doc(5, title="乙")])
    assert store.stamps() == {1: "v1"}
    assert [p.name for p in tmp_path.iterdir() if ".new-" in p.name] == []


def test_needs_rebuild_when_the_dictionary_changes(store, monkeypatch):
    assert not store.needs_rebuild()
    monkeypatch.setattr("search_index.store.dictionary_hash", lambda: "another dictionary")
    assert store.needs_rebuild()
    store.rebuild([doc(1, title="开关柜")])
    assert not store.needs_rebuild()


def test_needs_rebuild_when_the_schema_version_differs(store):
    meta_path = os.path.join(store.index_dir, META_FILE)
    with open(meta_path, encoding="utf-8") as fh:
        meta = json.load(fh)
    meta["schema_version"] = -1
    with open(meta_path, "w", encoding="utf-8") as fh:
        json.dump(meta, fh)
    assert store.needs_rebuild()


def _upsert_batch(index_dir: str, first_id: int, barrier) -> None:
    store = IndexStore(index_dir)
    analyze("预热")  # load jieba first, so that the writes of all processes overlap
    barrier.wait(60)
    for doc_id in range(first_id, first_id + 10):
        store.upsert(doc(doc_id, title=f"并发写入{doc_id}", stamp=f"p{doc_id}"))
    store.close()


def test_concurrent_processes_lose_no_update(tmp_path):
    index_dir = str(tmp_path / "index")
    IndexStore(index_dir).close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    workers = [
        ctx.Process(target=_upsert_batch, args=(index_dir, n * 100, barrier)) for n in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(90)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    expected = {n * 100 + i: f"p{n * 100 + i}" for n in range(4) for i in range(10)}
    assert IndexStore(index_dir).stamps() == expected


# Matching


def test_match_ranks_the_solution_above_unrelated_results(market):
    matches = market.match(problem(201), "result")
    assert matches[0].id == 101
    assert all(isinstance(m, Match) for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_matches_of_each_problem_come_from_its_own_industry(market):
    assert market.match(problem(202), "result")[0].id == 102
    assert market.match(problem(203), "result")[0].id == 104


def test_obvious_match_is_strong_and_a_single_common_word_is_not(market):
    by_id = {m.id: m for m in market.match(problem(201), "result")}
    assert by_id[101].strength >= 0.35
    # The herb dryer shares only "温度" with the switchgear problem.
    assert by_id[106].terms == ("温度",)
    assert by_id[106].strength < 0.35
    assert all(0.0 <= m.strength <= 1.0 for m in by_id.values())


def test_match_explains_with_readable_terms_and_highlights(market):
    best = market.match(problem(201), "result")[0]
    assert {"开关柜", "触头", "无线测温"} <= set(best.terms)
    assert "<mark>开关柜</mark>" in best.highlights["title"]
    assert "<mark>" in best.highlights["body"]


def test_match_keeps_latin_terms_as_written(market):
    source = doc(300, kind="problem", title="ＰＣＢＮ刀具车淬硬钢崩刃", org="某齿轮厂")
    best = market.match(source, "result")[0]
    assert best.id == 103
    assert "PCBN" in best.terms


def test_match_filters_kind_excludes_itself_and_the_own_organisation(market):
    source = dict(RESULTS[0], kind="result")
    assert 101 not in ids(market.match(source, "result"))
    assert all(m.id >= 200 for m in market.match(source, "problem"))
    others = market.match(problem(201), "result", exclude_org="郑州大学")
    assert 101 not in ids(others)


def test_match_respects_the_limit_and_empty_sources(market):
    assert len(market.match(problem(201), "result", limit=2)) == 2
    assert market.match(doc(400, kind="problem", title="我们的问题"), "result") == []


# Searching


def test_search_ranks_documents_matching_more_terms_higher(market):
    page = market.search("开关柜 测温 预警", kinds=["result"])
    assert isinstance(page, SearchPage)
    assert page.hits[0].id == 101
    assert page.hits[0].kind == "result"
    assert page.terms == ("开关柜", "测温", "预警")


@pytest.mark.parametrize(
    "query",
    [
        'AND OR NOT ( ) * ? ~ : " [ ] { } ^ \\',
        "开关柜 AND (测温 OR",
        'title:开关柜 "unclosed',
        "开关柜^3 测~温 砂* ?",
        "「“”」『』",
        "开关柜" * 4000 + " 测温",
        "\x00\n\t",
    ],
)
def test_search_never_raises_on_odd_input(market, query):
    page = market.search(query)
    assert page.total >= 0


@pytest.mark.parametrize(
    "query", ["", "   ", "的了和等", "我公司目前希望解决问题", "AND OR ( ) * ? : ^ ~"]
)
def test_empty_or_stop_word_queries_return_an_empty_page(market, query):
    page = market.search(query)
    assert (page.hits, page.total) == ([], 0)


def test_syntax_words_are_searched_as_plain_words(market):
    page = market.search("开关柜 NOT 测温")
    assert 101 in ids(page.hits)  # NOT is not an operator


def test_long_query_is_cut_to_a_bounded_number_of_terms(market):
    text = "".join(f"词{i}号 " for i in range(500)) + "开关柜"
    page = market.search(text)
    assert len(page.terms) <= 30


def test_quoted_phrase_finds_only_adjacent_words(store):
    store.upsert(doc(1, title="采用声表面波测温技术"))
    store.upsert(doc(2, title="声表面波器件", body="另有红外测温装置"))
    assert ids(store.search('"声表面波测温"').hits) == [1]
    assert sorted(ids(store.search("声表面波测温").hits)) == [1, 2]


@pytest.mark.parametrize("quoted", ["“声表面波测温”", "「声表面波测温」", "＂声表面波测温＂"])
def test_chinese_and_full_width_quotes_make_phrases(store, quoted):
    store.upsert(doc(1, body="柜内采用声表面波测温"))
    store.upsert(doc(2, body="声表面波滤波器；测温另用热电偶"))
    page = store.search(quoted)
    assert ids(page.hits) == [1]
    assert page.terms == ("声表面波测温",)


def test_phrase_with_a_stop_word_inside_still_matches(store):
    store.upsert(doc(1, body="提高金刚石的砂轮寿命"))
    assert ids(store.search('"金刚石的砂轮"').hits) == [1]


def test_phrase_and_terms_combine(store):
    store.upsert(doc(1, title="声表面波测温", body="开关柜"))
    store.upsert(doc(2, title="声表面波测温"))
    store.upsert(doc(3, title="开关柜"))
    page = store.search('"声表面波测温" 开关柜')
    assert ids(page.hits) == [1, 2]


def test_search_filters_by_kind_and_paginates(market):
    for i in range(30):
        market.upsert(doc(1000 + i, kind="problem", title=f"砂轮问题{i}"))
    first = market.search("砂轮", kinds=["problem"], page=1, per_page=20)
    second = market.search("砂轮", kinds=["problem"], page=2, per_page=20)
    assert first.total == second.total == 31  # 30 new problems and problem 202
    assert (len(first.hits), len(second.hits)) == (20, 11)
    assert set(ids(first.hits)).isdisjoint(ids(second.hits))
    assert all(h.kind == "problem" for h in first.hits + second.hits)
    assert market.search("砂轮", page=99).hits == []


def test_highlights_escape_html_around_marks(store):
    store.upsert(
        doc(1, title="<script>alert(1)</script>测温", body='测温 <b onclick="x">粗体</b> & 更多')
    )
    hit = store.search("测温").hits[0]
    for html in hit.highlights.values():
        assert "<script>" not in html and "<b " not in html
    assert hit.highlights["title"] == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>测温</mark>"
    assert "&lt;b onclick=&quot;x&quot;&gt;" in hit.highlights["body"]
    assert "&amp;" in hit.highlights["body"]


def test_highlights_mark_full_width_text_and_cut_long_bodies(store):
    body = "无关内容。" * 60 + "采用ＰＣＢＮ刀具加工" + "其他内容。" * 60
    store.upsert(doc(1, title="刀具", body=body))
    html = store.search("pcbn").hits[0].highlights["body"]
    assert "<mark>ＰＣＢＮ</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html) < 250


def test_field_without_a_hit_has_an_empty_highlight(store):
    store.upsert(doc(1, title="开关柜", body="无关的正文"))
    highlights = store.search("开关柜").hits[0].highlights
    assert highlights == {"title": "<mark>开关柜</mark>", "body": ""}


def test_a_delete_is_seen_by_a_searcher_opened_before_it(tmp_path):
    """Reading, then deleting, then reading again in one process must not show the deleted doc."""
    store = IndexStore(str(tmp_path / "index"))
    store.upsert(_doc_for_delete(1))
    store.upsert(_doc_for_delete(2))
    assert set(store.stamps()) == {1, 2}
    store.delete(1)
    assert set(store.stamps()) == {2}
    assert [h.id for h in store.search("开关柜").hits] == [2]
    store.close()


def _doc_for_delete(doc_id: int) -> dict:
    return {
        "id": doc_id,
        "kind": "problem",
        "title": f"开关柜测温需求{doc_id}",
        "body": "开关柜触头发热，希望在线测温。",
        "keywords": ["开关柜"],
        "field": "电力装备",
        "org": "许昌某公司",
        "stamp": "s",
    }


def test_quoted_part_of_a_domain_compound_finds_the_compound(store):
    # "局部放电检测" is one token; its four-character part is indexed at the same position.
    store.rebuild([doc(1, title="开关柜局部放电检测方法"), doc(2, title="放电加工")])
    page = store.search("“局部放电”")
    assert [hit.id for hit in page.hits] == [1]


def test_typed_compound_also_finds_documents_with_only_its_parts(store):
    store.rebuild([doc(1, title="高压开关柜"), doc(2, title="低压配电用开关柜")])
    page = store.search("高压开关柜")
    assert [hit.id for hit in page.hits] == [1, 2]  # the whole compound ranks first
