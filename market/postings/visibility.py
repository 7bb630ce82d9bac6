"""Visibility tiers for problems, applied wherever a posting is shown.

A problem is public, or shows its details only to logged-in institute liaisons (and its owner
and the bureau), or in addition hides its company's name until the company has accepted a 对接
with the viewer's organisation. Pages, search results, match lists, the API and exports all
read postings through these functions, so hidden data cannot leak by one path forgetting it.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from market.accounts.models import Role
from market.extensions import db
from market.postings.fields import KIND_FIELDS
from market.postings.models import Posting, PostingKind, Visibility

# What a problem keeps to itself at the "liaisons" and "anonymous" tiers.
HIDDEN_DETAILS = (
    "body",
    "indicators",
    "baseline",
    "expected_outcome",
    "budget",
    "budget_band",
    "contact_person",
)


def _authenticated(viewer) -> bool:
    return bool(getattr(viewer, "is_authenticated", False))


def _insider(viewer, posting: Posting) -> bool:
    """The owner's members and the bureau see everything."""
    return _authenticated(viewer) and (
        viewer.is_bureau or viewer.organization_id == posting.organization_id
    )


def _tier(posting: Posting) -> Visibility:
    if posting.kind != PostingKind.PROBLEM:
        return Visibility.PUBLIC
    return posting.visibility or Visibility.PUBLIC


def can_view_details(viewer, posting: Posting) -> bool:
    """May this viewer read the posting's description, figures, budget and contact?"""
    if _tier(posting) == Visibility.PUBLIC or _insider(viewer, posting):
        return True
    return _authenticated(viewer) and viewer.role == Role.INSTITUTE


def can_see_company(viewer, posting: Posting) -> bool:
    """May this viewer know which company posted it?"""
    if _tier(posting) != Visibility.ANONYMOUS or _insider(viewer, posting):
        return True
    return _authenticated(viewer) and _accepted_docking_with(viewer.organization_id, posting)


def _accepted_docking_with(organization_id: int, posting: Posting) -> bool:
    from market.dockings.models import Docking, DockingStatus

    return (
        db.session.scalar(
            select(Docking.id)
            .join(Posting, Posting.id == Docking.supply_id)
            .where(
                Docking.demand_id == posting.id,
                Posting.organization_id == organization_id,
                Docking.status.in_([DockingStatus.ACCEPTED, DockingStatus.SIGNED]),
            )
            .limit(1)
        )
        is not None
    )


def company_name(viewer, posting: Posting) -> str:
    """The owner's name, or a placeholder while the company stays anonymous."""
    if can_see_company(viewer, posting):
        return posting.organization.name
    return _("匿名企业（接受对接后显示）")


def county(viewer, posting: Posting) -> str | None:
    return posting.organization.county if can_see_company(viewer, posting) else None


def visible_fields(viewer, posting: Posting) -> dict:
    """The posting as this viewer may see it: hidden details and names left out (None)."""
    details = can_view_details(viewer, posting)
    data = {
        "id": posting.id,
        "kind": posting.kind.value,
        "ref": posting.ref,
        "status": posting.status.value,
        "organization": company_name(viewer, posting),
        "county": county(viewer, posting),
        "published_at": posting.published_at,
        "last_confirmed_at": posting.last_confirmed_at,
        "details_hidden": not details,
        "company_hidden": not can_see_company(viewer, posting),
    }
    for name in KIND_FIELDS[posting.kind]:
        value = getattr(posting, name)
        if not details and name in HIDDEN_DETAILS:
            value = None
        data[name] = value.value if hasattr(value, "value") else value
    return data


def money_text(value: Decimal | None) -> str | None:
    """Money as JSON and CSV carry it: a string with exactly two decimals."""
    return None if value is None else f"{value:.2f}"
