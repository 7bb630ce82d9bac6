"""Load the demo data through the same services people use; running it twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy import select

from market import outbox
from market.accounts.models import Organization, Role, User
from market.accounts.services import create_user, find_user_by_email
from market.agreements.models import Agreement
from market.agreements.services import record_in_ledger, submit_agreement
from market.demo import data
from market.dockings.models import DockingStatus
from market.dockings.services import accept_docking, docking_between, request_docking
from market.events.demo import load_demo_events
from market.events.models import Event, EventKind
from market.extensions import db
from market.matching.services import compute_matches, rebuild_index
from market.postings.models import Posting, PostingKind
from market.postings.services import submit_posting
from market.review.services import publish_posting
from market.stats.services import agreement_totals
from market.timeutil import CHINA, today


def load_demo(echo: Callable[[str], None] = print) -> str:
    """Create whatever of the demo data is missing, then index, match and record it."""
    bureau = _user(data.BUREAU["email"], "市场服务科", Role.BUREAU, data.BUREAU["name"])
    members = {}
    for org in data.INSTITUTES:
        members[org["name"]] = _user(org["contact_email"], "联络员", Role.INSTITUTE, org["name"])
    for org in data.COMPANIES:
        members[org["name"]] = _user(
            org["contact_email"],
            "技术负责人",
            Role.ENTERPRISE,
            org["name"],
            org["county"],
            org.get("industry"),
        )
    outbox.commit()
    created = _postings(bureau, members)
    echo(f"postings created: {created}")
    rebuild_index()
    for posting in db.session.scalars(select(Posting).where(Posting.ref.like("DEMO-%"))):
        compute_matches(posting.id, notify_parties=False)
    outbox.commit()
    load_demo_events(bureau, echo=echo)
    recorded = _agreements(bureau, members)
    echo(f"agreements submitted: {recorded}")
    totals = agreement_totals()
    return f"demo ready: {totals.count} 项, {totals.amount:.2f} 万元"


def _user(email, name, role, org_name, county=None, industry=None) -> User:
    user = find_user_by_email(email)
    if user is None:
        user = create_user(
            email=email,
            password=data.DEMO_PASSWORD,
            name=name,
            role=role,
            org_name=org_name,
            county=county,
        )
        user.organization.industry = industry
    return user


def _postings(bureau: User, members: dict[str, User]) -> int:
    created = 0
    kinds = (
        (data.PROBLEMS, "company", PostingKind.PROBLEM, _problem_fields),
        (data.TALENT_NEEDS, "company", PostingKind.TALENT, _talent_fields),
        (data.RESULTS, "institute", PostingKind.RESULT, _result_fields),
        (data.EXPERTS, "institute", PostingKind.EXPERT, _expert_fields),
        (data.EQUIPMENT, "institute", PostingKind.EQUIPMENT, _equipment_fields),
    )
    for items, owner_key, kind, fields in kinds:
        for item in items:
            if _posting_by_ref(item["ref"]) is not None:
                continue
            posting = submit_posting(members[item[owner_key]], kind, fields(item))
            posting.ref = item["ref"]
            publish_posting(bureau, posting.id)
            created += 1
    outbox.commit()
    return created


def _valid_until(item) -> object:
    return today() + timedelta(days=item.get("valid_days", 365))


def _problem_fields(item) -> dict:
    return {
        "title": item["title"],
        "body": item["description"],
        "field": item["field"],
        "keywords": item.get("keywords", []),
        "valid_until": _valid_until(item),
        "budget": None if item.get("budget") is None else str(item["budget"]),
        "cooperation": item["cooperation"],
        "visibility": "anonymous" if item["ref"] in data.ANONYMOUS_PROBLEM_REFS else "public",
        "contact_person": "技术部",
    }


def _expert_fields(item) -> dict:
    return {
        "title": item["name"],
        "expert_title": item["expert_title"],
        "unit": item["unit"],
        "body": item["directions"],
        "achievements": item["achievements"],
        "field": item["field"],
        "keywords": item["keywords"],
        "valid_until": _valid_until(item),
    }


def _equipment_fields(item) -> dict:
    return {
        "title": item["name"],
        "model_no": item["model_no"],
        "unit": item["unit"],
        "body": item["capabilities"],
        "sharing_mode": item["sharing_mode"],
        "fee_standard": item["fee_standard"],
        "location": item["location"],
        "field": item["field"],
        "keywords": item["keywords"],
        "valid_until": _valid_until(item),
    }


def _talent_fields(item) -> dict:
    return {
        "title": item["title"],
        "body": item["description"],
        "field": item.get("field", "其他"),
        "valid_until": _valid_until(item),
        "position": item.get("position"),
        "discipline": item.get("discipline"),
        "degree": item.get("degree"),
        "headcount": item.get("headcount"),
    }


def _result_fields(item) -> dict:
    return {
        "title": item["title"],
        "body": item["summary"],
        "field": item["field"],
        "keywords": item.get("keywords", []),
        "valid_until": _valid_until(item),
        "maturity": item["maturity"],
        "cooperation_modes": list(item["cooperation"]),
    }


def _posting_by_ref(ref: str | None) -> Posting | None:
    if not ref:
        return None
    return db.session.scalar(select(Posting).where(Posting.ref == ref))


def _agreements(bureau: User, members: dict[str, User]) -> int:
    submitted = 0
    events = _demo_events(bureau)
    for item in data.AGREEMENTS:
        exists = select(Agreement).where(Agreement.submission_key == item["key"])
        if db.session.scalar(exists) is not None:
            continue
        fields = _agreement_fields(item, events)
        docking = _accepted_docking(item, members)
        if docking is not None:
            fields["docking_id"] = docking.id
        else:
            fields["problem_id"] = _linked_id(item.get("problem_ref"))
            fields["result_id"] = _linked_id(item.get("result_ref"))
        agreement = submit_agreement(bureau, fields)
        outbox.commit()
        record_in_ledger(agreement.id)  # the worker would do it too; doing it now is a no-op later
        outbox.commit()
        submitted += 1
    return submitted


def _agreement_fields(item: dict, events: dict[str, int]) -> dict:
    signed_on = item["signed_on"]
    years = 2 if item["contract_type"] == "DEVELOPMENT" else 1
    return {
        "submission_key": item["key"],
        "title": item["title"],
        "contract_type": item["contract_type"],
        "signed_on": signed_on,
        "term_start": signed_on,
        "term_end": signed_on.replace(year=signed_on.year + years) - timedelta(days=1),
        "amount": str(item["amount"]),
        "tech_amount": str(item["tech_amount"]),
        "company_id": _org_id(item["company"]),
        "institute_id": _org_id(item["institute"]),
        "extra_buyer_ids": [_org_id(name) for name in item.get("extra_buyers", [])],
        "extra_seller_ids": [_org_id(name) for name in item.get("extra_sellers", [])],
        "event_id": events.get(item.get("event")),
    }


def _linked_id(ref: str | None) -> int | None:
    posting = _posting_by_ref(ref)
    return posting.id if posting is not None else None


def _demo_events(bureau: User) -> dict[str, int]:
    """The past events the demo's agreements came from, by key, created once (by title).

    The events module's own demo events are dated relative to today and mostly upcoming, so
    no agreement signed in 2023-2026 can come from them; these two are fixed in the past.
    """
    found = {}
    for item in data.EVENTS:
        event = db.session.scalar(select(Event).where(Event.title == item["title"]))
        if event is None:
            starts_at = datetime.combine(item["starts_on"], time(9, 0), tzinfo=CHINA)
            event = Event(
                kind=EventKind[item["kind"]],
                title=item["title"],
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=3),
                place=item["place"],
                capacity=item["capacity"],
                description="",
                created_by=bureau,
            )
            db.session.add(event)
            db.session.flush()
        found[item["key"]] = event.id
    outbox.commit()
    return found


def _accepted_docking(item, members):
    problem, result = (
        _posting_by_ref(item.get("problem_ref")),
        _posting_by_ref(item.get("result_ref")),
    )
    if problem is None or result is None or not (problem.is_visible and result.is_visible):
        return None
    if (
        problem.organization.name != item["company"]
        or result.organization.name != item["institute"]
    ):
        return None
    if docking_between(problem.id, result.id) is not None:
        return None  # one docking per pair; a second agreement on it is recorded directly
    docking = request_docking(
        members[item["company"]], problem.id, result.id, "希望就该成果开展合作，请贵单位联系。"
    )
    accept_docking(members[item["institute"]], docking.id)
    outbox.commit()
    assert docking.status == DockingStatus.ACCEPTED
    return docking


def _org_id(name: str) -> int:
    return db.session.scalar(select(Organization.id).where(Organization.name == name))
