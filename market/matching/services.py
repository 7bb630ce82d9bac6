"""Keep the search index in step with the database, compute and read matches, search.

Matches are recomputed when a posting is published or changes (index_posting -> match_posting),
when it is withdrawn (expired, archived: `withdraw_matches` re-matches its counterparts) and, in
batches by beat, when the thesaurus changes (`rematch_if_thesaurus_changed`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from market import outbox
from market.extensions import db
from market.feedback import services as feedback
from market.feedback.models import IRRELEVANT, RELEVANT
from market.links import path_for
from market.matching.models import Match, MatchingState
from market.notifications.services import notify_members
from market.postings.models import DEMAND_KINDS, Posting, PostingKind, PostingStatus
from market.postings.visibility import can_view_details
from market.synonyms import services as synonyms
from market.timeutil import utcnow
from search_index import IndexStore, SearchPage

log = logging.getLogger(__name__)

K = PostingKind
# Which kinds each kind is matched against: problems with results, experts and equipment,
# talent needs with experts, and each supply kind back with the demands it serves.
MATCH_TARGETS = {
    K.PROBLEM: (K.RESULT, K.EXPERT, K.EQUIPMENT),
    K.TALENT: (K.EXPERT,),
    K.RESULT: (K.PROBLEM,),
    K.EXPERT: (K.PROBLEM, K.TALENT),
    K.EQUIPMENT: (K.PROBLEM,),
}
# Relevance feedback from similar postings of the same kind: how many to consult, and how
# similar (engine strength, 0..1) one must be for its marks to count.
SIMILAR_LIMIT = 5
SIMILAR_MIN = 0.3
# The thesaurus version the stored matches were computed with (a MatchingState key), and how
# many postings one re-matching task takes.
THESAURUS_STATE = "thesaurus_version"
REMATCH_BATCH = 50


def index_store() -> IndexStore:
    """This process's handle on the index (opened once, reused), expanding queries with the
    current thesaurus (the bureau's groups are checked once per request or task)."""
    store = current_app.extensions.get("search_index")
    if store is None:
        store = IndexStore(current_app.config["MARKET_INDEX_DIR"])
        current_app.extensions["search_index"] = store
    synonyms.refresh_store_expander(store)
    return store


def sync_posting_index(posting_id: int) -> None:
    """Add, replace or remove one posting's document; match it when it is visible."""
    sync_postings_index([posting_id])


def sync_postings_index(posting_ids: list[int]) -> None:
    """Bring these postings' documents up to date in one index commit, then match them."""
    postings = {
        p.id: p for p in db.session.scalars(select(Posting).where(Posting.id.in_(posting_ids)))
    }
    visible = [postings[i] for i in posting_ids if i in postings and postings[i].is_visible]
    hidden = [i for i in posting_ids if i not in postings or not postings[i].is_visible]
    index_store().apply(upserts=[p.to_search_document() for p in visible], deletes=hidden)
    for posting in visible:
        if posting.kind in MATCH_TARGETS:
            outbox.defer("worker.tasks.match_posting", posting.id)
    for posting_id in _with_stored_matches(hidden):
        outbox.defer("worker.tasks.withdraw_matches", posting_id)


def _with_stored_matches(posting_ids: list[int]) -> list[int]:
    """Those of these postings that have stored matches."""
    if not posting_ids:
        return []
    as_demand = select(Match.demand_id).where(Match.demand_id.in_(posting_ids))
    as_supply = select(Match.supply_id).where(Match.supply_id.in_(posting_ids))
    return sorted(set(db.session.scalars(as_demand)) | set(db.session.scalars(as_supply)))


def rebuild_index(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database, the source of truth."""
    started = utcnow()
    postings = db.session.scalars(
        select(Posting).where(Posting.status == PostingStatus.PUBLISHED).order_by(Posting.id)
    )
    docs = (p.to_search_document() for p in postings if p.is_visible)
    count = index_store().rebuild(docs, progress=progress)
    # A posting changed while the rebuild ran may have been written to the old index.
    changed = select(Posting.id).where(Posting.updated_at >= started)
    for posting_id in db.session.scalars(changed).all():
        sync_posting_index(posting_id)
    return count


def published_count() -> int:
    """How many postings a rebuild will consider."""
    return db.session.scalar(
        select(func.count(Posting.id)).where(Posting.status == PostingStatus.PUBLISHED)
    )


def compute_matches(
    posting_id: int, *, notify_parties: bool = True, recheck_counterparts: bool = False
) -> list[Match]:
    """Match one visible posting against the other side and store the good matches.

    Stored matches this posting's own earlier computation made and that no longer qualify
    (not found, or weaker than MARKET_MIN_MATCH) are dropped, unless someone marked the pair.
    Matches the counterpart's computation stored are the counterpart's to judge: with
    recheck_counterparts (the posting changed) those counterparts are matched again.
    """
    posting = db.session.get(Posting, posting_id)
    if posting is None or not posting.is_visible or posting.kind not in MATCH_TARGETS:
        return []
    store = index_store()
    doc = posting.to_search_document()
    evidence = _similar_postings_evidence(store, posting, doc)
    stored = []
    for target in MATCH_TARGETS[posting.kind]:
        found = store.match(
            doc,
            target.value,
            limit=current_app.config["MARKET_MATCH_LIMIT"],
            exclude_org=posting.organization.name,
        )
        for hit in found:
            match = _keep_hit(posting, hit, evidence, notify_parties)
            if match is not None:
                stored.append(match)
    _drop_unconfirmed(posting, stored, recheck_counterparts)
    log.info("posting #%s: %d matches stored", posting_id, len(stored))
    return stored


def _keep_hit(posting: Posting, hit, evidence: feedback.Evidence, notify: bool) -> Match | None:
    """Store a hit strong enough after the feedback adjustment; announce new strong ones."""
    config = current_app.config
    adjustment = evidence.adjustment(hit.id)
    strength = round(min(1.0, max(0.0, hit.strength + adjustment)), 4)
    if strength < config["MARKET_MIN_MATCH"]:
        return None
    other = db.session.get(Posting, hit.id)
    if other is None or not other.is_visible:
        return None  # the index lags a moment behind an unpublish; the database decides
    match, is_new = _store_match(posting, other, hit)
    # The stored strength and score include the adjustment, so every list reads one order.
    match.strength = strength
    match.score = float(hit.score) * (1 + adjustment)
    explained = evidence.explain(hit.id, hit.strength)
    if explained:
        match.explanation = {**match.explanation, "feedback": explained}
    if is_new and notify and strength >= config["MARKET_STRONG_MATCH"]:
        _announce(match)
    return match


def _store_match(source: Posting, other: Posting, hit) -> tuple[Match, bool]:
    """Insert or update the pair's match with the hit that source's computation found."""
    demand, supply = (source, other) if source.is_demand else (other, source)
    match = db.session.scalar(
        select(Match).where(Match.demand_id == demand.id, Match.supply_id == supply.id)
    )
    is_new = match is None
    if is_new:
        match = Match(demand=demand, supply=supply)
        db.session.add(match)
    match.score = float(hit.score)
    match.strength = float(hit.strength)
    match.terms = list(hit.terms)
    # The engine highlights the hit document; say which side of the pair that is.
    side = "supply" if hit.id == supply.id else "demand"
    match.highlights = {side: dict(hit.highlights)}
    match.explanation = {
        "bridges": [list(pair) for pair in hit.bridges],
        "fields": list(hit.fields),
        "fit": list(hit.fit),
        "source": _side(source),
    }
    match.computed_at = utcnow()
    db.session.flush()
    return match, is_new


def _side(posting: Posting) -> str:
    return "demand" if posting.is_demand else "supply"


def _computed_from(match: Match) -> str | None:
    """Which side's computation stored the match ("demand", "supply"; None: cannot tell)."""
    source = (match.explanation or {}).get("source")
    if source:
        return source
    # Rows stored before "source" was recorded: the highlighted side is the hit's side.
    lit = set(match.highlights or {})
    return {frozenset({"supply"}): "demand", frozenset({"demand"}): "supply"}.get(frozenset(lit))


def _matches_of(posting: Posting, best_first: bool = False) -> list[Match]:
    """The posting's stored matches (on its side of the pair), strongest first if asked."""
    column = Match.demand_id if posting.is_demand else Match.supply_id
    query = select(Match).where(column == posting.id)
    if best_first:
        query = query.order_by(Match.strength.desc(), Match.score.desc())
    return db.session.scalars(query).all()


def _drop_unconfirmed(posting: Posting, kept: list[Match], recheck_counterparts: bool) -> None:
    """Drop this posting's own stale matches; re-match counterparts whose ones went unconfirmed."""
    kept_ids = {m.id for m in kept}
    stale = [m for m in _matches_of(posting) if m.id not in kept_ids]
    marked = feedback.marked_pairs((m.demand_id, m.supply_id) for m in stale)
    own_side, recheck = _side(posting), []
    for match in stale:
        if _computed_from(match) in (own_side, None):
            if (match.demand_id, match.supply_id) not in marked:
                db.session.delete(match)
        else:
            recheck.append(match.supply_id if posting.is_demand else match.demand_id)
    db.session.flush()
    if recheck_counterparts and recheck:
        outbox.defer("worker.tasks.rematch_postings", sorted(recheck))


def _similar_postings_evidence(store: IndexStore, posting: Posting, doc: dict):
    """What marks on similar postings of the same kind say about this posting's candidates."""
    if not feedback.any_feedback():
        return feedback.NO_EVIDENCE  # no marks anywhere: skip the extra engine query
    hits = store.match(doc, posting.kind.value, limit=SIMILAR_LIMIT)
    similar = {hit.id: hit.strength for hit in hits if hit.strength >= SIMILAR_MIN}
    return feedback.evidence_from(similar, posting.is_demand)


def withdraw_matches(posting_id: int) -> list[int]:
    """Take a posting that is no longer visible out of every match list.

    Its stored matches are deleted, except pairs someone marked (the marks keep their match
    and its explanation; lists hide them while the posting is not visible). The counterparts
    are matched again, so that their lists fill up; returns their ids.
    """
    posting = db.session.get(Posting, posting_id)
    if posting is None or posting.is_visible:
        return []  # deleted postings' matches go by cascade; a visible one was republished
    matches = _matches_of(posting)
    marked = feedback.marked_pairs((m.demand_id, m.supply_id) for m in matches)
    counterparts = set()
    for match in matches:
        other = match.supply if posting.is_demand else match.demand
        if other.is_visible:
            counterparts.add(other.id)
        if (match.demand_id, match.supply_id) not in marked:
            db.session.delete(match)
    db.session.flush()
    if counterparts:
        outbox.defer("worker.tasks.rematch_postings", sorted(counterparts))
    log.info("posting #%s withdrawn from %d match lists", posting_id, len(counterparts))
    return sorted(counterparts)


def rematch_postings(posting_ids: list[int]) -> int:
    """Recompute the matches of these postings (a batch; running it twice changes nothing)."""
    count = 0
    for posting_id in posting_ids:
        compute_matches(posting_id)
        count += 1
    return count


def rematch_if_thesaurus_changed() -> int:
    """Recompute every visible demand's matches when the thesaurus changed since they were
    last computed; return how many postings were queued.

    The batches are outbox tasks written in the same transaction as the new version, so the
    version is recorded exactly when the recomputation is sure to run. Before any version is
    recorded, what the stored matches used is unknown: that counts as a change.
    """
    version = synonyms.current_thesaurus().version
    state = db.session.get(MatchingState, THESAURUS_STATE)
    if state is not None and state.value == version:
        return 0
    ids = visible_demand_ids()
    for start in range(0, len(ids), REMATCH_BATCH):
        outbox.defer("worker.tasks.rematch_postings", ids[start : start + REMATCH_BATCH])
    if state is None:
        db.session.add(MatchingState(key=THESAURUS_STATE, value=version))
    else:
        state.value = version
    db.session.flush()
    log.info("thesaurus %s: re-matching %d demands", version, len(ids))
    return len(ids)


def visible_demand_ids() -> list[int]:
    """Ids of published, unexpired problems and talent needs, oldest first."""
    return db.session.scalars(
        select(Posting.id)
        .where(Posting.kind.in_(DEMAND_KINDS), Posting.is_visible)
        .order_by(Posting.id)
    ).all()


def _announce(match: Match) -> None:
    for posting, other in ((match.demand, match.supply), (match.supply, match.demand)):

        def compose(posting=posting, other=other):
            return _("新的匹配：“%(title)s”", title=other.title), _(
                "您发布的“%(mine)s”与“%(other)s”高度匹配（匹配词：%(terms)s）。",
                mine=posting.title,
                other=other.title,
                terms="、".join(match.terms[:8]),
            )

        notify_members(
            posting.organization,
            event_key=f"match:{match.demand_id}:{match.supply_id}",
            link=path_for("postings.detail", posting_id=posting.id),
            compose=compose,
            category="match",
        )


class ListedMatch(tuple):
    """(match, counterpart) as before, plus `mark`: 1 相关, 0 不相关 or None (see list_marks)."""

    def __new__(cls, match: Match, other: Posting, mark: int | None):
        row = super().__new__(cls, (match, other))
        row.mark = mark
        return row


# Marked 相关 first, unmarked next, marked 不相关 last.
MARK_ORDER = {RELEVANT: 0, None: 1, IRRELEVANT: 2}


def matches_for(posting: Posting) -> list[ListedMatch]:
    """The posting's stored matches with visible counterparts, best first.

    Pairs the posting's organisation (or the bureau) marked 相关 come first and those marked
    不相关 last, each group strongest first: a mark re-orders the list at once, with no
    recomputation. A posting that is not visible (expired, archived) lists nothing.
    """
    if not posting.is_visible:
        return []
    marks = feedback.list_marks(posting)
    rows = []
    for match in _matches_of(posting, best_first=True):
        other = match.supply if posting.is_demand else match.demand
        if other.is_visible:
            rows.append(ListedMatch(match, other, marks.get(other.id)))
    return sorted(rows, key=lambda row: MARK_ORDER[row.mark])


def search_postings(query: str, kind: str | None = None, page: int = 1, viewer=None):
    """Search visible postings; returns the engine's page and the postings in rank order."""
    kinds = [kind] if kind in {k.value for k in PostingKind} else None
    result: SearchPage = index_store().search(query, kinds=kinds, page=page, per_page=20)
    by_id = {
        p.id: p
        for p in db.session.scalars(
            select(Posting).where(Posting.id.in_([h.id for h in result.hits]))
        )
    }
    rows = [
        (hit, by_id[hit.id])
        for hit in result.hits
        if hit.id in by_id and _may_be_found(viewer, by_id[hit.id], hit)
    ]
    return result, rows


def _may_be_found(viewer, posting: Posting, hit) -> bool:
    """Visible, and not found only through details this viewer may not read.

    Finding a hidden problem by a word of its description would tell what it says.
    """
    if not posting.is_visible:
        return False
    return can_view_details(viewer, posting) or bool(hit.highlights.get("title"))
