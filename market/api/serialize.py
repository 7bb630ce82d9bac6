"""JSON representations. Postings always pass through `visible_fields`, wherever they appear
(lists, details, matches, 对接), so what a viewer may not see cannot leak through the API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from market.agreements.models import Agreement
from market.api.services import Page
from market.dockings.models import Docking, DockingStatus
from market.matching.models import Match
from market.postings.models import Posting
from market.postings.services import can_view_details, visible_fields


def plain(value: Any) -> Any:
    """JSON-ready values: money as "123.45", dates and times in ISO 8601, enums as values."""
    if isinstance(value, Decimal):  # every Decimal in this domain is an amount of 万元
        return f"{value:.2f}"
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def posting(viewer, item: Posting) -> dict:
    """A posting as this viewer may see it."""
    return plain(visible_fields(viewer, item))


def page(items: list, page: Page, total: int) -> dict:
    return {"items": items, "page": page.number, "per_page": page.size, "total": total}


def match(viewer, item: Match, other: Posting) -> dict:
    """A stored match seen from one side: the counterpart and why they match.

    The engine's terms and snippets come from the full texts, so they are shown only when the
    viewer may read the counterpart's details (and the snippets only its title and body).
    """
    details = can_view_details(viewer, other)
    side = "demand" if other.is_demand else "supply"
    snippets = (item.highlights or {}).get(side, {}) if details else {}
    return {
        "strength": round(float(item.strength), 4),
        "terms": list(item.terms or []) if details else [],
        "highlights": {k: v for k, v in snippets.items() if k in ("title", "body")},
        "computed_at": plain(item.computed_at),
        "posting": posting(viewer, other),
    }


def docking(viewer, item: Docking) -> dict:
    """A 对接 between a demand and a supply; the sides are named only through their postings."""
    viewer_org = getattr(viewer, "organization_id", None)
    return {
        "id": item.id,
        "status": item.status.value,
        "message": item.message,
        "requested_by": "demand"
        if item.requester_org_id == item.demand.organization_id
        else "supply",
        "awaiting_your_answer": item.status == DockingStatus.REQUESTED
        and item.responder_org_id == viewer_org,
        "created_at": plain(item.created_at),
        "decided_at": plain(item.decided_at),
        "demand": posting(viewer, item.demand),
        "supply": posting(viewer, item.supply),
    }


def agreement(item: Agreement) -> dict:
    """A signed agreement; only the bureau and the parties ever read one."""
    return {
        "id": item.id,
        "title": item.title,
        "amount": plain(item.amount),
        "signed_on": plain(item.signed_on),
        "status": item.status.value,
        "docking_id": item.docking_id,
        "company": {
            "id": item.company.id,
            "name": item.company.name,
            "county": item.company.county,
        },
        "institute": {"id": item.institute.id, "name": item.institute.name},
        "created_at": plain(item.created_at),
        "registration_no": item.registration_no,
        "contract_type": item.contract_type.value,
        "tech_amount": plain(item.tech_amount if item.tech_amount is not None else item.amount),
        "term_start": plain(item.term_start),
        "term_end": plain(item.term_end),
        "county": item.county,
        "field": item.field,
        "problem_id": item.problem_id,
        "result_id": item.result_id,
        "event_id": item.event_id,
        "revision": item.revision,
        "parties": [
            {"id": p.organization.id, "name": p.organization.name, "role": p.role.value}
            for p in item.parties
        ],
    }


def user(item) -> dict:
    return {
        "id": item.id,
        "name": item.name,
        "email": item.email,
        "role": item.role.value,
        "organization": {
            "id": item.organization.id,
            "name": item.organization.name,
            "county": item.organization.county,
        },
    }
