"""The demo data is consistent, and its agreements add up to the bureau's published figures."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from market.accounts.models import COUNTIES
from market.agreements.models import ContractType
from market.demo import data
from market.postings.models import COOPERATION_MODES, FIELDS, MATURITY_LEVELS, TITLE_MAX

XUCHANG_COUNTIES = ("魏都区", "建安区", "东城区", "示范区", "禹州市", "长葛市", "鄢陵县", "襄城县")
REQUIRED_INSTITUTES = (
    "中国科学院电工研究所",
    "中国科学院合肥物质科学研究院",
    "清华大学电机工程与应用电子技术系",
    "浙江大学河南技术转移中心",
    "郑州大学",
    "中科院河南产业技术创新与育成中心",
)
PUBLISHED_COUNT = 44
PUBLISHED_TOTAL = Decimal("4098.22")
LAST_SIGNING_DAY = date(2026, 11, 15)

COMPANY_NAMES = {c["name"] for c in data.COMPANIES}
INSTITUTE_NAMES = {i["name"] for i in data.INSTITUTES}
PROBLEMS = {p["ref"]: p for p in data.PROBLEMS}
RESULTS = {r["ref"]: r for r in data.RESULTS}


def _is_cents(amount) -> bool:
    return isinstance(amount, Decimal) and amount.as_tuple().exponent == -2


# --- the published figures ----------------------------------------------------------------------


def test_exactly_44_agreements():
    assert len(data.AGREEMENTS) == PUBLISHED_COUNT
    assert data.AGREEMENT_COUNT == PUBLISHED_COUNT


def test_agreement_amounts_sum_exactly_to_published_total():
    total = sum((a["amount"] for a in data.AGREEMENTS), Decimal("0.00"))
    assert total == PUBLISHED_TOTAL
    assert str(total) == "4098.22"
    assert data.AGREEMENT_TOTAL == PUBLISHED_TOTAL
    assert _is_cents(data.AGREEMENT_TOTAL)


@pytest.mark.parametrize("agreement", data.AGREEMENTS, ids=lambda a: a["key"])
def test_amount_is_positive_with_two_decimals(agreement):
    amount = agreement["amount"]
    assert _is_cents(amount), amount
    assert Decimal("0") < amount <= Decimal("500.00")


def test_amounts_are_varied():
    amounts = [a["amount"] for a in data.AGREEMENTS]
    assert len(set(amounts)) >= 40
    assert sum(1 for a in amounts if a >= 200) >= 3
    assert sum(1 for a in amounts if a <= 15) >= 3
    assert sum(1 for a in amounts if 20 <= a <= 120) >= 20


def test_every_agreement_has_a_contract_type_and_a_technology_part():
    assert {a["contract_type"] for a in data.AGREEMENTS} == {t.name for t in ContractType}
    for agreement in data.AGREEMENTS:
        tech = agreement["tech_amount"]
        assert _is_cents(tech) and Decimal("0") < tech <= agreement["amount"], agreement["key"]
    assert any(a["tech_amount"] < a["amount"] for a in data.AGREEMENTS)


def test_some_agreements_have_more_than_two_parties():
    extra = [a for a in data.AGREEMENTS if a.get("extra_buyers") or a.get("extra_sellers")]
    assert len(extra) >= 3
    for agreement in extra:
        others = agreement.get("extra_buyers", []) + agreement.get("extra_sellers", [])
        assert set(others) <= COMPANY_NAMES | INSTITUTE_NAMES, agreement["key"]
        named = [agreement["company"], agreement["institute"], *others]
        assert len(named) == len(set(named)), agreement["key"]


def test_some_agreements_come_from_events_held_before_signing():
    events = {e["key"]: e for e in data.EVENTS}
    linked = [a for a in data.AGREEMENTS if a.get("event")]
    assert len({a["event"] for a in linked}) == len(events) >= 2
    for agreement in linked:
        assert events[agreement["event"]]["starts_on"] <= agreement["signed_on"], agreement["key"]


# --- dates --------------------------------------------------------------------------------------


def test_every_year_2023_to_2026_appears():
    years = {a["signed_on"].year for a in data.AGREEMENTS}
    assert years == {2023, 2024, 2025, 2026}


def test_no_agreement_dated_after_cutoff():
    for agreement in data.AGREEMENTS:
        assert type(agreement["signed_on"]) is date
        assert date(2023, 1, 1) <= agreement["signed_on"] <= LAST_SIGNING_DAY, agreement["key"]


# --- references ---------------------------------------------------------------------------------


def test_agreement_parties_exist():
    for agreement in data.AGREEMENTS:
        assert agreement["company"] in COMPANY_NAMES, agreement["key"]
        assert agreement["institute"] in INSTITUTE_NAMES, agreement["key"]


def test_agreement_refs_exist_and_fit_the_parties():
    for agreement in data.AGREEMENTS:
        problem_ref, result_ref = agreement["problem_ref"], agreement["result_ref"]
        if problem_ref is not None:
            assert problem_ref in PROBLEMS, agreement["key"]
            assert PROBLEMS[problem_ref]["company"] == agreement["company"], agreement["key"]
        if result_ref is not None:
            assert result_ref in RESULTS, agreement["key"]
            assert RESULTS[result_ref]["institute"] == agreement["institute"], agreement["key"]


def test_paired_problem_and_result_share_key_terms():
    for agreement in data.AGREEMENTS:
        if agreement["problem_ref"] and agreement["result_ref"]:
            problem = PROBLEMS[agreement["problem_ref"]]
            result = RESULTS[agreement["result_ref"]]
            text = problem["title"] + problem["description"]
            shared = [k for k in result["keywords"] if k in text]
            assert shared, f"{agreement['key']}: {problem['ref']} / {result['ref']} share no term"


def test_postings_name_existing_organisations():
    for problem in data.PROBLEMS:
        assert problem["company"] in COMPANY_NAMES, problem["ref"]
    for need in data.TALENT_NEEDS:
        assert need["company"] in COMPANY_NAMES, need["ref"]
    for result in data.RESULTS:
        assert result["institute"] in INSTITUTE_NAMES, result["ref"]


def test_refs_and_keys_are_unique_and_well_formed():
    refs = [p["ref"] for p in data.PROBLEMS + data.TALENT_NEEDS + data.RESULTS]
    keys = [a["key"] for a in data.AGREEMENTS]
    assert len(refs) == len(set(refs))
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"DEMO-P\d{2}", p["ref"]) for p in data.PROBLEMS)
    assert all(re.fullmatch(r"DEMO-T\d{2}", t["ref"]) for t in data.TALENT_NEEDS)
    assert all(re.fullmatch(r"DEMO-R\d{2}", r["ref"]) for r in data.RESULTS)
    assert all(re.fullmatch(r"DEMO-A\d{2}", k) for k in keys)


def test_agreement_titles_are_unique():
    titles = [a["title"] for a in data.AGREEMENTS]
    assert len(titles) == len(set(titles))


# --- organisations ------------------------------------------------------------------------------


def test_emails_are_unique_and_on_the_demo_domain():
    emails = [o["contact_email"] for o in data.COMPANIES + data.INSTITUTES]
    emails.append(data.BUREAU["email"])
    assert len(emails) == len(set(emails))
    for email in emails:
        assert re.fullmatch(r"[a-z0-9.-]+@[a-z0-9.-]+\.demo\.xcsci\.cn", email), email


def test_organisation_names_are_unique():
    names = [o["name"] for o in data.COMPANIES + data.INSTITUTES] + [data.BUREAU["name"]]
    assert len(names) == len(set(names))


def test_every_county_has_a_company_and_an_agreement():
    assert {c["county"] for c in data.COMPANIES} == set(XUCHANG_COUNTIES)
    assert set(XUCHANG_COUNTIES) <= set(COUNTIES)
    county_of = {c["name"]: c["county"] for c in data.COMPANIES}
    assert {county_of[a["company"]] for a in data.AGREEMENTS} == set(XUCHANG_COUNTIES)


def test_institutes_have_no_county_and_all_sign_agreements():
    assert all(i["county"] is None for i in data.INSTITUTES)
    assert set(REQUIRED_INSTITUTES) <= INSTITUTE_NAMES
    assert {a["institute"] for a in data.AGREEMENTS} == INSTITUTE_NAMES


def test_agreements_span_several_industries():
    industry_of = {c["name"]: c["industry"] for c in data.COMPANIES}
    assert len({industry_of[a["company"]] for a in data.AGREEMENTS}) >= 6


def test_company_industries_are_known_fields():
    for company in data.COMPANIES:
        assert company["industry"] in FIELDS, company["name"]


# --- postings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("problem", data.PROBLEMS, ids=lambda p: p["ref"])
def test_problem_is_well_formed(problem):
    assert 80 <= len(problem["description"]) <= 300
    assert 0 < len(problem["title"]) <= TITLE_MAX
    assert problem["field"] in FIELDS
    assert problem["cooperation"] in COOPERATION_MODES
    assert problem["budget"] is None or (_is_cents(problem["budget"]) and problem["budget"] > 0)
    assert isinstance(problem["valid_days"], int) and problem["valid_days"] > 0


@pytest.mark.parametrize("result", data.RESULTS, ids=lambda r: r["ref"])
def test_result_is_well_formed(result):
    assert 80 <= len(result["summary"]) <= 300
    assert 0 < len(result["title"]) <= TITLE_MAX
    assert 3 <= len(result["keywords"]) <= 6
    assert len(result["keywords"]) == len(set(result["keywords"]))
    assert result["field"] in FIELDS
    assert result["maturity"] in MATURITY_LEVELS
    assert result["cooperation"] and set(result["cooperation"]) <= set(COOPERATION_MODES)


@pytest.mark.parametrize("need", data.TALENT_NEEDS, ids=lambda t: t["ref"])
def test_talent_need_is_well_formed(need):
    assert need["degree"] in ("大专", "本科", "硕士", "博士", "不限")
    assert isinstance(need["headcount"], int) and need["headcount"] >= 1
    assert need["position"] and need["discipline"] and need["description"]
    assert 0 < len(need["title"]) <= TITLE_MAX
    assert isinstance(need["valid_days"], int) and need["valid_days"] > 0


def test_some_problems_and_results_are_left_unpaired():
    """The demo shows open problems and results nobody has taken up yet."""
    used_problems = {a["problem_ref"] for a in data.AGREEMENTS}
    used_results = {a["result_ref"] for a in data.AGREEMENTS}
    assert set(PROBLEMS) - used_problems
    assert set(RESULTS) - used_results


def test_demo_login_and_bureau():
    assert data.DEMO_PASSWORD == "xuchang-demo-2026"
    assert data.BUREAU == {"name": "许昌市科学技术局", "email": "bureau@kjj.demo.xcsci.cn"}


# --- loaded into the database -----------------------------------------------------------------


def test_the_demo_loads_its_figures_into_the_ledger_and_twice_adds_nothing(app):
    from sqlalchemy import func, select

    from market.agreements.export import ledger_totals
    from market.agreements.models import Agreement, AgreementParty, LedgerEntry
    from market.demo.loader import load_demo
    from market.events.models import Event
    from market.extensions import db

    def counts():
        return [
            db.session.scalar(select(func.count(model.id)))
            for model in (Agreement, AgreementParty, LedgerEntry, Event)
        ]

    assert load_demo(echo=lambda _line: None).endswith("44 项, 4098.22 万元")
    first = counts()
    totals = ledger_totals()
    assert (totals.count, totals.amount) == (PUBLISHED_COUNT, PUBLISHED_TOTAL)
    assert totals.tech_amount == sum(a["tech_amount"] for a in data.AGREEMENTS)

    def spread(column):
        return db.session.scalar(select(func.count(func.distinct(column))))

    assert spread(LedgerEntry.contract_type) == len(ContractType)
    assert spread(LedgerEntry.county) == len(XUCHANG_COUNTIES)
    assert spread(LedgerEntry.institute_id) == len(data.INSTITUTES)
    assert spread(LedgerEntry.event_id) == len(data.EVENTS)
    assert spread(LedgerEntry.field) >= 6
    many = select(AgreementParty.agreement_id).group_by(AgreementParty.agreement_id)
    assert len(db.session.scalars(many.having(func.count() > 2)).all()) >= 3

    load_demo(echo=lambda _line: None)
    assert counts() == first
    assert ledger_totals() == totals
