"""Match one posting against the postings of another kind, with explanations.

The pipeline:
1. source terms, weighted by field (title > keywords > body), saturated frequency and rarity
   within the target kind; words the target never uses are kept aside as bridge origins;
2. expansion (a TermExpander): the words inside compounds, then the thesaurus' related words
   (make_expander), each weighing less than the word it stands for and counted by its own
   rarity; the query is cut to MAX_QUERY_TERMS terms whatever the source's length;
3. one flat OR query over title/keywords/body of the target kind, top RERANK_DEPTH hits;
4. a rerank of those hits by coverage of the source's core terms and by fit (same field,
   compatible cooperation modes, price against budget), then explanations for the top ones:
   matched terms, bridges (source word -> synonym found), matched fields, fit, highlights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any

from whoosh.idsets import BitSet
from whoosh.query import Or, PreloadedOr, Query, Term
from whoosh.searching import Searcher

from . import candidates
from .analysis import analyze_segments, compound_parts, normalize
from .candidates import Clause
from .highlight import highlight_fields
from .schema import TEXT_FIELDS, keywords_text, kind_term
from .thesaurus import Thesaurus, load_thesaurus

KEY_TERM_LIMIT = 25
# The query stays bounded whatever the source's length: at most this many terms, each once
# per text field (matching must stay fast against 100,000 documents).
MAX_QUERY_TERMS = 40
# How many of the heaviest source terms (seen in the target kind or not) are widened through
# the thesaurus, and how many related words each may bring.
THESAURUS_ORIGINS = 30
RELATED_PER_TERM = 6
# A related word that the analyzer splits into several tokens is weaker evidence per token.
MULTI_TOKEN_FACTOR = 0.5
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
# Ranking looks this deep for fit before cutting to the requested limit.
RERANK_DEPTH = 30
# Terms in more than this share of the target kind (and at least FREQUENT_MIN_DOCS documents)
# are left out of the search itself: they rank almost nothing and their long posting lists
# cost most of a large index's time. They still count in the rerank and the explanations.
FREQUENT_SHARE = 0.05
FREQUENT_MIN_DOCS = 1000
# How much covering all of the source's core terms multiplies a hit's score (see rerank()).
COVERAGE_WEIGHT = 1.0
# Score the retrieval over numpy arrays (same scores as Whoosh, ~10x faster); off: Whoosh.
ARRAY_SCORING = True


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
    """A weighted query term; `origin` is the source key term it stands for.

    `via` tells how it was reached: "" (the source's own word), "part" (a word inside a
    compound) or "thesaurus" (a related word); `surface` is the word as written.
    """

    text: str
    surface: str
    weight: float
    origin: str
    via: str = ""
    source: str = ""  # the origin's surface, for a related word ("" for the source's own)


# An expansion step receives the source's key terms and returns them plus related terms, each
# with `origin` set to the key term it stands for and a weight no higher than the origin's.
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
                weight = term.weight * SUB_WORD_FACTOR
                expanded.append(KeyTerm(sub, sub, weight, term.origin, "part"))
    return expanded


class ThesaurusExpander:
    """A TermExpander adding sub-words, then the thesaurus' related words of key terms.

    Given a loader instead of a thesaurus, it loads it at the first match: a web process that
    only searches never pays for 词林.
    """

    def __init__(self, thesaurus: Thesaurus | Callable[[], Thesaurus]) -> None:
        self._thesaurus = thesaurus

    @property
    def thesaurus(self) -> Thesaurus:
        if not isinstance(self._thesaurus, Thesaurus):
            self._thesaurus = self._thesaurus()
        return self._thesaurus

    def __call__(self, terms: list[KeyTerm]) -> list[KeyTerm]:
        expanded = expand_sub_words(terms)
        seen = {t.text for t in expanded}
        # A single Chinese character is a fragment, not a concept: its 词林 "synonyms" are
        # other senses of the character (一 -> 单件), so it is not widened.
        origins = [t for t in terms if not _single_han(t.text)]
        for term in sorted(origins, key=lambda t: -t.weight)[:THESAURUS_ORIGINS]:
            for related in related_terms(self.thesaurus, term):
                if related.text not in seen:
                    seen.add(related.text)
                    expanded.append(related)
        return expanded

    def phrases_in(self, text: str) -> list[str]:
        """Return the thesaurus words in text that the analyzer splits into several tokens."""
        # Bureau groups are added at run time, after the index was segmented: "钧瓷土" is no
        # token, so its group would never be looked up without this scan.
        return [word for word in self.thesaurus.phrases if word in text]


def make_expander(thesaurus: Thesaurus) -> TermExpander:
    """Return an expander adding sub-words, then the thesaurus' related words of key terms."""
    return ThesaurusExpander(thesaurus)


def related_terms(thesaurus: Thesaurus, term: KeyTerm) -> list[KeyTerm]:
    """Return the thesaurus' words related to a key term as query terms standing for it."""
    found = []
    related = [(w, share) for w, share in thesaurus.related(term.text) if not _single_han(w)]
    for word, share in related[:RELATED_PER_TERM]:
        tokens = word_tokens(word)
        if len(tokens) > 1:
            share *= MULTI_TOKEN_FACTOR
        for token in tokens:
            if token != term.text:
                weight = term.weight * share
                found.append(KeyTerm(token, word, weight, term.origin, "thesaurus", term.surface))
    return found


def _single_han(word: str) -> bool:
    return len(word) == 1 and not word.isascii()


@lru_cache(maxsize=65536)
def word_tokens(word: str) -> tuple[str, ...]:
    """Return the query tokens of a thesaurus word (cached: the same words recur constantly)."""
    return tuple(s.text for s in analyze_segments(word))


@cache
def default_expander() -> TermExpander:
    """Return the expansion used when a store is given none: the shipped thesaurus."""
    return ThesaurusExpander(load_thesaurus)


class KindStats:
    """Document frequencies of terms within one kind of posting."""

    def __init__(self, searcher: Searcher, kind: str) -> None:
        self.searcher = searcher
        self.kind = kind
        self.doc_count = searcher.doc_frequency("kind", kind)
        self._df: dict[str, int] = {}

    def doc_frequency(self, term: str) -> int:
        """Return how many documents of this kind contain term in any text field."""
        if term not in self._df:
            key = kind_term(self.kind, term)
            self._df[term] = candidates.doc_frequency(self.searcher, "kind_terms", key)
        return self._df[term]

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


def phrase_frequencies(
    doc: dict, phrases_in: Callable[[str], list[str]], counts: dict[str, tuple[float, str]]
) -> dict[str, tuple[float, str]]:
    """Return the thesaurus phrases of the source that are no token, counted like terms."""
    found: dict[str, tuple[float, str]] = {}
    for name, text in source_texts(doc).items():
        lowered = text.lower()
        for phrase in phrases_in(lowered):
            if phrase in counts:
                continue
            tf, surface = found.get(phrase, (0.0, _as_written(text, lowered, phrase)))
            found[phrase] = (tf + SOURCE_FIELD_WEIGHTS[name] * lowered.count(phrase), surface)
    return found


def _as_written(text: str, lowered: str, phrase: str) -> str:
    start = lowered.find(phrase)
    return text[start : start + len(phrase)] if len(lowered) == len(text) else phrase


def _is_number(term: str) -> bool:
    # Bare figures ("3", "10", "3.5") match everywhere and mean nothing alone.
    return all(ch.isdigit() or ch == "." for ch in term)


def source_terms(doc: dict, stats: KindStats, expand: TermExpander | None = None) -> list[KeyTerm]:
    """Return every source term weighted by field-weighted frequency and rarity, heaviest first.

    Words the target kind never uses keep the highest rarity: they cannot match themselves,
    but the thesaurus may lead from them (plant language) to words the target does use.
    """
    terms = []
    counts = term_frequencies(doc)
    phrases_in = getattr(expand, "phrases_in", None)
    if phrases_in:
        counts.update(phrase_frequencies(doc, phrases_in, counts))
    for text, (tf, surface) in counts.items():
        weight = _saturate(tf) * stats.idf(text)
        if _single_han(text):
            weight *= SINGLE_CHAR_FACTOR
        terms.append(KeyTerm(text, surface, weight, text))
    terms.sort(key=lambda t: (-t.weight, t.text))
    return terms


def extract_key_terms(doc: dict, stats: KindStats, limit: int = KEY_TERM_LIMIT) -> list[KeyTerm]:
    """Return the source's most telling terms that occur in the target kind, heaviest first."""
    return [t for t in source_terms(doc, stats) if stats.doc_frequency(t.text) > 0][:limit]


def _saturate(tf: float) -> float:
    return tf * (TF_SATURATION + 1) / (tf + TF_SATURATION)


def query_terms_for(doc: dict, stats: KindStats, expand: TermExpander) -> list[KeyTerm]:
    """Return the bounded, weighted query terms for doc: key terms, then their expansions."""
    terms = source_terms(doc, stats, expand)
    seen = [t for t in terms if stats.doc_frequency(t.text) > 0][:KEY_TERM_LIMIT]
    unseen = [t for t in terms if stats.doc_frequency(t.text) == 0][:THESAURUS_ORIGINS]
    by_text: dict[str, KeyTerm] = {}
    for term in expand(seen + unseen):
        if stats.doc_frequency(term.text) == 0:
            continue
        term = _rarity_weighted(term, stats)
        if term.text not in by_text or by_text[term.text].weight < term.weight:
            by_text[term.text] = term
    ranked = sorted(by_text.values(), key=lambda t: (-t.weight, t.text))
    own = [t for t in ranked if not t.via][:KEY_TERM_LIMIT]
    extra = [t for t in ranked if t.via]
    return own + extra[: MAX_QUERY_TERMS - len(own)]


def _rarity_weighted(term: KeyTerm, stats: KindStats) -> KeyTerm:
    # A related word counts by its own rarity in the target, not by its origin's: a plant
    # phrase no result uses would otherwise lend its maximal rarity to a common word.
    if term.via != "thesaurus":
        return term
    origin_idf = stats.idf(term.origin)
    share = term.weight / origin_idf if origin_idf > 0 else 0.0
    weight = min(term.weight, share * stats.idf(term.text))
    return replace(term, weight=weight)


def match_clauses(terms: list[KeyTerm]) -> list[Clause]:
    """Return the clauses of one flat OR: every term in every text field, boosted by weight."""
    # Title and keywords count more through the schema's index-time field boosts; extra
    # query-time field boosts made problem -> result matching worse on the development set.
    top = max((t.weight for t in terms), default=1.0)
    return [Clause(name, t.text, t.weight / top) for t in terms for name in TEXT_FIELDS]


def build_match_query(terms: list[KeyTerm]) -> Query:
    """Return the match query as Whoosh runs it (the reference of the array scoring)."""
    # PreloadedOr reads each clause's postings into arrays: above 5,000 documents Whoosh's plain
    # Or builds a tree of union matchers that was 7x slower for our ~120 clauses, same top 10.
    return PreloadedOr([Term(c.field, c.text, boost=c.boost) for c in match_clauses(terms)])


def search_terms(terms: list[KeyTerm], stats: KindStats) -> list[KeyTerm]:
    """Return the terms worth searching with: all but the very frequent (all if none is left)."""
    limit = max(FREQUENT_MIN_DOCS, FREQUENT_SHARE * stats.doc_count)
    kept = [t for t in terms if stats.doc_frequency(t.text) <= limit]
    return kept or terms


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
    query_terms = query_terms_for(doc, stats, expand)
    if not query_terms or limit < 1:
        return []
    top = retrieve(
        searcher,
        match_clauses(search_terms(query_terms, stats)),
        max(limit, RERANK_DEPTH),
        target_kind,
        _excluded(doc, exclude_org),
    )
    found = candidates.terms_by_field(
        searcher, [hit.docnum for hit in top], {t.text for t in query_terms}, TEXT_FIELDS
    )
    origins = _origins(query_terms)
    strengths = {
        hit.docnum: coverage(origins, _hit_terms(query_terms, found[hit.docnum])) for hit in top
    }
    ranked = rerank(doc, top, strengths)[:limit]
    return [
        _explain(hit, score, fit, found[hit.docnum], strengths[hit.docnum], query_terms)
        for hit, score, fit in ranked
    ]


def _hit_terms(query_terms: list[KeyTerm], by_field: dict[str, set[str]]) -> list[KeyTerm]:
    matched = set().union(*by_field.values()) if by_field else set()
    return [t for t in query_terms if t.text in matched]


def rerank(doc: dict, hits: list, strengths: dict[int, float]) -> list[tuple[Any, float, tuple]]:
    """Return (hit, final score, fit checks passed) for the top hits, best first.

    The engine's score is multiplied by the pair's fit and by how much of the source's core
    the hit covers: BM25 lets one heavy word repeated carry a hit, coverage of several
    distinct concepts is the better sign of a solution.
    """
    ranked = []
    for hit in hits:
        factor, passed = fit_factor(doc, hit.fields())
        breadth = 1 + COVERAGE_WEIGHT * strengths[hit.docnum]
        ranked.append((hit, float(hit.score) * factor * breadth, passed))
    ranked.sort(key=lambda item: -item[1])  # stable: ties keep the engine's order
    return ranked


# Fit: mild multiplicative preferences applied to the top RERANK_DEPTH hits; fit never filters.
SAME_FIELD_BOOST = 1.1
COOPERATION_BOOST = 1.05
WITHIN_BUDGET_BOOST = 1.08
OVER_BUDGET_PENALTY = 0.92
# A price more than this many times the budget counts as far above it.
FAR_OVER_BUDGET = Decimal(2)
# Modes that serve the same intent: acquiring a finished technology, or developing one.
COOPERATION_FAMILIES = ({"技术转让", "技术许可"}, {"合作开发", "委托开发"}, {"技术咨询"})
# Catch-all field values say nothing about fit: two "other" postings are not in one industry.
UNSPECIFIED_FIELDS = frozenset({"其他", "其它", "other"})


def fit_factor(source: dict, target: dict) -> tuple[float, tuple[str, ...]]:
    """Return the score multiplier of a pair and the fit checks it passed."""
    factor, passed = 1.0, []
    field = source.get("field")
    if field and field not in UNSPECIFIED_FIELDS and field == target.get("field"):
        factor, passed = factor * SAME_FIELD_BOOST, [*passed, "field"]
    if modes_compatible(_modes(source.get("cooperation")), _modes(target.get("cooperation"))):
        factor, passed = factor * COOPERATION_BOOST, [*passed, "cooperation"]
    budget_factor = _budget_factor(source, target)
    if budget_factor > 1:
        passed.append("budget")
    return factor * budget_factor, tuple(passed)


def modes_compatible(wanted: set[str], offered: set[str]) -> bool:
    """Tell whether two sets of cooperation modes share a mode or a family of modes."""
    if wanted & offered:
        return True
    return any(wanted & family and offered & family for family in COOPERATION_FAMILIES)


def _modes(value: Any) -> set[str]:
    if not value:
        return set()
    items = value.split(",") if isinstance(value, str) else value
    return {str(m).strip() for m in items if str(m).strip()}


def _budget_factor(source: dict, target: dict) -> float:
    """Price within the problem's budget: a boost; far above it: a mild penalty."""
    pair = {source.get("kind"): source.get("amount"), target.get("kind"): target.get("amount")}
    budget, price = _decimal(pair.get("problem")), _decimal(pair.get("result"))
    if budget is None or price is None or budget <= 0:
        return 1.0
    if price <= budget:
        return WITHIN_BUDGET_BOOST
    if price > budget * FAR_OVER_BUDGET:
        return OVER_BUDGET_PENALTY
    return 1.0


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def retrieve(
    searcher: Searcher, clauses: list[Clause], depth: int, kind: str, excluded: Query
) -> list:
    """Return the top `depth` documents of `kind` for the OR of clauses, best first.

    Scored over numpy arrays (candidates.top_candidates) with exactly Whoosh's BM25F scores
    and order; through Whoosh itself when ARRAY_SCORING is off or the weighting is another.
    """
    if ARRAY_SCORING and candidates.supported(searcher):
        return candidates.top_candidates(
            searcher,
            clauses,
            depth,
            allowed=kind_mask(searcher, kind),
            excluded=searcher.docs_for_query(excluded),
        )
    results = searcher.search(
        PreloadedOr([Term(c.field, c.text, boost=c.boost) for c in clauses]),
        limit=depth,
        filter=kind_filter(searcher, kind),
        mask=excluded,
        # Block-quality skipping does not pay with PreloadedOr; checking for it costs ~15%.
        optimize=False,
    )
    # Not list(results): Results.__len__ counts every matching document, not the top ones.
    return [results[i] for i in range(results.scored_length())]


def kind_mask(searcher: Searcher, kind: str):
    """Return a boolean array over the searcher's documents: those of one kind (cached)."""
    cache = searcher.__dict__.setdefault("_market_kind_masks", {})
    if kind not in cache:
        cache[kind] = candidates.term_mask(searcher, "kind", kind)
    return cache[kind]


def kind_filter(searcher: Searcher, kind: str) -> BitSet:
    """Return the documents of one kind, computed once per searcher (a snapshot)."""
    # Building this set from the postings of "kind" took a fifth of a match at 20,000 results.
    cache = searcher.__dict__.setdefault("_market_kind_filters", {})
    if kind not in cache:
        docs = searcher.docs_for_query(Term("kind", kind))
        cache[kind] = BitSet(docs, size=searcher.doc_count_all())
    return cache[kind]


def _excluded(doc: dict, exclude_org: str | None) -> Query:
    clauses = [Term("id", str(int(doc["id"])))]
    if exclude_org:
        clauses.append(Term("org", exclude_org))
    return Or(clauses)


def _origins(query_terms: list[KeyTerm]) -> list[KeyTerm]:
    """Return the source terms the query stands for, heaviest first.

    A source word the target kind lacks (reached only through stand-ins) weighs as much as
    its heaviest stand-in, so coverage() can credit a hit that bridges it.
    """
    origins = {t.origin: t for t in query_terms if t.text == t.origin}
    for term in query_terms:
        best = origins.get(term.origin)
        if best is None or (best.text != best.origin and term.weight > best.weight):
            origins[term.origin] = KeyTerm(term.origin, "", term.weight, term.origin, "stand-in")
    return sorted(origins.values(), key=lambda t: (-t.weight, t.text))


def _explain(
    hit,
    score: float,
    fit: tuple[str, ...],
    by_field: dict[str, set[str]],
    strength: float,
    query_terms: list[KeyTerm],
) -> Match:
    hit_terms = _hit_terms(query_terms, by_field)
    matched = {t.text for t in hit_terms}
    stored = hit.fields()
    return Match(
        id=int(stored["id"]),
        score=round(score, 6),
        strength=strength,
        terms=_readable_terms(hit_terms),
        highlights=highlight_fields(stored, matched),
        bridges=_bridges(hit_terms, matched),
        fields=tuple(name for name in TEXT_FIELDS if by_field.get(name)),
        fit=fit,
    )


def _bridges(hit_terms: list[KeyTerm], matched: set[str]) -> tuple[tuple[str, str], ...]:
    """Return (source word, synonym in the hit) for key terms found only through a synonym."""
    pairs: dict[str, tuple[str, str]] = {}
    for term in sorted(hit_terms, key=lambda t: -t.weight):
        if term.via == "thesaurus" and term.origin not in matched:
            pairs.setdefault(term.origin, (term.source or term.origin, term.surface))
    return tuple(pairs.values())


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
