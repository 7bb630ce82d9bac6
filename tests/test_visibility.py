"""Visibility tiers for problems, and the leak checks: hidden data never shows anywhere.

The secret details (description, figures, budget, contact) and the anonymous company's name
must not appear in the posting page, cards, lists, search results, the match lists of the
other side, the 对接 list, or notification texts, for anyone who may not see them.
"""

import pytest
from sqlalchemy import select

from market import outbox
from market.accounts.models import Role
from market.dockings.services import accept_docking, request_docking
from market.extensions import db
from market.notifications.models import Notification
from market.postings.models import Visibility

SECRET = "锆基非晶合金专用夹具"  # appears only in the hidden details
COMPANY = "许昌隐身精密机械有限公司"
CONTACT = "保密联系人周工"


@pytest.fixture
def hidden_problem(make_posting, make_user):
    """A published anonymous problem, and a matching published result."""

    def make(visibility: Visibility):
        company = make_user(Role.ENTERPRISE, org_name=COMPANY, county="长葛市")
        result = make_posting("result", publish=True)
        problem = make_posting(
            "problem",
            author=company,
            publish=True,
            visibility=visibility.value,
            body="开关柜触头发热无法在线监测，红外测温枪照不到柜内，希望找到无需电池的无线测温办法。"
            f"现场使用{SECRET}。",
            contact_person=CONTACT,
            budget="42.00",
        )
        return problem, result

    return make


def assert_hidden(page: str, *, company: bool = True, details: bool = True):
    if details:
        assert SECRET not in page and CONTACT not in page and "42.00" not in page
    if company:
        assert COMPANY not in page and "· 长葛市" not in page


def pages_seen_by(client, problem, result):
    return [
        client.get(f"/postings/{problem.id}").text,
        client.get("/postings/?kind=problem").text,
        client.get("/postings/?kind=problem&county=长葛市").text,
        client.get("/").text,
        client.get("/search", query_string={"q": "开关柜 测温"}).text,
    ]


def found_by_secret(client, problem) -> bool:
    """Does searching a word of the hidden description find the problem?"""
    page = client.get("/search", query_string={"q": SECRET}).text
    return f"/postings/{problem.id}" in page


def test_public_problems_show_everything(client, hidden_problem):
    problem, result = hidden_problem(Visibility.PUBLIC)
    page = client.get(f"/postings/{problem.id}").text
    assert SECRET in page and COMPANY in page and CONTACT in page


def test_liaisons_tier_hides_details_from_the_public_and_companies(
    client, auth, hidden_problem, make_user
):
    problem, result = hidden_problem(Visibility.LIAISONS)
    for page in pages_seen_by(client, problem, result):  # anonymous visitor
        assert_hidden(page, company=False)
    assert not found_by_secret(client, problem)
    assert problem.title in client.get(f"/postings/{problem.id}").text
    assert COMPANY in client.get(f"/postings/{problem.id}").text
    auth.login(make_user(Role.ENTERPRISE, org_name="许昌同行竞争公司"))
    for page in pages_seen_by(client, problem, result):
        assert_hidden(page, company=False)
    auth.logout()
    assert not found_by_secret(client, problem)
    auth.logout()
    auth.login(make_user(Role.INSTITUTE, org_name="郑州大学"))
    page = client.get(f"/postings/{problem.id}").text
    assert SECRET in page and CONTACT in page
    assert found_by_secret(client, problem)


def test_anonymous_tier_hides_the_company_until_it_accepts_a_docking(client, auth, hidden_problem):
    problem, result = hidden_problem(Visibility.ANONYMOUS)
    for page in pages_seen_by(client, problem, result):
        assert_hidden(page)
    assert not found_by_secret(client, problem)
    # The liaison whose result matches sees the details but not who the company is ...
    auth.login(result.author)
    pages = [*pages_seen_by(client, problem, result), client.get(f"/postings/{result.id}").text]
    for page in pages:
        assert_hidden(page, details=False)
    assert problem.title in client.get(f"/postings/{result.id}").text  # in its match list
    assert SECRET in client.get(f"/postings/{problem.id}").text
    # ... nor after requesting a 对接 ...
    docking = request_docking(result.author, problem.id, result.id)
    outbox.commit()
    assert_hidden(client.get("/dockings/").text, details=False)
    # ... only once the company has accepted it.
    accept_docking(problem.author, docking.id)
    outbox.commit()
    assert COMPANY in client.get(f"/postings/{problem.id}").text
    assert COMPANY in client.get("/dockings/").text


def test_the_owner_and_the_bureau_always_see_everything(client, auth, hidden_problem, make_user):
    problem, _result = hidden_problem(Visibility.ANONYMOUS)
    for viewer in (problem.author, make_user(Role.BUREAU)):
        auth.login(viewer)
        page = client.get(f"/postings/{problem.id}").text
        assert SECRET in page and COMPANY in page and CONTACT in page
        auth.logout()


def test_notifications_to_the_other_side_never_name_an_anonymous_company(hidden_problem):
    problem, result = hidden_problem(Visibility.ANONYMOUS)
    texts = db.session.scalars(
        select(Notification).where(Notification.user_id == result.author_id)
    ).all()
    assert any(problem.title in n.subject + n.body for n in texts)  # the match was announced
    for note in texts:
        assert COMPANY not in note.subject + note.body
        assert SECRET not in note.subject + note.body
