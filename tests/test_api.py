"""JSON API v1: tokens, each role's permissions, lists, validation, updates, visibility, 对接,
agreements and money; errors are always JSON with a code and a Chinese message."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from market import outbox
from market.accounts.models import Role
from market.api import services as api_services
from market.api.models import ApiToken
from market.api.openapi import COLLECTIONS, SCHEMA_NAMES, build_document, example_input
from market.dockings.services import accept_docking, request_docking
from market.extensions import db
from market.postings.models import Posting, PostingKind, PostingStatus, Visibility
from market.postings.services import submit_posting
from market.review.services import publish_posting
from market.timeutil import today
from tests.conftest import sql_statements

SECRET = "锆基非晶合金专用夹具"  # only in the anonymous problem's hidden description
COMPANY = "许昌隐身精密机械有限公司"
CONTACT = "保密联系人周工"


class ApiClient:
    """The test client with a bearer token (or none), speaking JSON."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", query_string=params, headers=self.headers)

    def post(self, path: str, body=None, **kwargs):
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers, **kwargs)

    def patch(self, path: str, body=None, **kwargs):
        return self.client.patch(f"/api/v1{path}", json=body, headers=self.headers, **kwargs)


def new_token(user, name: str = "ERP 同步") -> str:
    _row, token = api_services.create_token(user, name)
    outbox.commit()
    return token


@pytest.fixture
def api(client):
    """`api(user)` is a client with a fresh token of that user; `api()` is anonymous."""

    def make(user=None) -> ApiClient:
        return ApiClient(client, new_token(user) if user is not None else None)

    return make


@pytest.fixture
def bureau(make_user):
    return make_user(Role.BUREAU)


def error_of(response, status: int, code: str) -> dict:
    """The JSON error of a response, checking its status, code and that it is not HTML."""
    assert response.status_code == status, response.text
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", error["message"]), error  # says it in Chinese
    return error


def publish(posting, bureau_user):
    publish_posting(bureau_user, posting.id)
    outbox.commit()
    return posting


def posting_count() -> int:
    return db.session.scalar(select(func.count(Posting.id)))


def future(days: int = 90) -> str:
    return (today() + timedelta(days=days)).isoformat()


# Tokens ---------------------------------------------------------------------------------


def test_token_page_shows_a_new_token_once_and_stores_only_its_hash(client, auth, make_user):
    user = make_user(Role.ENTERPRISE)
    auth.login(user)
    assert "API 令牌" in client.get("/").text  # the navigation links to the page
    page = client.post("/account/tokens", data={"name": "ERP 同步"})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    token = re.search(r"xcm_[A-Za-z0-9_-]{40,}", page.text).group(0)

    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.name, row.prefix, row.token_hash) and token.startswith(row.prefix)
    later = client.get("/account/tokens").text
    assert token not in later and "ERP 同步" in later and row.prefix in later

    me = ApiClient(client, token).get("/me")
    assert me.status_code == 200
    assert me.get_json()["email"] == user.email


def test_a_revoked_token_is_refused(client, auth, make_user):
    user = make_user(Role.INSTITUTE)
    token = new_token(user)
    assert ApiClient(client, token).get("/me").status_code == 200
    auth.login(user)
    row = db.session.scalar(select(ApiToken))
    page = client.post(f"/account/tokens/{row.id}/revoke", follow_redirects=True)
    assert "已撤销" in page.text
    auth.logout()
    refused = ApiClient(client, token).get("/me")
    error_of(refused, 401, "unauthorized")
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    # Even where anonymous reading is allowed, a revoked token is an error, not a visitor.
    error_of(ApiClient(client, token).get("/problems"), 401, "unauthorized")


def test_nobody_revokes_another_persons_token(client, auth, make_user):
    owner = make_user(Role.INSTITUTE)
    new_token(owner)
    row = db.session.scalar(select(ApiToken))
    auth.login(make_user(Role.ENTERPRISE))
    client.post(f"/account/tokens/{row.id}/revoke")
    db.session.refresh(row)
    assert row.revoked_at is None


def test_the_last_use_of_a_token_is_recorded(client, make_user):
    token = new_token(make_user(Role.ENTERPRISE))
    row = db.session.scalar(select(ApiToken))
    assert row.last_used_at is None
    ApiClient(client, token).get("/problems")
    db.session.refresh(row)
    assert row.last_used_at is not None


@pytest.mark.parametrize(
    "header", ["Bearer xcm_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer 令牌"]
)
def test_bad_authorization_headers_are_401(client, header):
    response = client.get("/api/v1/problems", headers={"Authorization": header})
    error_of(response, 401, "unauthorized")


def test_a_browser_session_does_not_authenticate_the_api(client, auth, make_user):
    """The API skips CSRF checks, so it must ignore the session cookie entirely."""
    auth.login(make_user(Role.ENTERPRISE))
    error_of(client.get("/api/v1/me"), 401, "unauthorized")
    body = example_input(PostingKind.PROBLEM)
    error_of(client.post("/api/v1/problems", json=body), 401, "unauthorized")
    assert posting_count() == 0


def test_token_names_are_required_and_tokens_limited(client, auth, make_user):
    user = make_user(Role.ENTERPRISE)
    auth.login(user)
    assert client.post("/account/tokens", data={"name": " "}).status_code == 400
    for n in range(api_services.MAX_ACTIVE_TOKENS):
        new_token(user, f"令牌{n}")
    page = client.post("/account/tokens", data={"name": "再来一个"})
    assert page.status_code == 400 and "最多可同时持有" in page.text


# Permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ENTERPRISE, {"problems", "talent-needs"}),
        (Role.INSTITUTE, {"results", "experts", "equipment"}),
        (Role.BUREAU, set()),
    ],
)
def test_each_role_creates_only_its_own_kinds(api, make_user, role, allowed):
    caller = api(make_user(role))
    for collection, kind in COLLECTIONS.items():
        response = caller.post(f"/{collection}", example_input(kind))
        if collection in allowed:
            assert response.status_code == 201, response.text
            body = response.get_json()
            assert body["kind"] == kind.value and body["status"] == "pending"
            assert response.headers["Location"].endswith(f"/api/v1/{collection}/{body['id']}")
        else:
            error_of(response, 403, "forbidden")
    assert posting_count() == len(allowed)


def test_anonymous_callers_read_published_postings_and_nothing_else(api, make_posting):
    problem = make_posting("problem", publish=True)
    anonymous = api()
    assert anonymous.get(f"/problems/{problem.id}").status_code == 200
    assert anonymous.get("/problems").get_json()["total"] == 1
    for path in ("/me", "/dockings", "/agreements", f"/problems/{problem.id}/matches"):
        error_of(anonymous.get(path), 401, "unauthorized")
    error_of(anonymous.post("/problems", example_input(PostingKind.PROBLEM)), 401, "unauthorized")
    error_of(anonymous.patch(f"/problems/{problem.id}", {"title": "新标题"}), 401, "unauthorized")
    error_of(anonymous.post("/dockings", {"demand_id": 1, "supply_id": 2}), 401, "unauthorized")


def test_pending_postings_are_seen_only_by_their_organisation_and_the_bureau(
    api, make_posting, make_user, bureau
):
    problem = make_posting("problem")  # pending
    path = f"/problems/{problem.id}"
    assert api(problem.author).get(path).status_code == 200
    assert api(bureau).get(path).status_code == 200
    other = make_user(Role.ENTERPRISE, org_name="许昌另一家公司")
    error_of(api(other).get(path), 404, "not_found")
    error_of(api().get(path), 404, "not_found")
    # A posting is found only in its own collection.
    error_of(api(problem.author).get(f"/results/{problem.id}"), 404, "not_found")


def test_only_the_bureau_lists_every_status(api, make_posting, make_user, bureau):
    published = make_posting("problem", publish=True)
    pending = make_posting("problem", author=make_user(Role.ENTERPRISE, org_name="许昌待审公司"))
    outsider = api(make_user(Role.ENTERPRISE, org_name="许昌旁观公司"))

    assert ids(outsider.get("/problems")) == [published.id]
    error_of(outsider.get("/problems", status="pending"), 403, "forbidden")
    assert ids(api(bureau).get("/problems", status="pending")) == [pending.id]
    assert set(ids(api(bureau).get("/problems"))) == {published.id, pending.id}
    mine = api(pending.author).get("/problems", mine="true", status="pending")
    assert ids(mine) == [pending.id]
    error_of(api().get("/problems", mine="true"), 401, "unauthorized")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.get_json()["items"]]


# Lists ----------------------------------------------------------------------------------


def test_lists_filter_by_field_county_cooperation_and_maturity(api, make_posting, make_user):
    weidu = make_user(Role.ENTERPRISE, org_name="许昌魏都电气", county="魏都区")
    yuzhou = make_user(Role.ENTERPRISE, org_name="禹州钧瓷研究所", county="禹州市")
    power = make_posting("problem", author=weidu, publish=True)
    ceramics = make_posting(
        "problem",
        author=yuzhou,
        publish=True,
        field="钧瓷",
        cooperation="委托开发",
        title="钧瓷窑变釉色稳定性控制",
    )
    lab_result = make_posting(
        "result", publish=True, maturity="实验室", cooperation_modes=["技术转让"]
    )
    made_result = make_posting("result", publish=True)  # 产业化, 技术许可 + 合作开发
    caller = api()

    assert ids(caller.get("/problems", field="钧瓷")) == [ceramics.id]
    assert ids(caller.get("/problems", county="魏都区")) == [power.id]
    assert ids(caller.get("/problems", cooperation="委托开发")) == [ceramics.id]
    assert ids(caller.get("/results", maturity="实验室")) == [lab_result.id]
    assert ids(caller.get("/results", cooperation="合作开发")) == [made_result.id]
    assert ids(caller.get("/results", cooperation="技术转让")) == [lab_result.id]
    assert ids(caller.get("/results", cooperation="委托开发")) == []


def test_lists_are_paginated_with_a_total(api, make_posting, make_user):
    author = make_user(Role.ENTERPRISE)
    made = [make_posting("problem", author=author, publish=True) for _ in range(5)]
    first = api().get("/problems", per_page=2).get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 5)
    third = api().get("/problems", per_page=2, page=3).get_json()
    seen = [i["id"] for i in first["items"]] + [i["id"] for i in third["items"]]
    assert len(third["items"]) == 1
    assert seen[0] == made[-1].id and seen[-1] == made[0].id  # newest first
    assert api().get("/problems", page=99).get_json()["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"page": "abc"}, "page"),
        ({"page": "9" * 5000}, "page"),
        ({"field": "量子计算"}, "field"),
        ({"county": "郑州市"}, "county"),
        ({"status": "deleted"}, "status"),
        ({"mine": "maybe"}, "mine"),
        ({"field": "电力\x00装备"}, "field"),
    ],
)
def test_bad_list_parameters_are_400_with_the_field(api, params, field):
    error = error_of(api().get("/problems", **params), 400, "bad_request")
    assert field in error["fields"]


# Creating -------------------------------------------------------------------------------


def test_a_created_posting_is_pending_with_money_and_dates_as_strings(api, make_user):
    body = {**example_input(PostingKind.PROBLEM), "budget": "1234.5"}
    response = api(make_user(Role.ENTERPRISE)).post("/problems", body)
    assert response.status_code == 201
    created = response.get_json()
    assert created["budget"] == "1234.50"
    assert created["valid_until"] == body["valid_until"]
    assert created["status"] == "pending" and created["organization"] == "许昌瑞祥电气有限公司"


def test_validation_errors_list_each_field_in_chinese_and_store_nothing(api, make_user):
    caller = api(make_user(Role.ENTERPRISE))
    body = {
        "title": "",
        "body": "太短",
        "field": "量子计算",
        "cooperation": "合作开发",
        "budget": "-5",
        "valid_until": "2001-01-01",
    }
    error = error_of(caller.post("/problems", body), 422, "validation_error")
    assert set(error["fields"]) >= {"title", "body", "field", "budget", "valid_until"}
    assert "请填写标题" in error["fields"]["title"]
    assert "金额必须大于零" in error["fields"]["budget"]
    assert posting_count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": 123}, "title"),
        ({"keywords": "开关柜"}, "keywords"),
        ({"keywords": ["开关柜", 7]}, "keywords"),
        ({"budget": 30.5}, "budget"),  # money is a string: a float would not be exact
        ({"cooperation": "以物易物"}, "cooperation"),
        ({"visibility": "secret"}, "visibility"),
        ({"valid_until": "明年"}, "valid_until"),
        ({"title": None}, "title"),
        ({"title": "标题\x00"}, "title"),
        ({"title": "\ud800"}, "title"),
        ({"title": "长" * 100_000}, "title"),
        ({"status": "published"}, "status"),  # not the poster's to set
        ({"organization": "别家公司"}, "organization"),
    ],
)
def test_wrong_types_and_values_are_422_not_500(api, make_user, change, field):
    body = {**example_input(PostingKind.PROBLEM), **change}
    error = error_of(
        api(make_user(Role.ENTERPRISE)).post("/problems", body), 422, "validation_error"
    )
    assert field in error["fields"]
    assert posting_count() == 0


def test_talent_headcount_must_be_a_whole_number(api, make_user):
    caller = api(make_user(Role.ENTERPRISE))
    for headcount in ("2", 2.5, True, 10**30, 0):
        body = {**example_input(PostingKind.TALENT), "headcount": headcount}
        error = error_of(caller.post("/talent-needs", body), 422, "validation_error")
        assert "headcount" in error["fields"]


def test_malformed_requests_are_json_errors(api, make_user, app):
    caller = api(make_user(Role.ENTERPRISE))
    raw = caller.client.post
    headers = caller.headers
    bad_json = raw(
        "/api/v1/problems", data="{title:", content_type="application/json", headers=headers
    )
    error_of(bad_json, 400, "bad_request")
    error_of(caller.post("/problems", ["不是", "对象"]), 400, "bad_request")
    form = raw("/api/v1/problems", data={"title": "表单"}, headers=headers)
    error_of(form, 415, "bad_request")
    deep = raw(
        "/api/v1/problems", data="[" * 100_000, content_type="application/json", headers=headers
    )
    error_of(deep, 400, "bad_request")
    huge = raw(
        "/api/v1/problems",
        data="x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
        content_type="application/json",
        headers=headers,
    )
    error_of(huge, 413, "bad_request")
    assert posting_count() == 0


def test_unknown_paths_and_methods_are_json_errors(api):
    error_of(api().get("/nothing-here"), 404, "not_found")
    error_of(api().get("/problems/99999999999999"), 404, "not_found")
    error_of(api().get("/problems/12/unknown"), 404, "not_found")
    deleted = api().client.delete("/api/v1/problems")
    error_of(deleted, 405, "bad_request")
    assert "GET" in deleted.headers["Allow"]


# Updating -------------------------------------------------------------------------------


def test_only_the_owner_updates(api, make_posting, make_user, bureau):
    problem = make_posting("problem", publish=True)
    path = f"/problems/{problem.id}"
    changed = api(problem.author).patch(path, {"title": "开关柜触头温度在线监测", "budget": "45"})
    assert changed.status_code == 200, changed.text
    assert changed.get_json()["title"] == "开关柜触头温度在线监测"
    assert changed.get_json()["budget"] == "45.00"

    colleague = make_user(Role.ENTERPRISE)  # same company: same organisation
    assert api(colleague).patch(path, {"title": "同事改的标题"}).status_code == 200
    other = make_user(Role.ENTERPRISE, org_name="许昌别家公司")
    error_of(api(other).patch(path, {"title": "别人改的"}), 403, "forbidden")
    error_of(api(bureau).patch(path, {"title": "科技局改的"}), 403, "forbidden")
    db.session.refresh(problem)
    assert problem.title == "同事改的标题"


def test_an_invalid_update_changes_nothing(api, make_posting):
    problem = make_posting("problem", publish=True)
    caller = api(problem.author)
    error = error_of(
        caller.patch(f"/problems/{problem.id}", {"title": "新标题", "field": "不存在的领域"}),
        422,
        "validation_error",
    )
    assert "field" in error["fields"]
    db.session.refresh(problem)
    assert problem.title == "开关柜触头发热无法在线监测"


# Visibility: hidden data never leaks ----------------------------------------------------


@pytest.fixture
def anonymous_problem(make_posting, make_user):
    """A published anonymous problem with secrets, and a published result that matches it."""
    company = make_user(Role.ENTERPRISE, org_name=COMPANY, county="长葛市")
    result = make_posting("result", publish=True)
    problem = make_posting(
        "problem",
        author=company,
        publish=True,
        visibility=Visibility.ANONYMOUS.value,
        body="开关柜触头发热无法在线监测，红外测温枪照不到柜内，希望找到无需电池的无线测温办法。"
        f"现场使用{SECRET}。",
        contact_person=CONTACT,
        budget="42.00",
    )
    return problem, result


def assert_hidden(text: str, *, details: bool = True):
    assert COMPANY not in text and "长葛市" not in text
    if details:
        assert SECRET not in text and CONTACT not in text and "42.00" not in text


def test_an_anonymous_problem_hides_its_company_and_details_from_outsiders(
    api, anonymous_problem, make_user
):
    problem, _result = anonymous_problem
    other_company = make_user(Role.ENTERPRISE, org_name="许昌另一家电气公司")
    for caller in (api(), api(other_company)):
        detail = caller.get(f"/problems/{problem.id}")
        listing = caller.get("/problems")
        by_county = caller.get("/problems", county="长葛市")
        for response in (detail, listing, by_county):
            assert response.status_code == 200
            assert_hidden(response.text)
        seen = detail.get_json()
        assert seen["company_hidden"] and seen["details_hidden"]
        assert seen["body"] is None and seen["budget"] is None and seen["county"] is None
        assert ids(by_county) == []  # the county would narrow down who posted it


def test_liaisons_read_details_but_not_the_company_until_it_accepts(api, anonymous_problem):
    problem, result = anonymous_problem
    liaison = api(result.author)
    seen = liaison.get(f"/problems/{problem.id}").get_json()
    assert SECRET in seen["body"] and not seen["details_hidden"]
    assert seen["company_hidden"] and COMPANY not in str(seen)

    # The result's matches include the problem, without its company.
    matches = liaison.get(f"/results/{result.id}/matches")
    assert matches.status_code == 200, matches.text
    assert [m["posting"]["id"] for m in matches.get_json()["items"]] == [problem.id]
    assert_hidden(matches.text, details=False)

    # So do the 对接 entries, until the company accepts.
    requested = liaison.post("/dockings", {"demand_id": problem.id, "supply_id": result.id})
    assert requested.status_code == 201, requested.text
    assert_hidden(requested.text, details=False)
    assert_hidden(liaison.get("/dockings").text, details=False)
    docking_id = requested.get_json()["id"]
    accepted = api(problem.author).post(f"/dockings/{docking_id}/accept")
    assert accepted.status_code == 200
    assert COMPANY in liaison.get(f"/dockings/{docking_id}").text
    assert liaison.get(f"/problems/{problem.id}").get_json()["organization"] == COMPANY


def test_companies_cannot_read_the_details_of_hidden_problems_in_dockings(
    api, anonymous_problem, make_user, bureau
):
    problem, result = anonymous_problem
    assert SECRET in api(bureau).get(f"/problems/{problem.id}").text  # the bureau sees all
    assert SECRET in api(problem.author).get(f"/problems/{problem.id}").text
    # Matches are for the posting's own organisation and the bureau only.
    other = api(make_user(Role.INSTITUTE, org_name="许昌学院"))
    error_of(other.get(f"/results/{result.id}/matches"), 403, "forbidden")


# 对接 ------------------------------------------------------------------------------------


def test_docking_is_requested_and_accepted_through_the_api(api, make_posting, make_user):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    liaison, company = api(result.author), api(problem.author)
    pair = {
        "demand_id": problem.id,
        "supply_id": result.id,
        "message": "我们有成熟方案，可上门交流。",
    }

    created = liaison.post("/dockings", pair)
    assert created.status_code == 201, created.text
    docking = created.get_json()
    assert docking["status"] == "requested" and docking["requested_by"] == "supply"
    assert not docking["awaiting_your_answer"]
    error_of(liaison.post("/dockings", pair), 409, "conflict")  # once per pair

    waiting = company.get("/dockings", status="requested").get_json()
    assert waiting["total"] == 1 and waiting["items"][0]["awaiting_your_answer"]
    error_of(liaison.post(f"/dockings/{docking['id']}/accept"), 403, "forbidden")
    outsider = api(make_user(Role.ENTERPRISE, org_name="许昌无关公司"))
    error_of(outsider.get(f"/dockings/{docking['id']}"), 404, "not_found")
    error_of(outsider.post(f"/dockings/{docking['id']}/accept"), 404, "not_found")

    accepted = company.post(f"/dockings/{docking['id']}/accept")
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    reason = {"outcome": "tech_mismatch"}
    error_of(company.post(f"/dockings/{docking['id']}/decline", reason), 409, "conflict")


def test_a_decline_through_the_api_says_why_and_a_reasonless_one_changes_nothing(api, make_posting):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    liaison, company = api(result.author), api(problem.author)
    docking = liaison.post("/dockings", {"demand_id": problem.id, "supply_id": result.id})
    path = f"/dockings/{docking.get_json()['id']}"

    error_of(company.post(f"{path}/decline", {}), 422, "validation_error")
    error_of(company.post(f"{path}/decline", {"outcome": "other"}), 422, "validation_error")
    error_of(company.post(f"{path}/decline", {"outcome": "无"}), 422, "validation_error")
    assert company.get(path).get_json()["status"] == "requested"

    reason = {"outcome": "no_budget", "comment": "今年预算已用完"}
    declined = company.post(f"{path}/decline", reason)
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"


def test_docking_requests_name_a_demand_and_a_supply_the_caller_can_see(
    api, make_posting, make_user
):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    caller = api(result.author)
    swapped = caller.post("/dockings", {"demand_id": result.id, "supply_id": problem.id})
    assert set(error_of(swapped, 422, "validation_error")["fields"]) == {"demand_id", "supply_id"}
    hidden = make_posting("problem", author=make_user(Role.ENTERPRISE, org_name="许昌待审公司"))
    unseen = caller.post("/dockings", {"demand_id": hidden.id, "supply_id": result.id})
    assert "demand_id" in error_of(unseen, 422, "validation_error")["fields"]
    missing = caller.post("/dockings", {"supply_id": result.id, "message": "长" * 1001})
    assert set(error_of(missing, 422, "validation_error")["fields"]) == {"demand_id", "message"}
    bystander = api(make_user(Role.ENTERPRISE, org_name="许昌旁观公司"))
    pair = {"demand_id": problem.id, "supply_id": result.id}
    error_of(bystander.post("/dockings", pair), 403, "forbidden")


# Agreements and money -------------------------------------------------------------------


@pytest.fixture
def accepted_docking(make_posting):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    docking = request_docking(result.author, problem.id, result.id)
    outbox.commit()
    accept_docking(problem.author, docking.id)
    outbox.commit()
    return docking


def agreement_body(docking, **overrides) -> dict:
    body = {
        "title": "开关柜无线测温技术许可合同",
        "amount": "4098.2",
        "signed_on": (today() - timedelta(days=3)).isoformat(),
        "docking_id": docking.id,
        "submission_key": "erp-2026-0001",
    }
    return {**body, **overrides}


def test_the_bureau_records_agreements_once_per_submission_key(api, bureau, accepted_docking):
    caller = api(bureau)
    created = caller.post("/agreements", agreement_body(accepted_docking))
    assert created.status_code == 201, created.text
    agreement = created.get_json()
    assert agreement["amount"] == "4098.20"  # a string with two decimals, no separators
    assert agreement["status"] == "recorded"  # the eager worker entered it in the ledger
    assert date.fromisoformat(agreement["signed_on"]) == today() - timedelta(days=3)
    assert agreement["company"]["name"] == "许昌瑞祥电气有限公司"
    again = caller.post("/agreements", agreement_body(accepted_docking))
    assert again.status_code == 200 and again.get_json()["id"] == agreement["id"]
    assert caller.get("/agreements").get_json()["total"] == 1


def test_agreement_input_is_validated(api, bureau, accepted_docking):
    caller = api(bureau)
    for change, field in (
        ({"amount": 4098.2}, "amount"),
        ({"amount": "四千"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"signed_on": "2026-02-30"}, "signed_on"),
        ({"signed_on": future()}, "signed_on"),
        ({"docking_id": 2**40}, "docking_id"),
        ({"submission_key": "k" * 65}, "submission_key"),
    ):
        response = caller.post("/agreements", agreement_body(accepted_docking, **change))
        assert field in error_of(response, 422, "validation_error")["fields"], change
    assert caller.get("/agreements").get_json()["total"] == 0


def test_parties_list_their_own_agreements_and_only_the_bureau_records(
    api, bureau, accepted_docking, make_user
):
    api(bureau).post("/agreements", agreement_body(accepted_docking))
    company = api(accepted_docking.demand.author)
    institute = api(accepted_docking.supply.author)
    outsider = api(make_user(Role.ENTERPRISE, org_name="许昌无关公司"))
    assert company.get("/agreements").get_json()["total"] == 1
    assert institute.get("/agreements", year=today().year).get_json()["total"] == 1
    assert institute.get("/agreements", year=2001).get_json()["total"] == 0
    assert company.get("/agreements", county="魏都区").get_json()["total"] == 1
    assert outsider.get("/agreements").get_json()["total"] == 0
    agreement_id = company.get("/agreements").get_json()["items"][0]["id"]
    error_of(outsider.get(f"/agreements/{agreement_id}"), 404, "not_found")
    assert company.get(f"/agreements/{agreement_id}").status_code == 200
    body = agreement_body(accepted_docking, submission_key="erp-2")
    error_of(company.post("/agreements", body), 403, "forbidden")
    error_of(company.get("/agreements", year="去年"), 400, "bad_request")


def test_an_agreement_with_three_parties_and_its_type_is_recorded_and_read_by_each_party(
    api, bureau, accepted_docking, make_user
):
    partner = make_user(Role.INSTITUTE, org_name="郑州大学")
    body = agreement_body(
        accepted_docking,
        contract_type="licensing",
        amount="120.00",
        tech_amount="100.50",
        extra_seller_ids=[partner.organization_id],
        field="电力装备",
    )
    created = api(bureau).post("/agreements", body)
    assert created.status_code == 201, created.text
    agreement = created.get_json()
    assert agreement["contract_type"] == "licensing" and agreement["tech_amount"] == "100.50"
    assert [p["role"] for p in agreement["parties"]] == ["buyer", "seller", "seller"]
    assert agreement["parties"][2]["name"] == "郑州大学"
    assert agreement["registration_no"].startswith(f"XC{today().year}")
    # The third party reads it too; it was refused before parties beyond two existed.
    assert api(partner).get(f"/agreements/{agreement['id']}").status_code == 200
    too_much = agreement_body(accepted_docking, amount="120.00", tech_amount="130.00")
    too_much["submission_key"] = "erp-3"
    refused = error_of(api(bureau).post("/agreements", too_much), 422, "validation_error")
    assert "tech_amount" in refused["fields"]


def test_the_agreement_list_takes_the_same_queries_however_many_agreements_and_parties(
    api, bureau, accepted_docking, make_user
):
    caller = api(bureau)
    company = accepted_docking.demand.organization_id
    institute = accepted_docking.supply.organization_id

    def add(i: int) -> None:
        buyer = make_user(Role.ENTERPRISE, org_name=f"许昌合作企业{i}")
        seller = make_user(Role.INSTITUTE, org_name=f"合作院所{i}")
        body = agreement_body(
            accepted_docking,
            docking_id=None,
            company_id=company,
            institute_id=institute,
            submission_key=f"erp-n-{i}",
            extra_buyer_ids=[buyer.organization_id],
            extra_seller_ids=[seller.organization_id],
        )
        assert caller.post("/agreements", body).status_code == 201

    def queries() -> tuple[int, int]:
        with sql_statements() as seen:
            items = caller.get("/agreements").get_json()["items"]
        assert all(len(item["parties"]) == 4 for item in items)
        return len(items), len(seen)

    add(0)
    few_items, few = queries()
    for i in range(1, 5):
        add(i)
    many_items, many = queries()
    assert (few_items, many_items) == (1, 5) and many == few


# The OpenAPI document -------------------------------------------------------------------


def test_the_openapi_document_describes_every_route(app, api):
    document = api().get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "Error" in document["components"]["schemas"]
    documented = {
        (method.upper(), "/api/v1" + re.sub(r"\{(\w+)\}", r"<\1>", path))
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                for collection in COLLECTIONS if "collection" in rule.arguments else [None]:
                    path = re.sub(r"<any\([^)]*\):collection>", collection or "", rule.rule)
                    served.add((method, re.sub(r"<int(?:\([^)]*\))?:(\w+)>", r"<\1>", path)))
    assert documented == served


def test_posting_representations_have_exactly_the_documented_keys(api, make_user, bureau):
    document = build_document()
    schemas = document["components"]["schemas"]
    enterprise, institute = make_user(Role.ENTERPRISE), make_user(Role.INSTITUTE)
    for collection, kind in COLLECTIONS.items():
        author = enterprise if kind in (PostingKind.PROBLEM, PostingKind.TALENT) else institute
        posting = submit_posting(author, kind, example_input(kind))
        outbox.commit()
        seen = api(bureau).get(f"/{collection}/{posting.id}").get_json()
        assert set(seen) == set(schemas[SCHEMA_NAMES[kind]]["properties"]), collection
        assert seen["status"] == PostingStatus.PENDING.value


# Lists of 对接 and agreements are paged in SQL ----------------------------------------------


def statements_during(action) -> list[str]:
    with sql_statements() as seen:
        action()
    return seen


def test_the_docking_list_pages_and_filters_by_status_in_sql(api, make_posting, make_user, bureau):
    companies = [make_user(Role.ENTERPRISE, org_name=f"许昌对接企业{i}") for i in range(3)]
    demands = [make_posting("problem", author=c, publish=True) for c in companies]
    first_result = make_posting("result", publish=True)
    institute = first_result.author
    supplies = [first_result] + [
        make_posting("result", author=institute, publish=True) for _ in range(8)
    ]
    made = []
    for demand in demands:
        for supply in supplies:
            made.append(request_docking(institute, demand.id, supply.id))
            outbox.commit()
    for docking in made[:5]:  # the first company accepts five
        accept_docking(companies[0], docking.id)
        outbox.commit()
    newest_first = [d.id for d in reversed(made)]  # created in order; ties go to the higher id
    caller = api(bureau)

    pages = [caller.get("/dockings", per_page=10, page=n).get_json() for n in (1, 2, 3)]
    assert [(p["page"], p["per_page"], p["total"]) for p in pages] == [
        (1, 10, 27),
        (2, 10, 27),
        (3, 10, 27),
    ]
    assert [i["id"] for p in pages for i in p["items"]] == newest_first
    assert [len(p["items"]) for p in pages] == [10, 10, 7]
    beyond = caller.get("/dockings", per_page=10, page=4).get_json()
    assert beyond["items"] == [] and beyond["total"] == 27

    accepted = caller.get("/dockings", status="accepted", per_page=2, page=2).get_json()
    assert accepted["total"] == 5
    accepted_ids = [d.id for d in reversed(made[:5])]
    assert [i["id"] for i in accepted["items"]] == accepted_ids[2:4]
    assert caller.get("/dockings", status="requested").get_json()["total"] == 22
    assert caller.get("/dockings", status="declined").get_json()["total"] == 0

    # Each party pages through its own only.
    company = api(companies[1])
    own = company.get("/dockings", per_page=5, page=2).get_json()
    assert own["total"] == 9 and [i["id"] for i in own["items"]] == newest_first[9:18][5:]
    assert company.get("/dockings", status="accepted").get_json()["total"] == 0
    assert api(institute).get("/dockings").get_json()["total"] == 27
    error_of(caller.get("/dockings", status="lost"), 400, "bad_request")
    error_of(caller.get("/dockings", page=0), 400, "bad_request")

    seen = statements_during(lambda: caller.get("/dockings", per_page=10, page=2))
    rows = [s for s in seen if "FROM dockings" in s and "count(" not in s.lower()]
    assert rows and all("LIMIT" in s.upper() for s in rows)  # never every docking


def test_the_agreement_list_pages_and_filters_by_year_and_county_in_sql(
    api, bureau, accepted_docking, make_user
):
    caller = api(bureau)
    company = accepted_docking.demand.organization_id
    institute = accepted_docking.supply.organization_id
    this_year = today().year

    def add(i: int, signed_on: date, county: str) -> None:
        body = agreement_body(
            accepted_docking,
            docking_id=None,
            company_id=company,
            institute_id=institute,
            submission_key=f"erp-page-{i}",
            title=f"分页合同{i:03d}",
            signed_on=signed_on.isoformat(),
            county=county,
        )
        response = caller.post("/agreements", body)
        assert response.status_code == 201, response.text

    # 26 this year (a day apart, newest last; every third in 禹州市), 4 the year before.
    start = date(this_year, 1, 1)
    for i in range(26):
        add(i, start + timedelta(days=i), "禹州市" if i % 3 == 0 else "魏都区")
    for i in range(26, 30):
        add(i, date(this_year - 1, 6, 1) + timedelta(days=i), "魏都区")

    def titles(**params) -> tuple[list[str], int]:
        body = caller.get("/agreements", **params).get_json()
        return [item["title"] for item in body["items"]], body["total"]

    assert titles(per_page=20) == ([f"分页合同{i:03d}" for i in range(25, 5, -1)], 30)
    second = [f"分页合同{i:03d}" for i in range(5, -1, -1)]
    second += [f"分页合同{i:03d}" for i in range(29, 25, -1)]
    assert titles(per_page=20, page=2) == (second, 30)
    assert titles(per_page=20, page=3) == ([], 30)
    assert titles(year=this_year, per_page=20, page=2) == (second[:6], 26)
    assert titles(year=this_year - 1) == ([f"分页合同{i:03d}" for i in (29, 28, 27, 26)], 4)
    yuzhou = [f"分页合同{i:03d}" for i in (24, 21, 18, 15, 12, 9, 6, 3, 0)]
    assert titles(county="禹州市", per_page=4, page=2) == (yuzhou[4:8], 9)
    assert titles(county="禹州市", year=this_year - 1) == ([], 0)
    assert titles(county="鄢陵县") == ([], 0)
    party = api(accepted_docking.demand.author).get("/agreements", per_page=25, page=2)
    assert party.get_json()["total"] == 30 and len(party.get_json()["items"]) == 5
    outsider = api(make_user(Role.ENTERPRISE, org_name="许昌无关公司"))
    assert outsider.get("/agreements").get_json() == {
        "items": [],
        "page": 1,
        "per_page": 20,
        "total": 0,
    }

    seen = statements_during(lambda: caller.get("/agreements", county="禹州市", page=2))
    rows = [s for s in seen if "FROM agreements" in s and "count(" not in s.lower()]
    assert rows and all("LIMIT" in s.upper() for s in rows)  # never every agreement
