"""Keep the search index in step with the database, compute and read matches, search."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from market import outbox
from market.extensions import db
from market.links import path_for
from market.matching.models import Match
from market.notifications.services import notify_members
from market.postings.models import Posting, PostingKind, PostingStatus
from market.postings.visibility import can_view_details
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


def index_store() -> IndexStore:
    """This process's handle on the index (opened once, reused)."""
    store = current_app.extensions.get("search_index")
    if store is None:
        store = IndexStore(current_app.config["MARKET_INDEX_DIR"])
        current_app.extensions["search_index"] = store
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


def compute_matches(posting_id: int, *, notify_parties: bool = True) -> list[Match]:
    """Match one visible posting against the other side and store the good matches."""
    posting = db.session.get(Posting, posting_id)
    if posting is None or not posting.is_visible or posting.kind not in MATCH_TARGETS:
        return []
    config = current_app.config
    stored = []
    for target in MATCH_TARGETS[posting.kind]:
        found = index_store().match(
            posting.to_search_document(),
            target.value,
            limit=config["MARKET_MATCH_LIMIT"],
            exclude_org=posting.organization.name,
        )
        for hit in found:
            if hit.strength < config["MARKET_MIN_MATCH"]:
                continue
            other = db.session.get(Posting, hit.id)
            if other is None or not other.is_visible:
                continue  # the index lags a moment behind an unpublish; the database decides
            demand, supply = (posting, other) if posting.is_demand else (other, posting)
            match, is_new = _store_match(demand, supply, hit)
            stored.append(match)
            if is_new and notify_parties and hit.strength >= config["MARKET_STRONG_MATCH"]:
                _announce(match)
    log.info("posting #%s: %d matches stored", posting_id, len(stored))
    return stored


def _store_match(demand: Posting, supply: Posting, hit) -> tuple[Match, bool]:
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
    }
    db.session.flush()
    return match, is_new


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
        )


def matches_for(posting: Posting) -> list[tuple[Match, Posting]]:
    """The posting's stored matches with visible counterparts, best first."""
    if posting.is_demand:
        query = select(Match).where(Match.demand_id == posting.id)
    else:
        query = select(Match).where(Match.supply_id == posting.id)
    pairs = []
    for match in db.session.scalars(query.order_by(Match.strength.desc(), Match.score.desc())):
        other = match.supply if posting.is_demand else match.demand
        if other.is_visible:
            pairs.append((match, other))
    return pairs


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
