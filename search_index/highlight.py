"""Explanations of hits: which query terms each contains, and HTML snippets that mark them
(every other character escaped)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from html import escape

from whoosh.searching import Searcher

from .analysis import normalize_with_offsets, segment
from .schema import TEXT_FIELDS

BODY_SNIPPET_CHARS = 160
# Part of the snippet shown before the first mark, so the mark has some context.
LEAD_SHARE = 0.25
ELLIPSIS = "…"


def terms_in_docs(
    searcher: Searcher, docnums: Iterable[int], texts: Iterable[str]
) -> dict[int, set[str]]:
    """Return, for each docnum, which of the index terms occur in its text fields."""
    # Asking Whoosh for matched terms (search(terms=True)) forces its slow union-tree matcher
    # on the whole query; probing the postings of the few top hits costs less.
    by_field = terms_by_field(searcher, docnums, texts)
    return {docnum: set().union(*fields.values()) for docnum, fields in by_field.items()}


def terms_by_field(
    searcher: Searcher, docnums: Iterable[int], texts: Iterable[str]
) -> dict[int, dict[str, set[str]]]:
    """Return, for each docnum, which of the index terms occur in each of its text fields."""
    order = sorted(set(docnums))
    found: dict[int, dict[str, set[str]]] = {
        d: {name: set() for name in TEXT_FIELDS} for d in order
    }
    for text in set(texts):
        for name in TEXT_FIELDS:
            for docnum in _docs_with(searcher, name, text, order):
                found[docnum][name].add(text)
    return found


def _docs_with(searcher: Searcher, name: str, text: str, order: list[int]) -> Iterator[int]:
    """Yield the docnums of order (ascending) whose field `name` holds the term text."""
    if not order or (name, text) not in searcher.reader():
        return
    postings = searcher.postings(name, text)
    for docnum in order:
        if not postings.is_active():
            return
        if postings.id() < docnum:
            postings.skip_to(docnum)
        if postings.is_active() and postings.id() == docnum:
            yield docnum


def highlight_fields(stored: dict, terms: Collection[str]) -> dict[str, str]:
    """Return {"title": html, "body": html} for a stored document ("" where nothing matched)."""
    return {
        "title": highlight(stored.get("title", ""), terms),
        "body": highlight(stored.get("body", ""), terms, BODY_SNIPPET_CHARS),
    }


def highlight(text: str, terms: Collection[str], max_chars: int | None = None) -> str:
    """Return escaped text (a window of max_chars) with terms marked; "" if none occurs."""
    if not text or not terms:
        return ""
    start, end = 0, len(text)
    if max_chars and len(text) > max_chars:
        rough = substring_spans(text, terms)
        if not rough:
            return ""
        start, end = best_window(rough, len(text), max_chars)
    spans = [(s + start, e + start) for s, e in token_spans(text[start:end], terms)]
    if not spans:
        return ""
    return render(text, spans, start, end)


def token_spans(text: str, terms: Collection[str]) -> list[tuple[int, int]]:
    """Return merged spans of the words (and sub-words) of text that are in terms."""
    # Segmenting finds words where they are: "测温" is not marked inside "监测温度".
    normalized, offsets = normalize_with_offsets(text)
    return _merged(
        (offsets[s.start], offsets[s.end - 1] + 1)
        for s in segment(normalized, with_sub_words=True)
        if s.text in terms
    )


def substring_spans(text: str, terms: Collection[str]) -> list[tuple[int, int]]:
    """Return merged spans where any term occurs as a substring (a cheap first look)."""
    # Segmenting a whole long body for every hit costs more than the search; this finds the
    # snippet window, and only the window is segmented.
    normalized, offsets = normalize_with_offsets(text)
    # Lowercase char by char so offsets stay aligned (a few letters lowercase to two chars).
    haystack = normalized.lower()
    if len(haystack) != len(normalized):  # rare: only then is the char-by-char walk needed
        haystack = "".join(c if len(c.lower()) != 1 else c.lower() for c in normalized)
    return _merged(
        (offsets[start], offsets[start + len(term) - 1] + 1)
        for term in terms
        if term
        for start in _occurrences(haystack, term)
    )


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _occurrences(haystack: str, term: str) -> Iterator[int]:
    """Yield start offsets of term; Latin terms only where they stand as whole tokens."""
    start = haystack.find(term)
    while start != -1:
        end = start + len(term)
        if not term.isascii() or not (_word_char(haystack, start - 1) or _word_char(haystack, end)):
            yield start
        start = haystack.find(term, start + 1)


def _word_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()


def best_window(spans: list[tuple[int, int]], length: int, size: int) -> tuple[int, int]:
    """Return the window of `size` chars holding the most marked spans (earliest on ties)."""
    lead = int(size * LEAD_SHARE)
    best_start, best_count = 0, -1
    for span_start, _ in spans:
        start = max(0, min(span_start - lead, length - size))
        count = sum(1 for s, e in spans if s >= start and e <= start + size)
        if count > best_count:
            best_start, best_count = start, count
    return best_start, min(length, best_start + size)


def render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """Escape text[start:end] and wrap the spans inside it in <mark>."""
    out = [ELLIPSIS] if start > 0 else []
    cursor = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        out.append(escape(text[cursor:span_start]))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    out.append(escape(text[cursor:end]))
    if end < len(text):
        out.append(ELLIPSIS)
    return "".join(out)
