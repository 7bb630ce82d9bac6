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


def tokens_with_positions(text: str, mode: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in ANALYZER(text, positions=True, mode=mode)]


def test_domain_terms_stay_whole():
    assert analyze("开关柜局部放电在线监测") == ["开关柜", "局部放电", "在线", "监测"]


def test_full_width_text_is_normalised_and_lowercased():
    assert analyze("ＰＣＢＮ刀具寿命提高３倍") == ["pcbn", "刀具", "寿命", "提高", "3"]


def test_mixed_latin_and_digit_tokens_stay_whole():
    tokens = analyze("35kV开关柜用Φ200mm砂轮和3.5mm刀片，C2H2含量")
    assert {"35kv", "φ200mm", "3.5mm", "c2h2"} <= set(tokens)


def test_stop_words_and_punctuation_are_removed():
    assert analyze("我公司目前希望解决一个问题！！") == []
    assert analyze("我们的金刚石、立方氮化硼（CBN）") == ["金刚石", "立方氮化硼", "cbn"]


def test_query_mode_has_no_sub_words_but_index_mode_has():
    assert analyze("高压开关柜") == ["高压", "开关柜"]
    assert {"开关柜", "开关"} <= set(index_terms("开关柜"))


def test_sub_words_share_the_position_of_their_compound():
    tokens = tokens_with_positions("局部放电检测", mode="index")
    assert ("局部放电", 0) in tokens
    assert ("放电", 0) in tokens
    assert ("检测", 1) in tokens


def test_stop_words_keep_their_position_gap():
    # "金刚石的砂轮": the stop word 的 is dropped but still occupies position 1.
    assert tokens_with_positions("金刚石的砂轮", mode="query") == [("金刚石", 0), ("砂轮", 2)]


def test_stop_word_file_is_normalised():
    assert {"我公司", "目前", "希望", "问题", "的"} <= stop_words()
    assert "提高" not in stop_words()


def test_dictionary_hash_is_the_sha256_of_the_user_dictionary():
    assert dictionary_hash() == hashlib.sha256(USER_DICT_PATH.read_bytes()).hexdigest()


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
