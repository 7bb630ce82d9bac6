"""The thesaurus: curated domain groups, 词林 synonyms, the bureau's groups, validation, version."""

from __future__ import annotations

import pytest

from search_index import Thesaurus, load_thesaurus, validate_group
from search_index.thesaurus import (
    BACKWARD_WEIGHT,
    CILIN_WEIGHT,
    FORWARD_WEIGHT,
    GROUP_WEIGHT,
    curated_entries,
    curated_words,
)


def weight_of(thesaurus: Thesaurus, term: str, other: str) -> float | None:
    return dict(thesaurus.related(term)).get(other)


# Validation of a group typed by bureau staff


def test_validate_group_normalises_strips_and_deduplicates():
    assert validate_group([" ＰＣＢＮ ", "立方氮化硼", "PCBN", "pcbn", "立方氮化硼"]) == [
        "PCBN",
        "立方氮化硼",
    ]


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["刀具寿命"], "至少需要两个"),
        (["刀具寿命", "刀具寿命 "], "至少需要两个"),
        ([], "至少需要两个"),
        (["刀具寿命", "  "], "不能有空词"),
        (["刀具寿命", "长" * 21], "过长"),
    ],
)
def test_validate_group_refuses_bad_groups_in_chinese(words, message):
    with pytest.raises(ValueError, match=message):
        validate_group(words)


def test_a_word_of_twenty_characters_is_allowed():
    assert len(validate_group(["长" * 20, "短"])[0]) == 20


# Sources and weights


def test_curated_synonyms_relate_both_ways_at_the_group_weight():
    thesaurus = load_thesaurus()
    assert weight_of(thesaurus, "刹车盘", "制动盘") == GROUP_WEIGHT
    assert weight_of(thesaurus, "制动盘", "刹车盘") == GROUP_WEIGHT


def test_plant_phrases_lead_to_research_terms_and_only_weakly_back():
    thesaurus = load_thesaurus()
    assert weight_of(thesaurus, "换刀太勤", "刀具寿命") == FORWARD_WEIGHT
    assert weight_of(thesaurus, "刀具寿命", "换刀太勤") == BACKWARD_WEIGHT


def test_cilin_synonyms_come_in_below_curated_ones():
    thesaurus = load_thesaurus()
    assert weight_of(thesaurus, "电脑", "计算机") == CILIN_WEIGHT
    assert CILIN_WEIGHT < GROUP_WEIGHT


def test_related_words_are_heaviest_first_without_the_term_itself():
    related = load_thesaurus().related("开关柜")
    weights = [w for _word, w in related]
    assert weights == sorted(weights, reverse=True)
    assert all(0 < w <= 1 for w in weights)
    assert "开关柜" not in dict(related)


def test_related_accepts_the_term_as_typed_and_keeps_latin_case():
    thesaurus = load_thesaurus()
    assert thesaurus.related("ＰＣＢＮ") == thesaurus.related("pcbn")
    assert "PCBN" in dict(thesaurus.related("换刀太勤"))


def test_unknown_words_have_no_related_words():
    assert load_thesaurus().related("量子纠缠态蒸馏") == []


def test_extra_groups_add_to_the_shipped_thesaurus():
    thesaurus = load_thesaurus([["神垕土", "钧瓷坯泥"]])
    assert weight_of(thesaurus, "神垕土", "钧瓷坯泥") == GROUP_WEIGHT
    assert weight_of(thesaurus, "刹车盘", "制动盘") == GROUP_WEIGHT
    assert load_thesaurus().related("神垕土") == []  # the shipped one is left as it was


def test_an_invalid_extra_group_is_refused():
    with pytest.raises(ValueError):
        load_thesaurus([["孤词"]])


# Version


def test_version_is_stable_and_ignores_group_order():
    a = load_thesaurus([["瓷土", "高岭土"], ["釉", "釉料"]])
    b = load_thesaurus([["釉料", "釉"], ["高岭土", "瓷土"]])
    assert a.version == b.version
    assert load_thesaurus().version == load_thesaurus().version


def test_version_changes_when_the_groups_change():
    shipped = load_thesaurus().version
    one = load_thesaurus([["瓷土", "高岭土"]]).version
    other = load_thesaurus([["瓷土", "坯土"]]).version
    assert len({shipped, one, other}) == 3


def test_version_changes_with_the_curated_file(tmp_path, monkeypatch):
    from search_index import thesaurus as module

    edited = tmp_path / "thesaurus.txt"
    edited.write_text(module.THESAURUS_PATH.read_text(encoding="utf-8") + "\n甲词 乙词\n")
    before = load_thesaurus().version
    monkeypatch.setattr(module, "THESAURUS_PATH", edited)
    module._shipped_version.cache_clear()
    try:
        assert module._version(module._shipped_version(), []) != before
    finally:
        monkeypatch.undo()
        module._shipped_version.cache_clear()


# The curated file


def test_curated_file_parses_groups_and_directional_entries(tmp_path):
    path = tmp_path / "thesaurus.txt"
    path.write_text(
        "# comment\n[超硬材料]\n刹车盘 制动盘、刹车片  # trailing comment\n"
        "换刀太勤 磨得快 => 刀具寿命，PCBN\n孤词\n",
        encoding="utf-8",
    )
    assert curated_entries(path) == [
        ([], ["刹车盘", "制动盘", "刹车片"]),
        (["换刀太勤", "磨得快"], ["刀具寿命", "pcbn"]),
    ]
    assert curated_words(path, lowercase=False)[-1] == "PCBN"


def test_curated_thesaurus_covers_the_citys_industries():
    words = set(curated_words())
    industries = ["继电保护", "pcbn", "发制品", "腐竹", "蜂蜜", "钧瓷", "废钢", "中药材", "苗木"]
    assert set(industries) <= words
    assert len(curated_entries()) >= 500
