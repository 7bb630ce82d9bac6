"""Schemathesis sends generated requests to every operation of /api/v1/openapi.json.

The app runs in-process (WSGI) on SQLite with real tokens for a company, an institute and
the bureau, and published postings, a 对接 and an agreement to find. Each operation gets a
bounded number of examples; every response must be no server error, and its status, content
type, headers and body must be the ones the document promises.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from market import create_app, outbox
from market.accounts.models import Role
from market.accounts.services import create_user
from market.agreements.services import submit_agreement
from market.api.openapi import build_document, example_input
from market.api.services import create_token
from market.dockings.services import accept_docking, request_docking
from market.extensions import db
from market.postings.models import PostingKind
from market.postings.services import submit_posting
from market.review.services import publish_posting
from market.timeutil import today
from tests.conftest import PASSWORD, PROBLEM_DATA, RESULT_DATA, base_config

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Which role's token each request carries: the one that may do the most there.
INSTITUTE_PATHS = ("/results", "/experts", "/equipment")


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    """One app and database for all operations, with data worth finding."""
    folder = tmp_path_factory.mktemp("schemathesis")
    app = create_app(base_config(folder, f"sqlite:///{folder / 'api.sqlite3'}"))
    with app.app_context():
        db.create_all()
        app.config["API_TEST_TOKENS"] = _seed()
    # From here on tasks are only published, as in production: a request's changes are
    # indexed by the worker, not inside the request (the seed above was indexed and matched).
    app.extensions["celery"].conf.task_always_eager = False
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _user(role: Role, org_name: str, county: str | None = None):
    return create_user(
        email=f"{role.value}@schemathesis.example.cn",
        password=PASSWORD,
        name="张工",
        role=role,
        org_name=org_name,
        county=county,
    )


def _seed() -> dict[Role, str]:
    company = _user(Role.ENTERPRISE, "许昌瑞祥电气有限公司", "魏都区")
    institute = _user(Role.INSTITUTE, "中国科学院电工研究所")
    bureau = _user(Role.BUREAU, "许昌市科学技术局")
    valid_until = today() + timedelta(days=90)
    problem = submit_posting(
        company, PostingKind.PROBLEM, {**PROBLEM_DATA, "valid_until": valid_until}
    )
    result = submit_posting(
        institute, PostingKind.RESULT, {**RESULT_DATA, "valid_until": valid_until}
    )
    others = [  # one of every other kind, so reads and updates find something
        submit_posting(company, PostingKind.TALENT, example_input(PostingKind.TALENT)),
        submit_posting(institute, PostingKind.EXPERT, example_input(PostingKind.EXPERT)),
        submit_posting(institute, PostingKind.EQUIPMENT, example_input(PostingKind.EQUIPMENT)),
    ]
    outbox.commit()
    for posting in (problem, result, *others):
        publish_posting(bureau, posting.id)
    outbox.commit()
    docking = request_docking(institute, problem.id, result.id)
    outbox.commit()
    accept_docking(company, docking.id)
    submit_agreement(
        bureau,
        {
            "title": "开关柜无线测温技术许可合同",
            "amount": "98.50",
            "signed_on": today(),
            "docking_id": docking.id,
            "submission_key": "schemathesis-seed",
        },
    )
    outbox.commit()
    users = {Role.ENTERPRISE: company, Role.INSTITUTE: institute, Role.BUREAU: bureau}
    tokens = {role: create_token(user, "schemathesis")[1] for role, user in users.items()}
    outbox.commit()
    return tokens


class LateApp:
    """The WSGI app schemathesis calls, forwarding to the app the fixture builds.

    The schema must exist when pytest collects this module, the app only when the test runs
    (schemathesis' fixture-based loader does not work with this pytest).
    """

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


late_app = LateApp()
schema = schemathesis.openapi.from_dict(build_document())
schema.app = late_app


@pytest.fixture(autouse=True)
def serve(api_app):
    late_app.app = api_app
    yield
    late_app.app = None


def token_for(case, tokens: dict[Role, str]) -> str:
    path, method = case.operation.path, case.operation.method.upper()
    if path.startswith(INSTITUTE_PATHS):
        return tokens[Role.INSTITUTE]
    if path.startswith("/agreements") and method == "POST":
        return tokens[Role.BUREAU]
    return tokens[Role.ENTERPRISE]


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples every run: a failure here is reproducible
    database=None,  # and nothing is written into the checkout
)
def test_every_operation_keeps_its_promises(case, api_app):
    tokens = api_app.config["API_TEST_TOKENS"]
    headers = {"Authorization": f"Bearer {token_for(case, tokens)}"}
    case.call_and_validate(headers=headers, checks=CHECKS)


def test_the_app_serves_the_document_these_tests_use(api_app):
    served = api_app.test_client().get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.get_json() == build_document()
