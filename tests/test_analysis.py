"""Chinese analysis for the search index: segmentation, normalisation, stop words, positions."""

from __future__ import annotations

import hashlib
import sys

from search_index import analyze, dictionary_hash
from search_index.analysis import (
    ANALYZER,
    USER_DICT_PATH,
    default_cache_dir,
    index_terms,
    init_jieba,
    stop_words,
)
from search_index.thesaurus import THESAURUS_PATH


def tokens_with_positions(text: str, mode: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in ANALYZER(text, positions=True, mode=mode)]


def test_domain_terms_stay_whole():
    assert analyze("开关柜局部放电在线监测") == ["开关柜", "局部放电", "在线监测"]


def test_full_width_text_is_normalised_and_lowercased():
    assert analyze("ＰＣＢＮ刀具寿命提高３倍") == ["pcbn", "刀具寿命", "提高", "3"]


def test_mixed_latin_and_digit_tokens_stay_whole():
    tokens = analyze("35kV开关柜用Φ200mm砂轮和3.5mm刀片，C2H2含量")
    assert {"35kv", "φ200mm", "3.5mm", "c2h2"} <= set(tokens)


def test_stop_words_and_punctuation_are_removed():
    assert analyze("我公司目前希望解决一个问题！！") == []
    assert analyze("我们的金刚石、立方氮化硼（CBN）") == ["金刚石", "立方氮化硼", "cbn"]


def test_query_mode_has_no_sub_words_but_index_mode_has():
    assert analyze("高压断路器") == ["高压", "断路器"]
    assert {"断路器", "断路"} <= set(index_terms("断路器"))


def test_sub_words_share_the_position_of_their_compound():
    tokens = tokens_with_positions("局部放电检测方法", mode="index")
    assert ("局部放电检测", 0) in tokens
    assert ("局部放电", 0) in tokens  # four-character parts of longer compounds count too
    assert ("放电", 0) in tokens
    assert ("方法", 1) in tokens


def test_stop_words_keep_their_position_gap():
    # "金刚石的砂轮": the stop word 的 is dropped but still occupies position 1.
    assert tokens_with_positions("金刚石的砂轮", mode="query") == [("金刚石", 0), ("砂轮", 2)]


def test_stop_word_file_is_normalised():
    assert {"我公司", "目前", "希望", "问题", "的"} <= stop_words()
    assert "提高" not in stop_words()


def test_dictionary_hash_covers_the_user_dictionary_and_the_thesaurus():
    # Thesaurus words are jieba words too, so editing the thesaurus changes segmentation.
    expected = hashlib.sha256(USER_DICT_PATH.read_bytes() + THESAURUS_PATH.read_bytes())
    assert dictionary_hash() == expected.hexdigest()


def test_jieba_cache_dir_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MARKET_JIEBA_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == str(tmp_path)
    monkeypatch.delenv("MARKET_JIEBA_CACHE_DIR")
    assert default_cache_dir().endswith("market-jieba")


def test_jieba_is_set_up_once_without_its_analyse_module():
    import jieba

    init_jieba()
    init_jieba()  # a second call is a no-op
    assert jieba.dt.tmp_dir is not None
    # jieba.analyse loads a 185 MB TF-IDF table; nothing here may import it.
    assert "jieba.analyse" not in sys.modules


def test_posting_boilerplate_leaves_only_the_content_words():
    assert analyze("我公司目前希望能不能找到好的办法，需要解决这个问题") == ["找到", "好"]


def test_plant_phrases_of_the_thesaurus_are_whole_tokens():
    # The thesaurus is looked up by token, so its plant phrases must survive segmentation.
    assert "换刀太勤" in analyze("刹车盘车削换刀太勤")
    assert "拉闸试" in analyze("只能一条条拉闸试")


def test_latin_units_and_symbols_stay_whole_beside_chinese():
    assert analyze("Φ200砂轮，35kV开关柜，ＰＣＢＮ") == ["φ200", "砂轮", "35kv", "开关柜", "pcbn"]


def test_industry_words_of_the_user_dictionary_stay_whole():
    assert "钧红釉" in analyze("钧红釉发色不稳")
    assert "梭式窑" in analyze("梭式窑烧成")


# The segmenter: rjieba given jieba's words and frequencies, jieba as the fallback

SEGMENTER_SAMPLE = [
    "刹车盘车削换刀太勤，一个班要换三次刀，刀磨得快，工人抱怨。",
    "聚晶立方氮化硼刀具精车灰铸铁制动盘，刀具寿命提高3倍以上，适用于高速干切削。",
    "35kV开关柜局部放电在线监测与触头温度无源无线测温，配电网继电保护装置改造。",
    "发制品企业用化纤发丝和人发混纺，阻燃改性后假发通过燃烧测试，卷曲定型不反弹。",
    "小麦淀粉废水厌氧处理，IC反应器COD去除率90%，沼气回收用于锅炉。",
    "钧瓷窑变釉色不稳定，梭式窑烧成曲线控制，钧红釉发色与还原气氛的关系。",
    "再生铝熔炼除渣、废钢破碎分选、烤烟烘烤工艺、中药材金银花与夏枯草的深加工。",
]


def test_rjieba_is_the_segmenter_and_cuts_exactly_like_jieba():
    import jieba

    from search_index import analysis
    from search_index.thesaurus import curated_words

    init_jieba()
    assert analysis.segmenter_name() == "rjieba"
    # Our dictionary and the thesaurus' plant phrases included: both must keep them whole.
    texts = [*SEGMENTER_SAMPLE, "，".join(sorted(curated_words())[:400])]
    for text in texts:
        expected = list(jieba.dt.tokenize(text, HMM=False))
        assert [tuple(t) for t in analysis._segmenter.tokenize(text, "default", False)] == expected


def test_the_analysis_is_the_same_with_the_jieba_fallback(monkeypatch):
    from search_index import analysis

    init_jieba()
    with_rjieba = [index_terms(text) for text in SEGMENTER_SAMPLE]
    monkeypatch.setattr(analysis, "_segmenter", None)
    analysis._cached_segments.cache_clear()
    try:
        assert [index_terms(text) for text in SEGMENTER_SAMPLE] == with_rjieba
    finally:
        analysis._cached_segments.cache_clear()


def test_the_environment_can_force_the_jieba_fallback(monkeypatch):
    from search_index import analysis

    init_jieba()
    monkeypatch.setenv(analysis.SEGMENTER_ENV, "jieba")
    assert analysis._rjieba_segmenter() is None
    monkeypatch.delenv(analysis.SEGMENTER_ENV)
    assert analysis._rjieba_segmenter() is not None


def test_a_text_is_segmented_once_for_its_terms_and_its_index_tokens():
    from search_index import analysis

    text = "独一无二的测试文本：超硬材料PCD刀具的寿命"
    analysis._cached_segments.cache_clear()
    index_terms(text)
    list(ANALYZER(text, positions=True, mode="index"))
    info = analysis._cached_segments.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_offsets_of_normalised_text_point_into_the_original():
    from search_index.analysis import normalize_with_offsets

    text = "ＰＣＢＮ刀具，寿命㎏"  # full-width letters and comma one for one; ㎏ becomes two chars
    normalized, offsets = normalize_with_offsets(text)
    assert normalized == "PCBN刀具,寿命kg"
    assert offsets == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9]
    assert normalize_with_offsets("刀具，寿命") == ("刀具,寿命", [0, 1, 2, 3, 4])
