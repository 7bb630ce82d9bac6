"""Match one posting against the postings of another kind, with explanations.

The pipeline is: key terms of the source document (weighted by field, term frequency and
rarity within the target kind) -> expansion (the words inside compounds now; a thesaurus step
slots in as another TermExpander) -> one OR query over title/keywords/body of the target
kind -> hits with strength, matched terms and highlights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh.query import Or, Query, Term
from whoosh.searching import Searcher

from .analysis import analyze_segments, compound_parts, normalize
from .highlight import highlight_fields, terms_in_docs
from .schema import TEXT_FIELDS, keywords_text, kind_term

KEY_TERM_LIMIT = 25
# How much a word in each part of the source counts towards its term frequency.
SOURCE_FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "body": 1.0}
# BM25's k1: the third mention of a word adds far less than the first.
TF_SATURATION = 1.2
# Single Chinese characters are mostly fragments of words jieba did not know.
SINGLE_CHAR_FACTOR = 0.5
# A part of a compound ("放电" of "局部放电") is weaker evidence than the compound.
SUB_WORD_FACTOR = 0.5
# Strength is measured against the weight of this many heaviest key terms (see coverage()).
CORE_TERMS = 10


@dataclass(frozen=True)
class Match:
    """A ranked document for a source document, with why it matched."""

    id: int
    score: float
    strength: float
    terms: tuple[str, ...]
    highlights: dict[str, str] = field(default_factory=dict)
    # (source word, the related word found in the hit) for each gap a synonym bridged.
    bridges: tuple[tuple[str, str], ...] = ()
    # Which text fields of the hit matched: a subset of ("title", "keywords", "body").
    fields: tuple[str, ...] = ()
    # Which fit checks the pair passed: a subset of ("field", "cooperation", "budget").
    fit: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyTerm:
    """A weighted query term; `origin` is the source key term it stands for."""

    text: str
    surface: str
    weight: float
    origin: str


# An expansion step receives the source's key terms and returns them plus related terms, each
# with `origin` set to the key term it stands for and a weight no higher than the origin's.
# A thesaurus step can be chained after expand_sub_words.
TermExpander = Callable[[list[KeyTerm]], list[KeyTerm]]


def expand_sub_words(terms: list[KeyTerm]) -> list[KeyTerm]:
    """Add the dictionary words inside compound key terms, at SUB_WORD_FACTOR of their weight."""
    # The source may say "局部放电" where a target only has "放电"; index-time sub-words cover
    # the opposite direction.
    expanded, seen = list(terms), {t.text for t in terms}
    for term in terms:
        for sub in compound_parts(term.text):
            if sub not in seen:
                seen.add(sub)
                expanded.append(KeyTerm(sub, sub, term.weight * SUB_WORD_FACTOR, term.origin))
    return expanded


def default_expander() -> TermExpander:
    """Return the expansion used when a store is given none."""
    return expand_sub_words


class KindStats:
    """Document frequencies of terms within one kind of posting."""

    def __init__(self, searcher: Searcher, kind: str) -> None:
        self.searcher = searcher
        self.kind = kind
        self.doc_count = searcher.doc_frequency("kind", kind)

    def doc_frequency(self, term: str) -> int:
        """Return how many documents of this kind contain term in any text field."""
        return self.searcher.doc_frequency("kind_terms", kind_term(self.kind, term))

    def idf(self, term: str) -> float:
        """Return BM25's (always positive) inverse document frequency of term in this kind."""
        df = self.doc_frequency(term)
        return math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))


def source_texts(doc: dict) -> dict[str, str]:
    """Return the source document's title, keywords and body as normalised text."""
    return {
        "title": normalize(str(doc.get("title") or "")),
        "keywords": normalize(keywords_text(doc.get("keywords"))),
        "body": normalize(str(doc.get("body") or "")),
    }


def term_frequencies(doc: dict) -> dict[str, tuple[float, str]]:
    """Return term -> (field-weighted frequency, first surface form) for the source document."""
    counts: dict[str, tuple[float, str]] = {}
    for name, text in source_texts(doc).items():
        for seg in analyze_segments(text):
            if _is_number(seg.text):
                continue
            tf, surface = counts.get(seg.text, (0.0, text[seg.start : seg.end]))
            counts[seg.text] = (tf + SOURCE_FIELD_WEIGHTS[name], surface)
    return counts


def _is_number(term: str) -> bool:
    # Bare figures ("3", "10", "3.5") match everywhere and mean nothing alone.
    return all(ch.isdigit() or ch == "." for ch in term)


def extract_key_terms(doc: dict, stats: KindStats, limit: int = KEY_TERM_LIMIT) -> list[KeyTerm]:
    """Return the source's most telling terms that occur in the target kind, heaviest first."""
    terms = []
    for text, (tf, surface) in term_frequencies(doc).items():
        if stats.doc_frequency(text) == 0:
            continue  # nothing of the target kind could match it
        weight = _saturate(tf) * stats.idf(text)
        if len(text) == 1 and not text.isascii():
            weight *= SINGLE_CHAR_FACTOR
        terms.append(KeyTerm(text, surface, weight, text))
    terms.sort(key=lambda t: (-t.weight, t.text))
    return terms[:limit]


def _saturate(tf: float) -> float:
    return tf * (TF_SATURATION + 1) / (tf + TF_SATURATION)


def build_match_query(terms: list[KeyTerm]) -> Query:
    """Return one flat OR query: every term in every text field, boosted by its weight."""
    # A flat Or runs about twice as fast in Whoosh as an Or of per-term Ors, and scores the same.
    # Title and keywords count more through the schema's index-time field boosts; extra
    # query-time field boosts made problem -> result matching worse on the development set.
    top = max((t.weight for t in terms), default=1.0)
    return Or([Term(name, t.text, boost=t.weight / top) for t in terms for name in TEXT_FIELDS])


def match_document(
    searcher: Searcher,
    doc: dict,
    target_kind: str,
    limit: int = 20,
    exclude_org: str | None = None,
    expand: TermExpander = expand_sub_words,
) -> list[Match]:
    """Rank documents of target_kind against doc and explain each hit."""
    stats = KindStats(searcher, target_kind)
    key_terms = extract_key_terms(doc, stats)
    if not key_terms or limit < 1:
        return []
    query_terms = expand(key_terms)
    results = searcher.search(
        build_match_query(query_terms),
        limit=limit,
        filter=Term("kind", target_kind),
        mask=_excluded(doc, exclude_org),
    )
    found = terms_in_docs(searcher, (hit.docnum for hit in results), (t.text for t in query_terms))
    return [_explain(hit, found[hit.docnum], key_terms, query_terms) for hit in results]


def _excluded(doc: dict, exclude_org: str | None) -> Query:
    clauses = [Term("id", str(int(doc["id"])))]
    if exclude_org:
        clauses.append(Term("org", exclude_org))
    return Or(clauses)


def _explain(hit, matched: set[str], key_terms: list[KeyTerm], query_terms: list[KeyTerm]) -> Match:
    hit_terms = [t for t in query_terms if t.text in matched]
    stored = hit.fields()
    return Match(
        id=int(stored["id"]),
        score=float(hit.score),
        strength=coverage(key_terms, hit_terms),
        terms=_readable_terms(hit_terms),
        highlights=highlight_fields(stored, matched),
    )


def _readable_terms(hit_terms: list[KeyTerm]) -> tuple[str, ...]:
    """Return one word per covered key term: itself if it matched, else its best stand-in."""
    best: dict[str, KeyTerm] = {}
    for term in sorted(hit_terms, key=lambda t: (t.text != t.origin, -t.weight)):
        best.setdefault(term.origin, term)
    return tuple(t.surface for t in sorted(best.values(), key=lambda t: -t.weight))


def coverage(key_terms: list[KeyTerm], hit_terms: list[KeyTerm]) -> float:
    """Return the share of the source's core key-term weight that a hit covers, in [0, 1].

    Each key term is credited by the best of its query terms the hit contains, in proportion
    to that term's weight (the key term itself: fully; a sub-word: SUB_WORD_FACTOR). The
    credited weight is divided by the weight of the CORE_TERMS heaviest key terms, so a
    long source is not penalised for its tail of minor words; the result is capped at 1.
    """
    weights = {t.text: t.weight for t in key_terms}
    credit: dict[str, float] = {}
    for term in hit_terms:
        share = min(1.0, term.weight / weights[term.origin])
        credit[term.origin] = max(credit.get(term.origin, 0.0), share)
    core = sum(t.weight for t in key_terms[:CORE_TERMS])
    if core <= 0:
        return 0.0
    covered = sum(weights[origin] * share for origin, share in credit.items())
    return round(min(1.0, covered / core), 4)
