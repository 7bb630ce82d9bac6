"""对接: either side of a match requests; only the other side answers."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from market import outbox
from market.accounts.models import Role
from market.dockings.models import Docking, DockingStatus
from market.dockings.services import request_docking
from market.extensions import db
from market.notifications.models import Notification
from tests.conftest import sql_statements


def request_from(client, problem, result):
    return client.post(
        "/dockings/request",
        data={"demand_id": problem.id, "supply_id": result.id},
        follow_redirects=True,
    )


def test_liaison_requests_and_company_accepts(client, auth, make_posting):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    auth.login(result.author)
    response = request_from(client, problem, result)
    assert "对接请求已发出" in response.text
    docking = db.session.scalar(select(Docking))
    assert docking.status == DockingStatus.REQUESTED
    assert docking.responder_org_id == problem.organization_id
    told = db.session.scalar(
        select(Notification).where(
            Notification.user_id == problem.author_id, Notification.event_key.like("docking:%")
        )
    )
    assert "新的对接请求" in told.subject

    # The requester cannot answer its own request.
    response = client.post(
        f"/dockings/{docking.id}/answer", data={"answer": "accept"}, follow_redirects=True
    )
    assert "只有被邀请的一方" in response.text
    auth.logout()

    auth.login(problem.author)
    page = client.get("/dockings/").text
    assert problem.title in page and "接受" in page
    client.post(f"/dockings/{docking.id}/answer", data={"answer": "accept"})
    db.session.refresh(docking)
    assert docking.status == DockingStatus.ACCEPTED
    assert docking.decided_by_id == problem.author_id
    answered = db.session.scalar(
        select(Notification).where(
            Notification.user_id == result.author_id, Notification.event_key.like("docking:%")
        )
    )
    assert "已接受" in answered.subject


def test_company_requests_and_institute_declines(client, auth, make_posting):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    auth.login(problem.author)
    request_from(client, problem, result)
    docking = db.session.scalar(select(Docking))
    auth.logout()
    auth.login(result.author)
    # A decline says why: without an outcome code nothing changes.
    refused = client.post(
        f"/dockings/{docking.id}/answer", data={"answer": "decline"}, follow_redirects=True
    )
    assert "请选择未达成的原因" in refused.text
    db.session.refresh(docking)
    assert docking.status == DockingStatus.REQUESTED
    client.post(
        f"/dockings/{docking.id}/answer", data={"answer": "decline", "outcome": "no_budget"}
    )
    db.session.refresh(docking)
    assert docking.status == DockingStatus.DECLINED
    assert docking.outcome.value == "no_budget"
    told = db.session.scalar(
        select(Notification).where(
            Notification.user_id == problem.author_id,
            Notification.event_key == f"docking:{docking.id}:declined",
        )
    )
    assert "已婉拒" in told.subject and "预算不足" in told.body
    again = client.post(
        f"/dockings/{docking.id}/answer", data={"answer": "accept"}, follow_redirects=True
    )
    assert "已答复过" in again.text
    db.session.refresh(docking)
    assert docking.status == DockingStatus.DECLINED


def test_outsiders_cannot_request_or_see_dockings(client, auth, make_posting, make_user):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    outsider = make_user(Role.ENTERPRISE, org_name="许昌无关公司")
    auth.login(outsider)
    response = request_from(client, problem, result)
    assert "只有需求方或成果方可以发起对接" in response.text
    assert db.session.scalar(select(Docking)) is None
    auth.logout()
    auth.login(result.author)
    request_from(client, problem, result)
    docking = db.session.scalar(select(Docking))
    auth.logout()
    auth.login(outsider)
    assert problem.title not in client.get("/dockings/").text
    client.post(f"/dockings/{docking.id}/answer", data={"answer": "accept"})
    db.session.refresh(docking)
    assert docking.status == DockingStatus.REQUESTED


def test_one_docking_per_pair_and_only_between_published_postings(client, auth, make_posting):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    pending = make_posting("problem", author=problem.author, title="尚未审核的需求")
    auth.login(result.author)
    request_from(client, problem, result)
    again = request_from(client, problem, result)
    assert "已就这项需求和成果发起过对接" in again.text
    hidden = request_from(client, pending, result)
    assert "只能就已公开的需求和成果发起对接" in hidden.text
    assert len(db.session.scalars(select(Docking)).all()) == 1


# The list is paged in SQL ---------------------------------------------------------------------


def many_dockings(make_posting, make_user, problems=3, results=9) -> list[Docking]:
    """problems (each of its own company) × results (of one institute) dockings, the institute
    asking; oldest first, a minute apart."""
    demands = [
        make_posting(
            "problem",
            author=make_user(Role.ENTERPRISE, org_name=f"许昌对接企业{i}"),
            publish=True,
            title=f"需求{i}",
        )
        for i in range(problems)
    ]
    supplies = [make_posting("result", publish=True, title=f"成果{i}") for i in range(1)]
    institute = supplies[0].author
    supplies += [
        make_posting("result", author=institute, publish=True, title=f"成果{i}")
        for i in range(1, results)
    ]
    start = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    made = []
    for demand in demands:
        for supply in supplies:
            docking = request_docking(institute, demand.id, supply.id)
            docking.created_at = start + timedelta(minutes=len(made))
            made.append(docking)
    outbox.commit()
    return made


def listed_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-docking-id="(\d+)"', html)]


def test_the_docking_list_is_paged_in_sql_with_a_total(client, auth, make_posting, make_user):
    made = many_dockings(make_posting, make_user)  # 27
    newest_first = [d.id for d in reversed(made)]
    institute = made[0].supply.author
    bureau = make_user(Role.BUREAU)
    auth.login(bureau)
    first = client.get("/dockings/").text
    assert "共 27 项" in first and "第 1 / 2 页" in first
    assert listed_ids(first) == newest_first[:20]
    assert 'href="/dockings/?page=2"' in first and "上一页" not in first
    second = client.get("/dockings/?page=2").text
    assert listed_ids(second) == newest_first[20:]
    assert "共 27 项" in second and 'href="/dockings/?page=1"' in second and "下一页" not in second

    # Bad page numbers: the first page, as on the postings pages; past the end: none, 200.
    for bad in ("0", "-1", "abc", ""):
        response = client.get(f"/dockings/?page={bad}")
        assert response.status_code == 200 and listed_ids(response.text) == newest_first[:20]
    beyond = client.get("/dockings/?page=7")
    assert beyond.status_code == 200 and listed_ids(beyond.text) == []
    assert "共 27 项" in beyond.text and 'href="/dockings/?page=2"' in beyond.text

    # A company pages through only its own dockings; the institute through all 27.
    company = made[0].demand.author
    auth.logout()
    auth.login(company)
    own = client.get("/dockings/").text
    assert "共 9 项" in own and "第 1 / 1 页" not in own  # one page: no pager
    assert listed_ids(own) == [d.id for d in reversed(made[:9])]
    auth.logout()
    auth.login(institute)
    assert listed_ids(client.get("/dockings/?page=2").text) == newest_first[20:]


def test_the_docking_list_reads_one_page_of_rows(client, auth, make_posting, make_user):
    many_dockings(make_posting, make_user, problems=2, results=11)  # 22
    auth.login(make_user(Role.BUREAU))
    with sql_statements() as statements:
        assert client.get("/dockings/?page=2").status_code == 200
    rows = [s for s in statements if "FROM dockings" in s and "count(" not in s.lower()]
    assert rows and all("LIMIT" in s.upper() for s in rows)  # never every docking
