"""对接: either side of a match requests; only the other side answers."""

from sqlalchemy import select

from market.accounts.models import Role
from market.dockings.models import Docking, DockingStatus
from market.extensions import db
from market.notifications.models import Notification


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
