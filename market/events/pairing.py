"""A 对接会's pairing schedule as plain data: who meets whom, in which slot.

Greedy, and says so: candidate pairs are taken best first and each goes into the earliest slot
where neither organisation is busy yet. This is not an optimal assignment (a weaker pair can
be crowded out of the slots by stronger ones), but the best pairs are guaranteed a meeting,
which is what the bureau asks for; the pairs left over are listed as not scheduled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from market.matching.models import Match


@dataclass(frozen=True)
class Candidate:
    """The best stored match between one company's and one institute's brought postings."""

    demand_org_id: int
    supply_org_id: int
    match: Match

    @classmethod
    def of(cls, match: Match, demand_org_id: int, supply_org_id: int) -> Candidate:
        return cls(demand_org_id, supply_org_id, match)

    @property
    def sort_key(self) -> tuple:
        """Best first: the engine's 匹配度 (strength), then its score; ids break ties."""
        m = self.match
        return (-float(m.strength), -float(m.score), m.demand_id, m.supply_id)


def plan_meetings(
    candidates: Iterable[Candidate], slot_count: int
) -> tuple[list[tuple[int, Candidate]], list[Candidate]]:
    """Place candidates (best first) in slots 0..slot_count-1, one meeting per organisation
    per slot; returns (slot, candidate) in the candidates' order, and those left over."""
    busy: list[set[int]] = [set() for _ in range(slot_count)]
    planned, unplaced = [], []
    for candidate in candidates:
        people = {candidate.demand_org_id, candidate.supply_org_id}
        slot = next((s for s in range(slot_count) if not busy[s] & people), None)
        if slot is None:
            unplaced.append(candidate)
            continue
        busy[slot] |= people
        planned.append((slot, candidate))
    return planned, unplaced
