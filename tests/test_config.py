"""Configuration comes from the environment; production refuses a weak secret key."""

import pytest

from market import create_app
from market.config import ConfigError, from_environment


def test_defaults_need_no_servers(tmp_path, monkeypatch):
    for name in ("MARKET_DATABASE_URL", "MARKET_INDEX_DIR", "MARKET_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'market.sqlite3'}"
    assert config["MARKET_INDEX_DIR"] == str(tmp_path / "index")
    assert config["CELERY"]["broker_url"] == "filesystem://"
    assert config["BABEL_DEFAULT_LOCALE"] == "zh_Hans_CN"


def test_environment_variables_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("MARKET_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/market")
    monkeypatch.setenv("MARKET_BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("MARKET_MAIL_SERVER", "smtp.example.cn")
    monkeypatch.setenv("MARKET_MAIL_PORT", "2525")
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    celery = config["CELERY"]
    assert celery["broker_url"] == "redis://127.0.0.1:6379/0"
    assert celery["broker_transport_options"]["socket_timeout"] == 5
    assert celery["task_acks_late"] and celery["task_reject_on_worker_lost"]
    assert celery["worker_prefetch_multiplier"] == 1
    assert celery["task_routes"]["worker.tasks.index_posting"] == {"queue": "indexer"}
    assert (config["MARKET_MAIL_SERVER"], config["MARKET_MAIL_PORT"]) == ("smtp.example.cn", 2525)


@pytest.mark.parametrize("key", [None, "", "dev", "short-key"])
def test_production_refuses_a_missing_or_weak_secret_key(tmp_path, monkeypatch, key):
    monkeypatch.setenv("MARKET_ENV", "production")
    if key is None:
        monkeypatch.delenv("MARKET_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("MARKET_SECRET_KEY", key)
    monkeypatch.setenv("MARKET_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ConfigError, match="MARKET_SECRET_KEY"):
        create_app()


def test_production_starts_with_a_strong_key_and_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("MARKET_ENV", "production")
    monkeypatch.setenv("MARKET_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("MARKET_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["REMEMBER_COOKIE_DURATION"] == 14 * 24 * 3600


def test_forms_are_protected_against_csrf(tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
            "MARKET_INDEX_DIR": str(tmp_path / "index"),
        }
    )
    with app.app_context():
        from market.extensions import db

        db.create_all()
    response = app.test_client().post("/accounts/login", data={"email": "a@b.cn", "password": "x"})
    assert response.status_code == 400
    assert "请求无效" in response.text or "CSRF" in response.text
