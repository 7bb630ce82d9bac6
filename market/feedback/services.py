"""Relevance feedback: marking a listed match, and what the marks say about ranking.

Marks act in two ways:
- on the list they were made on, at once: `list_marks()` tells `matches_for()` which pairs the
  list's organisation (or, where it has not marked, the bureau) marked 相关 or 不相关, and the
  list is re-ordered without recomputing anything;
- on similar postings, the next time those are matched: `Evidence` turns the marks made on
  pairs of similar postings into a bounded adjustment of a candidate's strength.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from market.accounts.models import Organization, Role, User
from market.errors import DomainError, NotFound, PermissionDenied
from market.extensions import db
from market.feedback.models import GRADES, RELEVANT, MatchFeedback
from market.matching.models import Match
from market.postings.models import Posting, PostingKind

log = logging.getLogger(__name__)

# The most a match's strength (0..1) moves for what similar postings' marks say about it.
FEEDBACK_MAX = 0.15


# --- marking --------------------------------------------------------------------------------


def may_mark(user, match: Match) -> bool:
    """Members of the demand's or the supply's organisation, and the bureau, may mark a match."""
    if not getattr(user, "is_authenticated", False):
        return False
    parties = (match.demand.organization_id, match.supply.organization_id)
    return user.is_bureau or user.organization_id in parties


def may_see_list(user, posting: Posting) -> bool:
    """A posting's match list is its organisation's (and the bureau's) to read and mark on."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_bureau or user.organization_id == posting.organization_id


def mark_match(user: User, demand_id: int, supply_id: int, grade: int | None) -> Match:
    """Mark a stored match 相关 (1) or 不相关 (0) for the user's organisation; None clears it."""
    if grade is not None and grade not in GRADES:
        raise DomainError(_("未知的标记。"))
    match = _markable_match(user, demand_id, supply_id)
    mark = _organisation_mark(user.organization_id, demand_id, supply_id)
    if grade is None:
        if mark is not None:
            db.session.delete(mark)
    elif mark is None:
        db.session.add(_new_mark(user, demand_id, supply_id, grade))
    else:
        mark.grade, mark.user_id = grade, user.id
    db.session.flush()
    log.info("%s marked match %s-%s: %s", user.email, demand_id, supply_id, grade)
    return match


def _markable_match(user: User, demand_id: int, supply_id: int) -> Match:
    match = db.session.scalar(
        select(Match).where(Match.demand_id == demand_id, Match.supply_id == supply_id)
    )
    if match is None:
        raise NotFound(_("匹配结果不存在或已更新，请刷新页面。"))
    if not may_mark(user, match):
        raise PermissionDenied(_("只有匹配双方和科技局可以标记匹配结果。"))
    return match


def _organisation_mark(organization_id: int, demand_id: int, supply_id: int):
    return db.session.scalar(
        select(MatchFeedback).where(
            MatchFeedback.organization_id == organization_id,
            MatchFeedback.demand_id == demand_id,
            MatchFeedback.supply_id == supply_id,
        )
    )


def _new_mark(user: User, demand_id: int, supply_id: int, grade: int) -> MatchFeedback:
    return MatchFeedback(
        demand_id=demand_id,
        supply_id=supply_id,
        organization_id=user.organization_id,
        user_id=user.id,
        grade=grade,
    )


# --- reading marks on a list ----------------------------------------------------------------


def _sides(posting: Posting):
    """(this posting's column, the counterpart's column) of MatchFeedback."""
    if posting.is_demand:
        return MatchFeedback.demand_id, MatchFeedback.supply_id
    return MatchFeedback.supply_id, MatchFeedback.demand_id


def list_marks(posting: Posting) -> dict[int, int]:
    """Counterpart id -> the mark that orders this posting's match list.

    The list belongs to the posting's organisation: its own mark counts; where it has not
    marked a pair, the bureau's mark does (staff curate lists for 对接会). Marks made by the
    counterpart's organisation order the counterpart's list, not this one.
    """
    own, other = _sides(posting)
    rows = db.session.execute(
        select(other, MatchFeedback.grade, MatchFeedback.organization_id)
        .join(Organization, Organization.id == MatchFeedback.organization_id)
        .where(
            own == posting.id,
            or_(
                MatchFeedback.organization_id == posting.organization_id,
                Organization.kind == Role.BUREAU,
            ),
        )
        .order_by(MatchFeedback.updated_at)
    ).all()
    bureau = {other_id: grade for other_id, grade, org in rows if org != posting.organization_id}
    owner = {other_id: grade for other_id, grade, org in rows if org == posting.organization_id}
    return {**bureau, **owner}


def marks_by(user, posting: Posting) -> dict[int, int]:
    """Counterpart id -> the mark the user's organisation made on this posting's pairs."""
    if not getattr(user, "is_authenticated", False):
        return {}
    own, other = _sides(posting)
    rows = db.session.execute(
        select(other, MatchFeedback.grade).where(
            own == posting.id, MatchFeedback.organization_id == user.organization_id
        )
    )
    return dict(rows.all())


def marked_pairs(pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (demand id, supply id) pairs among these that anyone has marked."""
    pairs = set(pairs)
    if not pairs:
        return set()
    demand_ids = {d for d, _s in pairs}
    rows = db.session.execute(
        select(MatchFeedback.demand_id, MatchFeedback.supply_id).where(
            MatchFeedback.demand_id.in_(demand_ids)
        )
    )
    return {tuple(row) for row in rows} & pairs


def any_feedback() -> bool:
    """Whether any mark exists (matching skips looking for similar postings until one does)."""
    return db.session.scalar(select(MatchFeedback.id).limit(1)) is not None


# --- what similar postings' marks say ---------------------------------------------------------


@dataclass(frozen=True)
class Vote:
    similar_id: int  # the similar posting whose pair with the candidate was marked
    similarity: float  # the engine's strength of that posting against the one being matched
    vote: float  # the mean of the pair's marks: +1 all 相关 … -1 all 不相关


@dataclass(frozen=True)
class Evidence:
    """What marks on similar postings' pairs say about each candidate.

    The adjustment of a candidate's strength is FEEDBACK_MAX × (Σ similarity × vote) clipped to
    [-1, 1]: one mark on a near-identical posting moves a candidate by almost FEEDBACK_MAX, a
    mark on a loosely similar one by less, and no amount of marks moves it further. Marks on
    the posting's own pairs are not evidence here: they re-order its list directly.
    """

    votes: dict[int, list[Vote]]

    def adjustment(self, candidate_id: int) -> float:
        """Return the bounded change of the candidate's strength (0 without evidence)."""
        total = sum(v.similarity * v.vote for v in self.votes.get(candidate_id, ()))
        return round(FEEDBACK_MAX * max(-1.0, min(1.0, total)), 4)

    def explain(self, candidate_id: int, engine_strength: float) -> dict | None:
        """The match's explanation["feedback"]: which similar postings marked it, and how much
        that moved it; None without evidence."""
        votes = self.votes.get(candidate_id)
        if not votes:
            return None
        return {
            "relevant": sorted(v.similar_id for v in votes if v.vote > 0),
            "irrelevant": sorted(v.similar_id for v in votes if v.vote < 0),
            "adjustment": self.adjustment(candidate_id),
            "engine_strength": engine_strength,
        }


NO_EVIDENCE = Evidence({})


def evidence_from(similar: dict[int, float], is_demand: bool) -> Evidence:
    """Collect the marks made on the pairs of these similar postings (id -> similarity).

    All organisations' marks count, each organisation once per pair: whoever judged a pair,
    the judgement is about how well the two postings fit.
    """
    if not similar:
        return NO_EVIDENCE
    own = MatchFeedback.demand_id if is_demand else MatchFeedback.supply_id
    other = MatchFeedback.supply_id if is_demand else MatchFeedback.demand_id
    rows = db.session.execute(
        select(own, other, MatchFeedback.grade).where(own.in_(list(similar)))
    ).all()
    grades: dict[tuple[int, int], list[int]] = defaultdict(list)
    for similar_id, candidate_id, grade in rows:
        grades[(similar_id, candidate_id)].append(grade)
    votes: dict[int, list[Vote]] = defaultdict(list)
    for (similar_id, candidate_id), marks in grades.items():
        vote = sum(1.0 if g == RELEVANT else -1.0 for g in marks) / len(marks)
        votes[candidate_id].append(Vote(similar_id, similar[similar_id], vote))
    return Evidence(dict(votes))


# --- export for evaluation --------------------------------------------------------------------


def export_marks() -> list[tuple[str, str, int]]:
    """Return (problem ref, result ref, grade) for every marked problem/result pair.

    When several organisations marked one pair, one mark speaks for it: the problem's own
    organisation's (it knows its need best), else the bureau's, else the result's
    organisation's. A posting without a ref is written as "#<id>".
    """
    problem, result = aliased(Posting), aliased(Posting)
    rows = db.session.execute(
        select(problem, result, MatchFeedback.grade, MatchFeedback.organization_id, Organization)
        .join(problem, problem.id == MatchFeedback.demand_id)
        .join(result, result.id == MatchFeedback.supply_id)
        .join(Organization, Organization.id == MatchFeedback.organization_id)
        .where(problem.kind == PostingKind.PROBLEM, result.kind == PostingKind.RESULT)
        .order_by(MatchFeedback.demand_id, MatchFeedback.supply_id)
    ).all()
    chosen: dict[tuple[int, int], tuple[int, tuple]] = {}
    for prob, res, grade, org_id, org in rows:
        rank = _marker_rank(org_id, org, prob)
        key = (prob.id, res.id)
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, (_ref(prob), _ref(res), grade))
    return [line for _rank, line in chosen.values()]


def _marker_rank(org_id: int, org: Organization, problem: Posting) -> int:
    if org_id == problem.organization_id:
        return 0
    return 1 if org.kind == Role.BUREAU else 2


def _ref(posting: Posting) -> str:
    return posting.ref or f"#{posting.id}"
