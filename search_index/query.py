"""Safe search over user-typed text: quoted phrases plus OR-ed terms, never Whoosh syntax."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from whoosh.query import And, AndMaybe, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from .analysis import Segment, analyze_segments, compound_parts, normalize
from .highlight import highlight_fields, terms_in_docs
from .schema import TEXT_FIELDS

MAX_QUERY_CHARS = 2000  # more is abuse or a paste accident; the rest is ignored
MAX_TERMS = 30
MAX_PHRASES = 5
MAX_PER_PAGE = 100
PHRASE_FIELDS = ("title", "body")
# Whoosh's BM25F saturates each field's tf separately, which flattens the index-time boosts
# (a title word scores only ~1.6x a body word); for typed searches titles should lead.
QUERY_FIELD_BOOSTS = {"title": 1.5, "keywords": 1.25, "body": 1.0}
# A document with only a part of a typed compound ranks below one with the compound.
PART_BOOST = 0.5
# ASCII quotes (full-width ones become ASCII under NFKC), Chinese quotes and corner brackets.
QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|『([^』]*)』')


@dataclass(frozen=True)
class SearchHit:
    """One search result with highlighted snippets."""

    id: int
    kind: str
    score: float
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchPage:
    """One page of search results; `terms` are the query's words and phrases as typed."""

    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    terms: tuple[str, ...]


@dataclass(frozen=True)
class PhraseWords:
    """An analysed quoted phrase: its words, the slop that bridges stop-word gaps, its text."""

    words: tuple[str, ...]
    slop: int
    text: str


@dataclass(frozen=True)
class UserQuery:
    """What a user's text asks for: phrases that must occur and terms that rank."""

    phrases: tuple[PhraseWords, ...]
    terms: tuple[str, ...]
    surfaces: tuple[str, ...]
    # Dictionary words inside compound terms ("开关柜" of "高压开关柜"), which rank lower.
    parts: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """Tell whether nothing searchable is left (only stop words, syntax or blanks)."""
        return not self.phrases and not self.terms

    def all_words(self) -> list[str]:
        """Return every index term the query looks for, phrase words included."""
        return [w for p in self.phrases for w in p.words] + list(self.terms) + list(self.parts)


def parse_user_query(text: str) -> UserQuery:
    """Split user text into quoted phrases and analysed terms (no operators are honoured)."""
    text = normalize(text[:MAX_QUERY_CHARS] if text else "")
    phrases = [p for p in map(_phrase, _quoted_parts(text)) if p][:MAX_PHRASES]
    rest = QUOTED.sub(" ", text)
    terms, surfaces = [], []
    for seg in analyze_segments(rest):
        if seg.text not in terms and len(terms) < MAX_TERMS:
            terms.append(seg.text)
            surfaces.append(rest[seg.start : seg.end])
    parts = [p for t in terms for p in compound_parts(t) if p not in terms][:MAX_TERMS]
    surfaces = tuple(p.text for p in phrases) + tuple(surfaces)
    return UserQuery(tuple(phrases), tuple(terms), surfaces, tuple(dict.fromkeys(parts)))


def _quoted_parts(text: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in QUOTED.finditer(text)]


def _phrase(text: str) -> PhraseWords | None:
    segments = analyze_segments(text)[:MAX_TERMS]
    if not segments:
        return None
    return PhraseWords(tuple(s.text for s in segments), _slop(segments), text.strip())


def _slop(segments: list[Segment]) -> int:
    # Stop words keep their positions in the index, so "A的B" is indexed as A _ B.
    gaps = [b.pos - a.pos for a, b in zip(segments, segments[1:], strict=False)]
    return max(gaps, default=1)


def build_search_query(parsed: UserQuery) -> Query:
    """Return the Whoosh query: all phrases required, terms OR-ed to rank."""
    term_query = _terms_query(parsed.terms, parsed.parts) if parsed.terms else None
    if not parsed.phrases:
        return term_query
    required = And([_phrase_query(p) for p in parsed.phrases])
    return AndMaybe(required, term_query) if term_query else required


def _terms_query(terms: Sequence[str], parts: Sequence[str] = ()) -> Query:
    # One flat Or (not one per term): Whoosh runs it faster and scores it the same.
    weighted = [(t, 1.0) for t in terms] + [(p, PART_BOOST) for p in parts]
    return Or(
        [
            Term(name, t, boost=QUERY_FIELD_BOOSTS[name] * boost)
            for t, boost in weighted
            for name in TEXT_FIELDS
        ]
    )


def _phrase_query(phrase: PhraseWords) -> Query:
    if len(phrase.words) == 1:
        return Or([Term(name, phrase.words[0]) for name in PHRASE_FIELDS])
    return Or([Phrase(name, list(phrase.words), slop=phrase.slop) for name in PHRASE_FIELDS])


def search_postings(
    searcher: Searcher,
    text: str,
    kinds: Sequence[str] | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchPage:
    """Search postings of the given kinds (None or empty: all) and return one page."""
    page, per_page = max(1, int(page)), min(MAX_PER_PAGE, max(1, int(per_page)))
    parsed = parse_user_query(text)
    if parsed.is_empty():
        return SearchPage([], 0, page, per_page, parsed.surfaces)
    results = searcher.search(
        build_search_query(parsed),
        limit=page * per_page,
        filter=Or([Term("kind", k) for k in kinds]) if kinds else None,
        # With block skipping, Whoosh counts the total by re-running the query without the
        # filter (too many hits for a kind-filtered search); counting while collecting is exact.
        optimize=False,
    )
    shown = results[(page - 1) * per_page : page * per_page]
    found = terms_in_docs(searcher, (hit.docnum for hit in shown), parsed.all_words())
    hits = [_search_hit(hit, found[hit.docnum]) for hit in shown]
    return SearchPage(hits, len(results), page, per_page, parsed.surfaces)


def _search_hit(hit, matched: set[str]) -> SearchHit:
    stored = hit.fields()
    return SearchHit(
        id=int(stored["id"]),
        kind=stored["kind"],
        score=float(hit.score),
        highlights=highlight_fields(stored, matched),
    )
