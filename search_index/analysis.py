"""Chinese text analysis: jieba set-up, the domain dictionary, stop words and the Whoosh analyzer.

Index and query text go through the same steps: NFKC normalisation (full-width letters and
digits become ASCII), Latin/digit runs kept whole (PCBN, 35kV, Φ200), jieba segmentation of
the Chinese rest with our domain dictionary, lowercasing, punctuation removal, stop words.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import jieba
from whoosh.analysis import Composable, Filter, Token, Tokenizer

DATA_DIR = Path(__file__).parent / "data"
USER_DICT_PATH = DATA_DIR / "userdict.txt"
STOPWORDS_PATH = DATA_DIR / "stopwords.txt"
CACHE_DIR_ENV = "MARKET_JIEBA_CACHE_DIR"
SUB_WORD_SIZES = (2, 3, 4)

# Runs of Latin, Greek or Cyrillic letters and digits (with inner dots: 3.5mm, Ra0.2) are
# one token each (PCBN, 35kV, Φ200); jieba would split "Φ200" and "3.5mm" apart.
_ALNUM = r"[0-9A-Za-z\u00b5\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]"
LATIN_RUN = re.compile(rf"{_ALNUM}+(?:\.{_ALNUM}+)*")

_init_lock = threading.Lock()
_initialised = False
# The segmenter: rjieba (the Rust port of jieba, about 10x faster) given jieba's words and
# frequencies, so that it cuts exactly like jieba; jieba itself where rjieba is missing.
SEGMENTER_ENV = "MARKET_SEGMENTER"  # "jieba" forces the fallback
_segmenter = None
# A document's fields are segmented for its kind_terms and again by Whoosh's analysis, and
# the titles and bodies of the results that top many match lists are highlighted again and
# again: the last texts' segments are kept so that each text is cut once.
SEGMENT_CACHE_SIZE = 256


class Segment(NamedTuple):
    """One token of normalised text: its text, word position and character span."""

    # A NamedTuple rather than a frozen dataclass: a rebuild makes a million of them, and a
    # frozen dataclass costs four times as much to create.

    text: str
    pos: int
    start: int
    end: int


def normalize(text: str) -> str:
    """Return text in NFKC form, the one form used for indexing and querying."""
    return unicodedata.normalize("NFKC", text or "")


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Return NFKC text char by char, with the original index of every normalised char."""
    # Highlighting needs spans in the stored original; whole-string NFKC loses the mapping.
    changed = {ord(ch): norm for ch in set(text) if (norm := _nfkc_char(ch)) != ch}
    if all(len(norm) == 1 for norm in changed.values()):
        # The common case (full-width punctuation at most): one char for one, same offsets.
        return text.translate(changed), list(range(len(text)))
    pieces, offsets = [], []
    for i, ch in enumerate(text):
        piece = unicodedata.normalize("NFKC", ch)
        pieces.append(piece)
        offsets.extend([i] * len(piece))
    return "".join(pieces), offsets


@lru_cache(maxsize=8192)
def _nfkc_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


def default_cache_dir() -> str:
    """Return the folder for jieba's dictionary cache (env var, else under the system temp)."""
    return os.environ.get(CACHE_DIR_ENV) or os.path.join(tempfile.gettempdir(), "market-jieba")


def init_jieba(cache_dir: str | None = None) -> None:
    """Load jieba's dictionary and our domain words, once per process.

    Call it early (app factory, Celery's worker_process_init) to pay the ~1 s load at start-up
    and to choose the cache folder; otherwise the first analysis calls it with the default.
    """
    global _initialised
    if _initialised:  # the common case, without taking the lock
        return
    with _init_lock:
        if _initialised:
            return
        folder = cache_dir or default_cache_dir()
        os.makedirs(folder, exist_ok=True)
        # jieba logs every dictionary load at DEBUG to stderr; that is noise in worker logs.
        jieba.setLogLevel(logging.WARNING)
        jieba.dt.tmp_dir = folder
        jieba.dt.initialize()
        for word, freq, tag in read_user_words():
            jieba.dt.add_word(word, freq, tag)
        for word in thesaurus_words():
            if not jieba.dt.FREQ.get(word):  # prefixes of known words are stored with 0
                jieba.dt.add_word(word)
        global _segmenter
        _segmenter = _rjieba_segmenter()
        _initialised = True


def _rjieba_segmenter():
    """Return an rjieba tokenizer that cuts like jieba.dt does now, or None (use jieba)."""
    if os.environ.get(SEGMENTER_ENV) == "jieba":
        return None
    try:
        import rjieba
    except ImportError:
        return None
    segmenter = rjieba.Jieba()
    ours = {word for word, _freq, _tag in read_user_words()}
    # rjieba ships jieba's dictionary; it lacks our words and the thesaurus', and add_word
    # without a frequency derives another one than jieba: give every word jieba's own.
    for word, freq in jieba.dt.FREQ.items():
        # jieba keeps prefixes of words with frequency 0: those are no words.
        if freq and (word in ours or not segmenter.has_word(word)):
            segmenter.add_word(word, freq, None)
    return segmenter


def segmenter_name() -> str:
    """Return which segmenter cuts Chinese text in this process: "rjieba" or "jieba"."""
    init_jieba()
    return "rjieba" if _segmenter is not None else "jieba"


def read_user_words(path: Path = USER_DICT_PATH) -> list[tuple[str, int | None, str | None]]:
    """Parse the user dictionary: `word [freq] [tag]` per line, `#` comments allowed."""
    # jieba.load_userdict would take comment lines as words, so we parse it ourselves.
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        word = normalize(parts[0])
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        entries.append((word, freq, tag))
    return entries


def thesaurus_words() -> list[str]:
    """Return the curated thesaurus' Chinese words, which jieba must keep whole."""
    # Its words (plant phrases included) are looked up as tokens, so they must be tokens.
    from .thesaurus import MAX_JIEBA_WORD, curated_words

    return [w for w in curated_words() if 2 <= len(w) <= MAX_JIEBA_WORD and _has_han(w)]


def _has_han(word: str) -> bool:
    return any(_is_han(ch) for ch in word)


@cache
def dictionary_hash() -> str:
    """Return the sha256 of everything jieba's dictionary gets from us (words and thesaurus)."""
    from .thesaurus import THESAURUS_PATH

    digest = hashlib.sha256(USER_DICT_PATH.read_bytes())
    digest.update(THESAURUS_PATH.read_bytes())
    return digest.hexdigest()


@cache
def stopwords_hash() -> str:
    """Return the sha256 of the shipped stop word file."""
    return hashlib.sha256(STOPWORDS_PATH.read_bytes()).hexdigest()


@cache
def stop_words() -> frozenset[str]:
    """Return the stop words, normalised like tokens."""
    words = set()
    for line in STOPWORDS_PATH.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(normalize(word).lower())
    return frozenset(words)


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _raw_words(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield words with char spans: Latin/digit runs whole, the rest segmented by jieba."""
    init_jieba()
    cursor = 0
    for run in LATIN_RUN.finditer(text):
        yield from _jieba_words(text[cursor : run.start()], cursor)
        yield run.group(), run.start(), run.end()
        cursor = run.end()
    yield from _jieba_words(text[cursor:], cursor)


def _jieba_words(chunk: str, offset: int) -> Iterator[tuple[str, int, int]]:
    # Without HMM, words jieba does not know fall apart into single characters the same way
    # in every text; HMM guesses "new words" from context, so a problem and the result that
    # solves it could disagree (it also matched worse on the development set).
    if not chunk:
        return
    if _segmenter is not None:
        words = _segmenter.tokenize(chunk, "default", False)
    else:
        words = jieba.dt.tokenize(chunk, HMM=False)
    for word, start, end in words:
        if any(ch.isalnum() for ch in word):  # punctuation and spaces are no tokens
            yield word, offset + start, offset + end


def _sub_words(word: str, start: int) -> Iterator[tuple[str, int, int]]:
    """Yield the dictionary 2- to 4-grams inside a long Chinese word, like jieba's search mode."""
    # 4-grams too: domain compounds such as "局部放电检测" hold four-character terms.
    freq = jieba.dt.FREQ
    for n in SUB_WORD_SIZES:
        if len(word) <= n:
            continue
        for i in range(len(word) - n + 1):
            gram = word[i : i + n]
            if freq.get(gram):
                yield gram, start + i, start + i + n


def compound_parts(word: str) -> list[str]:
    """Return the dictionary words inside a Chinese compound word (none for short or Latin)."""
    if not word or not _is_han(word[0]):
        return []
    init_jieba()
    return [sub for sub, _start, _end in _sub_words(word, 0)]


def segment(text: str, with_sub_words: bool = False) -> tuple[Segment, ...]:
    """Split already-normalised text into words with consecutive positions.

    With sub-words (index mode), the dictionary words inside a compound share its position,
    so "开关柜" also answers "开关" while phrases of whole words still line up.
    """
    return _cached_segments(text, with_sub_words)


@lru_cache(maxsize=SEGMENT_CACHE_SIZE)
def _cached_segments(text: str, with_sub_words: bool) -> tuple[Segment, ...]:
    return tuple(_segments(text, with_sub_words))


def _segments(text: str, with_sub_words: bool) -> Iterator[Segment]:
    pos = 0
    for word, start, end in _raw_words(text):
        word = word.lower()
        yield Segment(word, pos, start, end)
        if with_sub_words and _is_han(word[0]):
            for sub, sub_start, sub_end in _sub_words(word, start):
                yield Segment(sub, pos, sub_start, sub_end)
        pos += 1


class JiebaTokenizer(Tokenizer):
    """Whoosh tokenizer over jieba: words at consecutive positions, sub-words in index mode."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        text = normalize(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if tokenize:
            segments = segment(text, with_sub_words=(mode == "index"))
        else:
            segments = [Segment(text.lower(), 0, 0, len(text))]
        for seg in segments:
            token.text = token.original = seg.text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + seg.pos
            if chars:  # offsets into the NFKC-normalised value
                token.startchar = start_char + seg.start
                token.endchar = start_char + seg.end
            yield token


class DomainStopFilter(Filter):
    """Drop stop words without renumbering, so gaps and same-position sub-words survive."""

    # The list is read from the package at call time rather than pickled into the index's
    # schema, so every process filters with the shipped file (a change is caught by the hash).

    def __call__(self, tokens):
        stops = stop_words()
        for token in tokens:
            if token.text in stops:
                if not token.removestops:
                    token.stopped = True
                    yield token
                continue
            yield token


def build_analyzer() -> Composable:
    """Return the analyzer used by every text field of the schema."""
    return JiebaTokenizer() | DomainStopFilter()


ANALYZER = build_analyzer()


def analyze_segments(text: str, with_sub_words: bool = False) -> list[Segment]:
    """Return the non-stop-word segments of text (char spans refer to the normalised text)."""
    stops = stop_words()
    return [s for s in segment(normalize(text), with_sub_words) if s.text not in stops]


def analyze(text: str) -> list[str]:
    """Return the query-mode tokens of text: normalised, lowercased, without stop words."""
    return [s.text for s in analyze_segments(text)]


def index_terms(text: str) -> list[str]:
    """Return the index-mode tokens of text, including sub-words of compounds."""
    return [s.text for s in analyze_segments(text, with_sub_words=True)]
