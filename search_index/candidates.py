"""The retrieval stage of matching: Whoosh's BM25F OR query, scored with numpy arrays.

`match_document` used to hand its flat OR of ~120 clauses (40 terms x 3 text fields) to
Whoosh, which reads and scores every posting in pure Python: 0.3-0.6 s per match at
100,000 results. This module computes the very same scores (same formula, same statistics,
same order of floating-point operations, so the same top hits in the same order) over
numpy arrays:

- the postings of a term in a field of a segment (document numbers and weights) are read
  from Whoosh's posting blocks once and kept in a process-wide cache bounded in bytes
  (segments are immutable, so an entry stays valid for as long as its segment exists;
  a new commit only adds or merges segments);
- the field lengths of a segment are read once per segment (one byte per document);
- per query, each clause adds `idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg))
  * boost` to an array of scores, the filter, the deletions and the mask are applied as
  boolean arrays, and the best documents are taken by (score desc, docnum asc), as Whoosh's
  collector orders them.

Whoosh stays the index, the store of fields, the source of statistics (idf, average field
length) and the reference: `whoosh_candidates` runs the same query through Whoosh, and the
tests check that both give the same hits and scores.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import log

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3LeafMatcher,
    _lenfield,
)
from whoosh.matching import WrappingMatcher
from whoosh.query import PreloadedOr, Term
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

# Bytes of postings kept in memory per process (document numbers 4 bytes, weights 4 bytes).
CACHE_MB_ENV = "MARKET_MATCH_CACHE_MB"
DEFAULT_CACHE_MB = 96
ENTRY_OVERHEAD = 200  # bytes counted per cache entry besides its arrays
# Whoosh stores a document's field length as one byte; this decodes it.
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
_INT = struct.Struct("!i")  # whoosh.system's signed int, as block lengths are written


@dataclass(frozen=True)
class Clause:
    """One clause of the OR query: a term in a field, with its query boost."""

    field: str
    text: str
    boost: float


@dataclass
class Candidate:
    """A retrieved document: what matching needs of a Whoosh Hit (docnum, score, fields)."""

    searcher: Searcher
    docnum: int
    score: float

    def fields(self) -> dict:
        return self.searcher.stored_fields(self.docnum)


class PostingsCache:
    """Term postings and field lengths of segments, kept as arrays (LRU, bounded in bytes)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._postings: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lengths: dict[tuple, np.ndarray] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def postings(self, reader, seg_key: str, field: str, text: str):
        """Return (docnums, weights) of the term in the field of one segment's reader."""
        key = (seg_key, field, text)
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                self.hits += 1
                return found
        found = read_postings(reader, field, text)
        size = _entry_bytes(found)
        with self._lock:
            self.misses += 1
            if key not in self._postings:
                self._postings[key] = found
                self.bytes += size
                while self.bytes > self.max_bytes and len(self._postings) > 1:
                    _key, evicted = self._postings.popitem(last=False)
                    self.bytes -= _entry_bytes(evicted)
        return found

    def peek(self, seg_key: str, field: str, text: str):
        """Return the cached (docnums, weights) of a term, or None (without reading it)."""
        with self._lock:
            return self._postings.get((seg_key, field, text))

    def lengths(self, reader, seg_key: str, field: str) -> np.ndarray:
        """Return one byte per document of the segment: its encoded length of field."""
        key = (seg_key, field)
        found = self._lengths.get(key)
        if found is None:
            found = read_lengths(reader, field)
            with self._lock:
                # Few keys (segments x 3 fields); entries of merged-away segments are dropped.
                if len(self._lengths) > 64:
                    self._lengths.clear()
                self._lengths[key] = found
        return found

    def clear(self) -> None:
        with self._lock:
            self._postings.clear()
            self._lengths.clear()
            self.bytes = 0


def _entry_bytes(entry: tuple[np.ndarray, np.ndarray]) -> int:
    # The arrays plus the key and dict slot (an absent term's empty entry is not free).
    return entry[0].nbytes + entry[1].nbytes + ENTRY_OVERHEAD


_cache: PostingsCache | None = None


def postings_cache() -> PostingsCache:
    """Return this process's cache (its size from MARKET_MATCH_CACHE_MB, default 96)."""
    global _cache
    if _cache is None:
        mb = float(os.environ.get(CACHE_MB_ENV) or DEFAULT_CACHE_MB)
        _cache = PostingsCache(int(mb * 2**20))
    return _cache


def read_postings(reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Read every posting of a term in one segment (deleted documents included)."""
    if (field, text) not in reader:
        return _EMPTY
    matcher = reader.postings(field, text)
    while isinstance(matcher, WrappingMatcher):  # the deletions filter: applied by the caller
        matcher = matcher.child
    if isinstance(matcher, W3LeafMatcher) and not matcher._byteids:
        length = matcher._length  # Whoosh reads it back as a 1-tuple (struct.unpack's)
        length = length[0] if isinstance(length, tuple) else length
        raw = matcher._postfile.get(matcher._startoffset, length)
        parsed = _parse_blocks(raw) if raw[:4] == WHOOSH3_HEADER_MAGIC else None
        if parsed is not None:
            return parsed
    ids: list = []
    weights: list = []
    while matcher.is_active():  # inlined postings, another codec: posting by posting
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int32), _weights_array(np.asarray(weights, dtype=np.float64))


def _parse_blocks(raw: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """Decode a whole Whoosh 3 posting list read in one go (W3LeafMatcher's format).

    Each block: a signed length (negative for the last block), the pickled block info
    (count, last id, max weight, compression, min/max length), then the pickled (maybe
    zlib-compressed) tuple (delta-encoded ids, weights, values). Whoosh reads it through
    many small file reads; one read and numpy's cumsum cost a fraction of that.
    """
    ids, weights = [], []
    pos = 4  # after the header tag
    while True:
        (length,) = _INT.unpack_from(raw, pos)
        last = length < 0
        start, end = pos + _INT.size, pos + _INT.size + abs(length)
        block = io.BytesIO(raw[start:end])
        count, _last_id, _max_weight, compression, _min, _max = pickle.load(block)
        data = raw[start + block.tell() : end]
        if compression:
            data = zlib.decompress(data)
        deltas, block_weights, _values = pickle.loads(data)
        ids.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        if block_weights is None:
            weights.append(np.ones(count, dtype=np.float64))
        elif isinstance(block_weights, float):  # Whoosh widens it through array("f")
            weights.append(np.full(count, block_weights, dtype=np.float32).astype(np.float64))
        else:
            weights.append(np.asarray(block_weights, dtype=np.float64))
        if last:
            break
        pos = end
    if end != len(raw):  # not the layout we know: let Whoosh's matcher read it
        return None
    return np.concatenate(ids).astype(np.int32), _weights_array(np.concatenate(weights))


def _weights_array(weights: np.ndarray) -> np.ndarray:
    """Keep weights as float32 when that loses nothing (they are counts times field boosts)."""
    narrow = weights.astype(np.float32)
    return narrow if np.array_equal(narrow, weights) else weights


def read_lengths(reader, field: str) -> np.ndarray:
    """Read the encoded field length (one byte) of every document of one segment."""
    count = reader.doc_count_all()
    lengths = np.zeros(count, dtype=np.uint8)
    column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is None:
        return lengths
    try:  # the column's bytes in one read (the writer leaves trailing zeros out)
        stored = column._dbfile.get(column._basepos, column._count)
        lengths[: len(stored)] = np.frombuffer(stored, dtype=np.uint8)
    except AttributeError:  # another column implementation: value by value
        lengths[:] = [column[i] for i in range(count)]
    return lengths


# Document frequencies per segment and term (immutable, like the segment): a match asks
# for a few hundred, each a hash-file lookup per segment in Whoosh.
DF_CACHE_ENTRIES = 100_000
_df_cache: dict[tuple[str, str, str], int] = {}


def doc_frequency(searcher: Searcher, field: str, text: str) -> int:
    """Return Whoosh's doc_frequency(field, text) of the searcher, from cached segment counts."""
    total = 0
    for reader, _offset, seg_key in leaves(searcher):
        key = (seg_key, field, text)
        found = _df_cache.get(key)
        if found is None:
            if len(_df_cache) >= DF_CACHE_ENTRIES:
                _df_cache.clear()
            found = _df_cache[key] = reader.doc_frequency(field, text)
        total += found
    return total


def term_idf(searcher: Searcher, field: str, text: str) -> float:
    """Return the searcher's BM25F idf of a term (whoosh.scoring.WeightingModel.idf)."""
    cache = searcher.__dict__.setdefault("_market_idf", {})
    key = (field, text)
    if key not in cache:
        n = doc_frequency(searcher, field, text)
        cache[key] = log(searcher.doc_count_all() / (n + 1)) + 1
    return cache[key]


def leaves(searcher: Searcher) -> list[tuple]:
    """Return (segment reader, docnum offset, segment key) of each segment (cached)."""
    found = searcher.__dict__.get("_market_leaves")
    if found is None:
        found = [
            (sub.reader(), offset, segment_key(sub.reader()))
            for sub, offset in leaf_searchers(searcher)
        ]
        searcher.__dict__["_market_leaves"] = found
    return found


def supported(searcher: Searcher) -> bool:
    """Tell whether the array scoring reproduces this searcher's weighting."""
    return type(searcher.weighting) is BM25F


def leaf_searchers(searcher: Searcher) -> list[tuple[Searcher, int]]:
    if searcher.is_atomic():
        return [(searcher, 0)]
    return list(searcher.leaf_searchers())


def segment_key(reader) -> str:
    """Return a key naming one segment of one index folder (segments never change)."""
    segment = reader.segment()
    folder = getattr(reader.storage(), "folder", "") or str(id(reader.storage()))
    return f"{folder}:{segment.segment_id()}"


def top_candidates(
    searcher: Searcher,
    clauses: Sequence[Clause],
    limit: int,
    allowed: np.ndarray | None = None,
    excluded: Iterable[int] = (),
) -> list[Candidate]:
    """Return the best documents for the OR of clauses, as Whoosh's search would rank them.

    `allowed` is a boolean array over the searcher's document numbers (the filter);
    `excluded` are document numbers to leave out (the mask). Deleted documents never count.
    """
    cache = postings_cache()
    weighting = searcher.weighting
    k1 = weighting.K1
    stats = {}  # (field, text) -> (idf, b, avgfl, boost), like Whoosh's scorer per clause
    docs, weights, lengths, params, counts = [], [], [], [], []
    removed = [np.fromiter(excluded, dtype=np.int64)]
    for reader, offset, seg_key in leaves(searcher):
        for clause in clauses:
            ids, tf = cache.postings(reader, seg_key, clause.field, clause.text)
            if not len(ids):
                continue
            key = (clause.field, clause.text, clause.boost)
            if key not in stats:
                stats[key] = (
                    term_idf(searcher, clause.field, clause.text),
                    weighting._field_B.get(clause.field, weighting.B),
                    searcher.avg_field_length(clause.field) or 1,
                    clause.boost,
                )
            docs.append(ids + offset if offset else ids)
            weights.append(tf)
            lengths.append(cache.lengths(reader, seg_key, clause.field)[ids])
            params.append(stats[key])
            counts.append(len(ids))
        if reader.has_deletions():  # deleted documents keep their postings until a merge
            removed.append(np.fromiter(reader.deleted_docs_set, dtype=np.int64) + offset)
    size = searcher.doc_count_all()
    if docs:
        idf, b, avgfl, boost = (np.repeat(column, counts) for column in zip(*params, strict=True))
        tf = np.concatenate(weights).astype(np.float64)
        fl = _LENGTHS[np.concatenate(lengths)]
        # whoosh.scoring.bm25's operations in its order, times the clause's boost: the same
        # float64 values as Whoosh. bincount adds them up per document in clause order, as
        # Whoosh's array union matcher does, so the sums are the same too.
        value = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl))) * boost
        scores = np.bincount(np.concatenate(docs), weights=value, minlength=size)
    else:
        scores = np.zeros(size, dtype=np.float64)
    keep = scores > 0
    if allowed is not None:
        keep &= allowed
    keep[np.concatenate(removed)] = False
    docnums = np.flatnonzero(keep)
    if len(docnums) > limit:
        values = scores[docnums]
        # Everything scoring at least the limit-th best value, ties included, then ordered.
        threshold = np.partition(values, len(values) - limit)[len(values) - limit]
        docnums = docnums[values >= threshold]
    order = np.lexsort((docnums, -scores[docnums]))[:limit]
    return [Candidate(searcher, int(d), float(scores[d])) for d in docnums[order]]


def terms_by_field(
    searcher: Searcher, docnums: Iterable[int], texts: Iterable[str], fields: Sequence[str]
) -> dict[int, dict[str, set[str]]]:
    """Return, for each docnum, which of the terms occur in each of the fields.

    Looked up in the cached postings (those of the search are there already); probing
    Whoosh's posting lists for the top hits cost more than the search itself.
    """
    order = sorted(set(docnums))
    found: dict[int, dict[str, set[str]]] = {d: {f: set() for f in fields} for d in order}
    if not order:
        return found
    cache = postings_cache()
    wanted = np.asarray(order, dtype=np.int64)
    per_segment = []
    for reader, offset, seg_key in leaves(searcher):
        local = wanted - offset
        local = local[(local >= 0) & (local < reader.doc_count_all())]
        if len(local):
            per_segment.append((reader, offset, seg_key, local))
    for text in set(texts):
        for field in fields:
            for reader, offset, seg_key, local in per_segment:
                ids, _weights = cache.postings(reader, seg_key, field, text)
                if not len(ids):
                    continue
                at = np.minimum(np.searchsorted(ids, local), len(ids) - 1)
                for docnum in local[ids[at] == local]:
                    found[int(docnum) + offset][field].add(text)
    return found


def preload(searcher: Searcher, fields: Sequence[str], min_doc_frequency: int) -> int:
    """Read the postings of every term in `fields` found in at least that many documents of
    a segment into the cache (long lists cost most to read at a first match); return how
    many term lists were read. The cache's byte bound still applies."""
    cache = postings_cache()
    count = 0
    for reader, _offset, seg_key in leaves(searcher):
        for field in fields:
            decode = searcher.schema[field].from_bytes
            for btext, info in reader.iter_field(field):
                if info.doc_frequency() >= min_doc_frequency:
                    cache.postings(reader, seg_key, field, decode(btext))
                    count += 1
    return count


def term_mask(searcher: Searcher, field: str, text: str) -> np.ndarray:
    """Return a boolean array over the searcher's documents: those holding the term.

    Built from the cached postings of each segment (deleted documents included: the
    retrieval drops them), so a new searcher after a commit reads only the new segments.
    """
    cache = postings_cache()
    mask = np.zeros(searcher.doc_count_all(), dtype=bool)
    for reader, offset, seg_key in leaves(searcher):
        ids, _weights = cache.postings(reader, seg_key, field, text)
        mask[ids.astype(np.int64) + offset] = True
    return mask


def whoosh_candidates(
    searcher: Searcher,
    clauses: Sequence[Clause],
    limit: int,
    filter=None,
    mask=None,
) -> list[tuple[int, float]]:
    """Run the same OR through Whoosh (the reference the array scoring must reproduce)."""
    query = PreloadedOr([Term(c.field, c.text, boost=c.boost) for c in clauses])
    results = searcher.search(query, limit=limit, filter=filter, mask=mask, optimize=False)
    return [(results[i].docnum, float(results[i].score)) for i in range(results.scored_length())]
