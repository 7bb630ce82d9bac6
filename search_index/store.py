"""IndexStore: the one door to the Whoosh index (writes under a process lock, fresh searchers)."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from whoosh import index
from whoosh.index import EmptyIndexError
from whoosh.searching import Searcher

from .analysis import dictionary_hash, stopwords_hash
from .matching import Match, TermExpander, default_expander, match_document
from .query import SearchPage, search_postings
from .schema import SCHEMA_VERSION, build_schema, to_index_fields

META_FILE = "market_meta.json"
# How long a write waits for the process lock, then for Whoosh's own lock inside it.
LOCK_TIMEOUT = 120.0
WRITER_TIMEOUT = 30.0
PROGRESS_EVERY = 100
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

    def rebuild(self, docs: Iterable[dict], progress: Callable[[int], None] | None = None) -> int:
        """Index docs into a fresh sibling directory, swap it in and return the count."""
        new_dir = f"{self.index_dir}.new-{secrets.token_hex(4)}"
        try:
            create_index(new_dir)
            count = _fill_index(new_dir, docs, progress)
            self._swap_in(new_dir)
        finally:
            shutil.rmtree(new_dir, ignore_errors=True)
        return count

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
        os.makedirs(os.path.dirname(self.lock_path), exist_ok=True)
        with open(self.lock_path, "a+") as fh:
            _flock(fh, self.lock_timeout)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextmanager
    def _writer(self):
        with self._write_lock():
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
                return index.open_dir(self.index_dir).searcher()
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


def _fill_index(path: str, docs: Iterable[dict], progress: Callable[[int], None] | None) -> int:
    """Add docs to the fresh index at path; refuse duplicate ids."""
    ix = index.open_dir(path)
    writer = ix.writer()
    seen: set[int] = set()
    try:
        for doc in docs:
            fields = to_index_fields(doc)
            doc_id = int(fields["id"])
            if doc_id in seen:
                raise ValueError(f"duplicate document id {doc_id} in rebuild")
            seen.add(doc_id)
            writer.add_document(**fields)
            if progress and len(seen) % PROGRESS_EVERY == 0:
                progress(len(seen))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    if progress:
        progress(len(seen))
    return len(seen)
