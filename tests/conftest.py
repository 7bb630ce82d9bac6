"""Fixtures: a fresh app per test on SQLite and (where reachable, always in CI) PostgreSQL.

Side-effect fixtures (`app` gives a clean database and index), value fixtures (`client`) and
factories (`make_user`, `make_posting`) with Chinese sample data, as in the projects we follow.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, inspect, text

from market import create_app, outbox
from market.accounts.models import Role
from market.accounts.services import create_user
from market.extensions import db
from market.timeutil import today

IN_CI = os.environ.get("CI") == "true"
PG_ADMIN_URL = os.environ.get(
    "MARKET_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PG_TEST_DB = f"market_test_{os.getpid()}"
REDIS_URL = os.environ.get("MARKET_TEST_REDIS", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("MARKET_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct-horse-电池"


def service_missing(name: str, error: Exception):
    """Skip a test that needs a service, except in CI, where a missing service is a failure."""
    message = f"{name} is not reachable: {error}"
    if IN_CI:
        pytest.fail(f"CI=true requires {message}", pytrace=False)
    pytest.skip(message)


def _postgres_available() -> Exception | None:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return exc


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL database for this test session."""
    error = _postgres_available()
    if error is not None:
        service_missing("PostgreSQL at 127.0.0.1:5432", error)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_TEST_DB}"')
        conn.execute(f'CREATE DATABASE "{PG_TEST_DB}"')
    yield (
        PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        + f"/{PG_TEST_DB}"
    )
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_TEST_DB}" WITH (FORCE)')


def base_config(tmp_path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MARKET_INDEX_DIR": str(tmp_path / "index"),
        "MARKET_JIEBA_CACHE_DIR": str(tmp_path.parent / "jieba-cache"),
        "MARKET_MAIL_SERVER": None,
        "MARKET_MAIL_FOLDER": None,  # no development mail folder: in-app only unless a test says
        "CELERY": {
            "broker_url": "memory://",
            "task_always_eager": True,
            "task_eager_propagates": True,
        },
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def database_url(backend, tmp_path, request):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_url")


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (own `g`, own session), as in production.

    Flask would otherwise reuse the test's app context, so Flask-Login's cached user and the
    test's session identity map would leak into every request and hide real behaviour.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's own objects reload what the request changed
        return response


def empty_database(backend: str) -> None:
    """Create the tables, or on PostgreSQL (where DDL is slow) empty the existing ones."""
    if backend == "sqlite":
        db.create_all()
        return
    existing = set(inspect(db.engine).get_table_names())
    if not {t.name for t in db.metadata.sorted_tables} <= existing:
        db.drop_all()
        db.create_all()
        return
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def app(tmp_path, database_url, backend):
    """A fresh app with empty tables and an empty index."""
    app = create_app(base_config(tmp_path, database_url))
    app.test_client_class = FreshContextClient
    with app.app_context():
        empty_database(backend)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Create a user (and their organisation) and commit."""

    def make(role: Role | str = Role.ENTERPRISE, org_name: str | None = None, **kwargs):
        role = Role(role)
        defaults = {
            Role.ENTERPRISE: ("许昌瑞祥电气有限公司", "魏都区"),
            Role.INSTITUTE: ("中国科学院电工研究所", None),
            Role.BUREAU: ("许昌市科学技术局", None),
        }
        name, county = defaults[role]
        user = create_user(
            email=kwargs.pop("email", f"{role.value}-{uuid.uuid4().hex[:8]}@example.cn"),
            password=kwargs.pop("password", PASSWORD),
            name=kwargs.pop("name", "张工"),
            role=role,
            org_name=org_name or name,
            county=kwargs.pop("county", county),
        )
        outbox.commit()
        return user

    return make


PROBLEM_DATA = {
    "title": "开关柜触头发热无法在线监测",
    "body": "我公司十千伏开关柜运行多年，触头和母排接头松动后发热，红外测温枪照不到柜内，"
    "去年两台柜子烧毁才发现。希望找到能长期安装在柜内、无需电池的无线测温办法。",
    "field": "电力装备",
    "keywords": "开关柜, 测温, 触头发热",
    "budget": "30.00",
    "cooperation": "合作开发",
}

RESULT_DATA = {
    "title": "开关柜无源无线声表面波测温技术",
    "body": "采用声表面波谐振器作为温敏元件，传感器无电池、无需取电，可安装于开关柜触头、"
    "母排搭接面等高电位接点，测温精度±1℃，支持过热分级预警与数据远传。",
    "field": "电力装备",
    "keywords": "声表面波, 无线测温, 开关柜, 过热预警",
    "maturity": "产业化",
    "cooperation_modes": ["技术许可", "合作开发"],
}


def posting_data(kind: str, **overrides) -> dict:
    base = {"problem": PROBLEM_DATA, "result": RESULT_DATA}.get(kind, PROBLEM_DATA)
    data = {**base, "valid_until": today() + timedelta(days=90)}
    data.update(overrides)
    return data


@pytest.fixture
def make_posting(app, make_user):
    """Create a posting through its service; publish it when asked (indexing runs eagerly)."""
    from market.postings.models import PostingKind
    from market.postings.services import POSTER_ROLES, submit_posting
    from market.review.services import publish_posting

    bureau_holder = {}

    def make(kind: str = "problem", author=None, publish: bool = False, **overrides):
        kind = PostingKind(kind)
        author = author or make_user(POSTER_ROLES[kind])
        posting = submit_posting(author, kind, posting_data(kind.value, **overrides))
        outbox.commit()
        if publish:
            if "bureau" not in bureau_holder:
                bureau_holder["bureau"] = make_user(Role.BUREAU)
            publish_posting(bureau_holder["bureau"], posting.id)
            outbox.commit()
        return posting

    return make


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = PASSWORD):
        return self.client.post("/accounts/login", data={"email": user.email, "password": password})

    def logout(self):
        return self.client.post("/accounts/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@contextmanager
def sql_statements() -> Iterator[list[str]]:
    """The SQL statements the application sends inside the `with` block, in order."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


@pytest.fixture
def browser():
    """Debian's headless Chromium through Playwright (never a downloaded browser)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        service_missing(
            "Chromium",
            FileNotFoundError(
                f"no executable at {CHROMIUM} (set MARKET_TEST_CHROMIUM to its path)"
            ),
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        service_missing("Python Playwright (pip install -e '.[test]')", exc)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def served(app, backend):
    """The test app behind a real HTTP server in a thread (SQLite only: one is enough)."""
    if backend != "sqlite":
        pytest.skip("the browser check runs once, on SQLite")
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
