"""Compare the search index with the database (the source of truth) and repair the difference.

Three kinds of drift are found: a visible posting with no document (missing), a document whose
stamp is not the posting's current stamp (stale), and a document for a posting that is no
longer visible or no longer exists (extra). A repair passes all of them through
`sync_postings_index`, which re-indexes the first two and deletes the third through the
store, in this process: no worker needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from market.extensions import db
from market.matching.services import (
    compute_matches,
    index_store,
    rebuild_index,
    withdraw_matches,
)
from market.matching.services import sync_postings_index as sync_index
from market.postings.models import Posting, PostingStatus

MISSING, STALE, EXTRA = "missing", "stale", "extra"
REPAIR_BATCH = 200  # postings per index commit, as the importer batches them
LOAD_BATCH = 1000


@dataclass(frozen=True)
class Drift:
    """One posting whose index document disagrees with the database."""

    posting_id: int
    problem: str  # MISSING, STALE or EXTRA
    ref: str | None = None
    kind: str | None = None  # None: the posting no longer exists
    title: str | None = None


@dataclass
class IndexCheck:
    """What `check_index` found; `ok` when the index mirrors the visible postings."""

    visible: int = 0
    indexed: int = 0
    outdated: bool = False  # built with another schema or dictionary: only a rebuild helps
    drifts: list[Drift] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.drifts and not self.outdated

    def of(self, problem: str) -> list[Drift]:
        return [d for d in self.drifts if d.problem == problem]


@dataclass
class IndexRepair:
    """What `repair_index` did, and the check made afterwards."""

    reindexed: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    rebuilt: int | None = None  # documents written by a full rebuild, when one was needed
    matched: list[int] = field(default_factory=list)
    after: IndexCheck | None = None


def check_index() -> IndexCheck:
    """Compare every visible posting with its index document; read-only."""
    store = index_store()
    stamps = store.stamps()
    report = IndexCheck(indexed=len(stamps), outdated=store.needs_rebuild())
    visible_ids = set()
    for posting in _visible_postings():
        visible_ids.add(posting.id)
        indexed = stamps.get(posting.id)
        if indexed is None:
            report.drifts.append(_drift(posting, MISSING))
        elif not same_stamp(indexed, posting.stamp()):
            report.drifts.append(_drift(posting, STALE))
    report.visible = len(visible_ids)
    report.drifts += _extras(sorted(set(stamps) - visible_ids))
    return report


def repair_index(
    check: IndexCheck | None = None,
    *,
    match: bool = False,
    progress: Callable[[int], None] | None = None,
) -> IndexRepair:
    """Fix what the check found, then check again. The caller commits (`outbox.commit()`).

    Every drifted posting goes through `sync_postings_index`, which writes or deletes its
    document through the store and defers the matching work a change would: match tasks for
    re-indexed postings, withdrawals (and re-matching of the counterparts) for removed ones.
    A running worker then recomputes and notifies as usual. With `match`, that work is also
    done here and now, without notifications (a repair should not announce old postings);
    the deferred tasks then find nothing new to announce.
    """
    check = check or check_index()
    repair = IndexRepair()
    if check.outdated:
        repair.rebuilt = rebuild_index(progress=progress)
        check = check_index()
    repair.reindexed = [d.posting_id for d in check.drifts if d.problem in (MISSING, STALE)]
    repair.removed = [d.posting_id for d in check.of(EXTRA)]
    for batch in _batches([d.posting_id for d in check.drifts], REPAIR_BATCH):
        sync_index(batch)
    if match:
        repair.matched = _match_now(repair.reindexed, repair.removed)
    repair.after = check_index()
    return repair


def _match_now(reindexed: list[int], removed: list[int]) -> list[int]:
    """Do in this process what the deferred match and withdrawal tasks will do; no notices."""
    counterparts: set[int] = set()
    for posting_id in removed:
        counterparts.update(withdraw_matches(posting_id))
    recomputed = list(dict.fromkeys([*reindexed, *sorted(counterparts)]))
    for posting_id in recomputed:
        compute_matches(posting_id, notify_parties=False)
    return recomputed


def same_stamp(indexed: str, current: str) -> bool:
    """Whether two stamps name the same version.

    SQLite hands back naive UTC datetimes where PostgreSQL gives aware ones, so a posting
    indexed straight after its change and read back later would otherwise always look stale.
    """
    if indexed == current:
        return True
    parsed = _parse_stamp(indexed)
    return parsed is not None and parsed == _parse_stamp(current)


def _parse_stamp(stamp: str) -> tuple[datetime, str] | None:
    moment, _sep, status = (stamp or "").partition("|")
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed, status


def _visible_postings() -> Iterable[Posting]:
    query = (
        select(Posting)
        .where(Posting.status == PostingStatus.PUBLISHED)
        .order_by(Posting.id)
        .execution_options(yield_per=LOAD_BATCH)
    )
    return (p for p in db.session.scalars(query) if p.is_visible)


def _extras(ids: list[int]) -> list[Drift]:
    """Documents of postings that are hidden (archived, expired, unpublished) or deleted."""
    found = {}
    for batch in _batches(ids, LOAD_BATCH):
        query = select(Posting).where(Posting.id.in_(batch))
        found.update({p.id: p for p in db.session.scalars(query)})
    return [_drift(found[i], EXTRA) if i in found else Drift(i, EXTRA) for i in ids]


def _drift(posting: Posting, problem: str) -> Drift:
    return Drift(posting.id, problem, posting.ref, posting.kind.value, posting.title)


def _batches(ids: list[int], size: int) -> Iterable[list[int]]:
    return (ids[start : start + size] for start in range(0, len(ids), size))
