"""IndexStore: the one door to the Whoosh index (writes under a process lock, fresh searchers)."""

from __future__ import annotations

import contextlib
import fcntl
import glob
import itertools
import json
import multiprocessing
import os
import queue
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from whoosh import index
from whoosh.codec import whoosh3
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from . import candidates
from .analysis import dictionary_hash, init_jieba, stopwords_hash
from .matching import Match, TermExpander, default_expander, match_document
from .query import SearchPage, search_postings
from .schema import SCHEMA_VERSION, TEXT_FIELDS, build_schema, to_index_fields

META_FILE = "market_meta.json"
# How long a write waits for the process lock, then for Whoosh's own lock inside it.
LOCK_TIMEOUT = 120.0
WRITER_TIMEOUT = 30.0
PROGRESS_EVERY = 100
# A rebuild analyses documents in this many processes, each writing its own segment; jieba
# is pure Python, so analysis is the bulk of the cost and scales with cores.
REBUILD_PROCS = max(1, min(4, os.cpu_count() or 1))
# Smaller rebuilds (tests, a fresh market) are not worth starting processes for.
PARALLEL_FROM = 1000
REBUILD_BATCH = 250
# Memory for a writer's posting pool before it spills sorted runs to disk (per process).
WRITER_LIMIT_MB = 256
# How often the rebuild checks that its processes are still alive while waiting on them.
POLL_SECONDS = 1.0
# Searchers read the index files with pread-style reads (the kernel's page cache) rather than
# mapping them: mapped pages that a process has touched count in its RSS (hundreds of MB at
# 100,000 results), cached pages do not, and reads cost about the same.
SEARCH_MMAP = os.environ.get("MARKET_INDEX_MMAP", "") == "1"
# IndexStore.warm() preloads the postings of terms in at least this many documents of a segment.
WARM_MIN_DOCS = 1000
# A reader may arrive in the instant between the two renames of a swap: it retries briefly.
OPEN_RETRIES = 20
OPEN_RETRY_DELAY = 0.05


class IndexLockTimeout(TimeoutError):
    """Raised when the index write lock could not be taken in time."""


def create_index(path: str) -> None:
    """Create an empty index with its meta file at path."""
    os.makedirs(path, exist_ok=True)
    index.create_in(path, build_schema())
    write_meta(path)


def write_meta(path: str) -> None:
    """Record what built the index: schema version, dictionary hashes and a build id."""
    meta = {
        "schema_version": SCHEMA_VERSION,
        "dictionary_hash": dictionary_hash(),
        "stopwords_hash": stopwords_hash(),
        "build_id": secrets.token_hex(8),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    tmp = os.path.join(path, META_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(meta, fh)
    os.replace(tmp, os.path.join(path, META_FILE))


def read_meta(path: str) -> dict | None:
    """Return the index's meta record, or None when it is missing or unreadable."""
    try:
        with open(os.path.join(path, META_FILE), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


class IndexStore:
    """Add, replace, delete, rebuild and query posting documents in one Whoosh index."""

    def __init__(
        self,
        index_dir: str,
        lock_timeout: float = LOCK_TIMEOUT,
        expand: TermExpander | None = None,
    ) -> None:
        self.index_dir = os.path.abspath(index_dir)
        self.lock_path = self.index_dir + ".lock"
        self.lock_timeout = lock_timeout
        self.expand = expand or default_expander()  # how match() widens the key terms
        self._local = threading.local()
        self._searchers: set[Searcher] = set()
        self._searchers_lock = threading.Lock()
        if not index.exists_in(self.index_dir):
            with self._write_lock():
                if not index.exists_in(self.index_dir):
                    create_index(self.index_dir)

    # Writing

    def upsert(self, doc: dict) -> None:
        """Add a document or replace the one with the same id."""
        self.apply(upserts=[doc])

    def delete(self, doc_id: int) -> None:
        """Remove the document with this id (no error when absent)."""
        self.apply(deletes=[doc_id])

    def apply(self, upserts: Iterable[dict] = (), deletes: Iterable[int] = ()) -> None:
        """Add or replace some documents and remove others in one commit.

        A Whoosh commit costs far more than a document, so a bulk import indexes its postings
        in batches through here rather than one commit each.
        """
        fields = [to_index_fields(doc) for doc in upserts]  # analyse before taking the lock
        with self._writer() as writer:
            for doc_fields in fields:
                writer.update_document(**doc_fields)
            for doc_id in deletes:
                writer.delete_by_term("id", str(int(doc_id)))

    def rebuild(
        self,
        docs: Iterable[dict],
        progress: Callable[[int], None] | None = None,
        procs: int = REBUILD_PROCS,
    ) -> int:
        """Index docs into a fresh sibling directory, swap it in and return the count.

        Writes to the live index may go on meanwhile (they land in the old index: the caller
        re-applies what changed since the rebuild started). One rebuild runs at a time.
        """
        with self._rebuild_lock():
            self._remove_leftovers()
            new_dir = f"{self.index_dir}.new-{secrets.token_hex(4)}"
            try:
                create_index(new_dir)
                count = _fill_index(new_dir, docs, progress, procs)
                self._swap_in(new_dir)
            finally:
                shutil.rmtree(new_dir, ignore_errors=True)
        return count

    def _remove_leftovers(self) -> None:
        """Delete the .new-*/.old-* folders of rebuilds that crashed (call under the lock)."""
        # Only a rebuild creates them and it holds the rebuild lock throughout, so whatever
        # exists now belongs to a dead process. Readers with files open keep their inodes.
        for path in glob.glob(glob.escape(self.index_dir) + ".new-*") + glob.glob(
            glob.escape(self.index_dir) + ".old-*"
        ):
            shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def _rebuild_lock(self) -> Iterator[None]:
        """Hold the lock that lets one rebuild run at a time (writes are not blocked)."""
        with _locked_file(self.index_dir + ".rebuild.lock", self.lock_timeout):
            yield

    def _swap_in(self, new_dir: str) -> None:
        old_dir = f"{self.index_dir}.old-{secrets.token_hex(4)}"
        with self._write_lock():
            if os.path.exists(self.index_dir):
                os.rename(self.index_dir, old_dir)
            os.rename(new_dir, self.index_dir)
        # Readers holding files of the old index keep them open; the names can go.
        shutil.rmtree(old_dir, ignore_errors=True)

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Hold the inter-process lock file beside the index directory."""
        with _locked_file(self.lock_path, self.lock_timeout):
            yield

    @contextmanager
    def _writer(self):
        with self._write_lock():
            _remove_dead_toc_files(self.index_dir)
            ix = index.open_dir(self.index_dir)
            writer = ix.writer(timeout=WRITER_TIMEOUT)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    # Reading

    def stamps(self) -> dict[int, str]:
        """Return doc id -> stamp for every indexed document."""
        searcher = self._searcher()
        return {int(f["id"]): f.get("stamp", "") for f in searcher.all_stored_fields()}

    def doc_count(self) -> int:
        """Return the number of indexed documents."""
        return self._searcher().doc_count()

    def needs_rebuild(self) -> bool:
        """Tell whether the index was built with another schema version or dictionary."""
        meta = read_meta(self.index_dir)
        return (
            meta is None
            or meta.get("schema_version") != SCHEMA_VERSION
            or meta.get("dictionary_hash") != dictionary_hash()
            or meta.get("stopwords_hash") != stopwords_hash()
        )

    def match(
        self,
        doc: dict,
        target_kind: str,
        limit: int = 20,
        exclude_org: str | None = None,
    ) -> list[Match]:
        """Rank documents of target_kind against this document's text, best first."""
        return match_document(self._searcher(), doc, target_kind, limit, exclude_org, self.expand)

    def warm(self, min_doc_frequency: int = WARM_MIN_DOCS) -> int:
        """Read the postings of frequent terms into this process's matching cache.

        The first match that needs a long posting list decodes it from Whoosh's blocks
        (tens of ms at 100,000 results); a long-lived matching process may pay that once at
        start instead. Returns how many term lists were read.
        """
        return candidates.preload(self._searcher(), TEXT_FIELDS, min_doc_frequency)

    def search(
        self,
        query: str,
        kinds: Sequence[str] | None = None,
        page: int = 1,
        per_page: int = 20,
    ) -> SearchPage:
        """Search user text (any content; kinds None or empty: all) and return one page."""
        return search_postings(self._searcher(), query, kinds, page, per_page)

    def close(self) -> None:
        """Close every searcher this store opened."""
        with self._searchers_lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers.clear()
        self._local = threading.local()

    def _searcher(self) -> Searcher:
        """Return this thread's searcher, refreshed or reopened if the index changed on disk."""
        state = self._local
        build_id = self._current_build_id()
        searcher = getattr(state, "searcher", None)
        if searcher is not None and state.build_id == build_id and searcher.up_to_date():
            fresh = searcher
        else:
            # Not searcher.refresh(): it reuses segment readers whose deletion sets are stale,
            # so a deleted (archived, unpublished) posting would still be found.
            fresh = self._open_searcher()
            self._track(searcher, fresh, close_old=True)
        state.searcher, state.build_id = fresh, build_id
        return fresh

    def _current_build_id(self) -> str | None:
        # A rebuild swaps in a directory with a new build id; the generation alone cannot tell
        # (a fresh index may reach the same generation number as the old one).
        meta = read_meta(self.index_dir)
        return meta.get("build_id") if meta else None

    def _open_searcher(self) -> Searcher:
        for attempt in range(OPEN_RETRIES):
            try:
                storage = FileStorage(self.index_dir, supports_mmap=SEARCH_MMAP)
                return storage.open_index().searcher()
            except (EmptyIndexError, FileNotFoundError):
                if attempt == OPEN_RETRIES - 1:
                    raise
                time.sleep(OPEN_RETRY_DELAY)
        raise AssertionError("unreachable")

    def _track(self, old: Searcher | None, new: Searcher, close_old: bool) -> None:
        if new is old:
            return
        with self._searchers_lock:
            if old is not None:
                self._searchers.discard(old)
                if close_old:
                    old.close()
            self._searchers.add(new)


@contextmanager
def _locked_file(path: str, timeout: float) -> Iterator[None]:
    """Hold an exclusive flock on path; the kernel releases it if the holder dies."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a+") as fh:
        _flock(fh, timeout)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_dead_toc_files(index_dir: str) -> None:
    """Delete table-of-contents files a killed writer left under their temporary name.

    Whoosh writes `_MAIN_<gen>.toc.<time>` and renames it; a writer killed in between leaves
    it, and Whoosh never deletes it. Call with the write lock held: no live writer has one.
    """
    for path in glob.glob(os.path.join(glob.escape(index_dir), "_*.toc.*")):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def _flock(fh, timeout: float) -> None:
    """Take an exclusive flock, polling so that a stuck holder cannot block us forever."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise IndexLockTimeout(f"index lock {fh.name} busy for {timeout} s") from None
            time.sleep(0.01)


def _fill_index(
    path: str, docs: Iterable[dict], progress: Callable[[int], None] | None, procs: int
) -> int:
    """Add docs to the fresh index at path and return their count; refuse duplicate ids."""
    docs = iter(docs)
    first = list(itertools.islice(docs, PARALLEL_FROM))
    if procs > 1 and len(first) == PARALLEL_FROM:
        return _fill_in_processes(path, itertools.chain(first, docs), progress, procs)
    return _fill_serially(path, itertools.chain(first, docs), progress)


def _fill_serially(path: str, docs: Iterable[dict], progress) -> int:
    ix = index.open_dir(path)
    writer = ix.writer(limitmb=WRITER_LIMIT_MB)
    try:
        counter = _Counter(progress)
        for doc in docs:
            counter.add(doc)
            writer.add_document(**to_index_fields(doc))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return counter.done()


class _Counter:
    """Counts the documents of a rebuild, reports progress and refuses duplicate ids."""

    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self.progress = progress
        self.seen: set[int] = set()

    def add(self, doc: dict) -> None:
        doc_id = int(doc["id"])
        if doc_id in self.seen:
            raise ValueError(f"duplicate document id {doc_id} in rebuild")
        self.seen.add(doc_id)
        if self.progress and len(self.seen) % PROGRESS_EVERY == 0:
            self.progress(len(self.seen))

    def done(self) -> int:
        if self.progress:
            self.progress(len(self.seen))
        return len(self.seen)


def _fill_in_processes(path: str, docs: Iterable[dict], progress, procs: int) -> int:
    """Analyse and write docs in `procs` child processes, one segment each, then commit.

    Like Whoosh's MultiSegmentWriter, but the children also run to_index_fields (the other
    half of the analysis), and a child that fails or dies fails the rebuild instead of
    silently dropping its documents. Progress counts documents handed to the children.
    """
    init_jieba()  # before forking: the children inherit the loaded dictionary
    ctx = multiprocessing.get_context("fork")
    jobs, results = ctx.Queue(maxsize=procs * 2), ctx.Queue()
    children = [
        ctx.Process(target=_segment_child, args=(path, jobs, results), daemon=True)
        for _ in range(procs)
    ]
    for child in children:
        child.start()
    try:
        counter = _Counter(progress)
        for batch in _batches(docs, REBUILD_BATCH):
            for doc in batch:
                counter.add(doc)
            _put(jobs, batch, children)
        for _ in children:
            _put(jobs, None, children)
        segments = [_segment_of(results, children) for _ in children]
    except BaseException:
        for child in children:
            child.kill()
        raise
    finally:
        for child in children:
            child.join()
    _commit_segments(path, [seg for seg in segments if seg is not None])
    return counter.done()


def _batches(docs: Iterable[dict], size: int) -> Iterator[list[dict]]:
    docs = iter(docs)
    while batch := list(itertools.islice(docs, size)):
        yield batch


def _put(jobs, item, children) -> None:
    """Queue item for the children, failing if they all died (the queue would never drain)."""
    while True:
        try:
            jobs.put(item, timeout=POLL_SECONDS)
            return
        except queue.Full:
            if not any(child.is_alive() for child in children):
                raise RuntimeError("every rebuild process died") from None


def _segment_of(results, children):
    """Return the next child's finished segment (None if it got no documents)."""
    while True:
        try:
            status, value = results.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if not any(child.is_alive() for child in children) and results.empty():
                raise RuntimeError("a rebuild process died before finishing") from None
            continue
        if status != "ok":
            raise RuntimeError(f"a rebuild process failed: {value}")
        return value


def _segment_child(path: str, jobs, results) -> None:
    """Child process: index batches of documents into one new segment of the index at path."""
    try:
        # The parent's rebuild is the only writer of this fresh folder and holds the locks.
        writer = SegmentWriter(index.open_dir(path), _lk=False, limitmb=WRITER_LIMIT_MB)
        while (batch := jobs.get()) is not None:
            for doc in batch:
                writer.add_document(**to_index_fields(doc))
        if writer._added:
            results.put(("ok", writer._finalize_segment()))
        else:
            writer._close_segment()
            results.put(("ok", None))
    except BaseException as exc:  # report it; keep draining so that the parent never blocks
        results.put(("error", repr(exc)))
        while jobs.get() is not None:
            pass


def _commit_segments(path: str, segments: list) -> None:
    """Make the children's segments the index's content in one new generation."""
    writer = index.open_dir(path).writer()
    try:
        writer._close_segment()  # the committing writer's own segment stays empty
        writer._commit_toc(segments)  # also deletes files of no segment (the empty ones)
    finally:
        writer._finish()


def _cache_missing_length_columns() -> None:
    """Make Whoosh remember that an unscored field has no length column.

    Whoosh asks for the length of every posting while it writes a segment; for fields that
    keep no lengths (ids, kind_terms) it looked for the column file on disk every time, one
    stat per posting: 40% of the commit time of a rebuild.
    """

    def _cached_reader(self, fieldname, column):
        try:
            return self._readers[fieldname]
        except KeyError:
            # Segments are immutable: a column file missing now stays missing.
            found = self.has_column(fieldname)
            reader = self.column_reader(fieldname, column) if found else None
            self._readers[fieldname] = reader
            return reader

    whoosh3.W3PerDocReader._cached_reader = _cached_reader


def _load_length_columns() -> None:
    """Make Whoosh read a segment's field lengths once per field, not once per posting.

    Writing a segment asks for the length of every posting (a million calls for 3,000
    results), each a read through the column file: 9% of a rebuild. A segment's lengths are
    one byte per document, so a reader keeps them as bytes. Same values as Whoosh's own.
    """
    table = [whoosh3.byte_to_length(b) for b in range(256)]

    def doc_field_length(self, docnum, fieldname, default=0):
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        loaded = self.__dict__.setdefault("_market_lengths", {})
        lengths = loaded.get(fieldname)
        if lengths is None:
            column = self._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
            lengths = loaded[fieldname] = _column_bytes(column, self._doccount)
        if lengths is False:
            return default
        lbyte = lengths[docnum] if docnum < len(lengths) else 0
        if lbyte:
            return table[lbyte]
        return None  # as Whoosh: a document without the field has no length

    whoosh3.W3PerDocReader.doc_field_length = doc_field_length


def _column_bytes(column, doccount: int):
    """Return a lengths column as bytes (one per document), False when there is none."""
    if column is None:
        return False
    try:  # the column's bytes in one read (the writer leaves trailing zeros out)
        stored = column._dbfile.get(column._basepos, column._count)
    except AttributeError:  # another column implementation: value by value
        return bytes(column[i] for i in range(doccount))
    return stored + bytes(doccount - len(stored))


class _ViewFile:
    """A read-only file over a buffer (a slice of the mapped segment file), without a copy."""

    def __init__(self, buf) -> None:
        self._view = memoryview(buf)
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else self._pos + size
        data = self._view[self._pos : end].tobytes()
        self._pos += len(data)
        return data

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else self._pos + size
        chunk = self._view[self._pos : end].tobytes()
        newline = chunk.find(b"\n")
        data = chunk if newline < 0 else chunk[: newline + 1]
        self._pos += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._view))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def __iter__(self):
        while line := self.readline():
            yield line

    def close(self) -> None:
        self._view = memoryview(b"")  # the mapping belongs to the compound file


def _map_compound_files_without_copies() -> None:
    """Make Whoosh read a segment's sub-files from the mapped file instead of a private copy.

    Whoosh opens each file inside a segment's compound file as a BufferFile over the mapped
    bytes, then copies all of it into a BytesIO: at 100,000 results every matching process
    held a private copy of the posting and term files (about 280 MB). Read through a view,
    the pages stay the kernel's mapped file pages, shared between processes.
    """
    from whoosh.filedb import structfile

    def __init__(self, buf, name=None, onclose=None):
        self._buf = buf
        self._name = name
        self.file = _ViewFile(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    structfile.BufferFile.__init__ = __init__


_cache_missing_length_columns()
_load_length_columns()
_map_compound_files_without_copies()
