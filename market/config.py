"""Configuration from the environment, with development defaults that need no servers."""

from __future__ import annotations

import json
import os
from pathlib import Path

WEAK_SECRET_KEYS = {"", "dev", "change-me", "secret", "development-only-secret"}
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The environment does not describe a safe configuration."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool = False) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Read every MARKET_* variable into a Flask config mapping."""
    instance = Path(instance_path)
    env = _env("MARKET_ENV", "development")
    broker = _env("MARKET_BROKER_URL", "filesystem://")
    return {
        "MARKET_ENV": env,
        "SECRET_KEY": _env("MARKET_SECRET_KEY", "development-only-secret"),
        "SQLALCHEMY_DATABASE_URI": _env(
            "MARKET_DATABASE_URL", f"sqlite:///{instance / 'market.sqlite3'}"
        ),
        # Chinese stays readable in JSON columns, so filters can match it with LIKE.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "json_serializer": lambda value: json.dumps(value, ensure_ascii=False),
        },
        "MARKET_INDEX_DIR": _env("MARKET_INDEX_DIR", str(instance / "index")),
        "MARKET_JIEBA_CACHE_DIR": _env("MARKET_JIEBA_CACHE_DIR", str(instance / "jieba-cache")),
        "MARKET_BROKER_URL": broker,
        "MARKET_MAIL_SERVER": _env("MARKET_MAIL_SERVER"),
        "MARKET_MAIL_PORT": int(_env("MARKET_MAIL_PORT", "25")),
        "MARKET_MAIL_SENDER": _env("MARKET_MAIL_SENDER", "许昌科技大市场 <noreply@xcsci.cn>"),
        "MARKET_BASE_URL": _env("MARKET_BASE_URL", "http://127.0.0.1:5000"),
        "MARKET_STRONG_MATCH": float(_env("MARKET_STRONG_MATCH", "0.35")),
        "MARKET_MATCH_LIMIT": int(_env("MARKET_MATCH_LIMIT", "20")),
        # Below this strength a "match" shares only incidental words: not worth anyone's time.
        "MARKET_MIN_MATCH": float(_env("MARKET_MIN_MATCH", "0.15")),
        "MARKET_OUTBOX_RELAY_SECONDS": int(_env("MARKET_OUTBOX_RELAY_SECONDS", "30")),
        # An email claimed for sending this long ago without a result: its worker died.
        "MARKET_EMAIL_STALE_SECONDS": int(_env("MARKET_EMAIL_STALE_SECONDS", "600")),
        # Owners are asked to reconfirm postings this many days before they expire.
        "MARKET_REMIND_DAYS_BEFORE": int(_env("MARKET_REMIND_DAYS_BEFORE", "14")),
        # How long a one-click reconfirmation link in a reminder stays valid.
        "MARKET_CONFIRM_LINK_DAYS": int(_env("MARKET_CONFIRM_LINK_DAYS", "30")),
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": {"zh_Hans_CN": "简体中文", "en": "English"},
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "CELERY": celery_config(broker, instance),
    }


def celery_config(broker: str, instance: Path) -> dict:
    """Celery settings that lose no work: late acks, one prefetch, bounded Redis waits."""
    config = {
        "broker_url": broker,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": "celery",
        "task_routes": {
            "worker.tasks.index_posting": {"queue": "indexer"},
            "worker.tasks.index_postings": {"queue": "indexer"},
        },
        "timezone": "Asia/Shanghai",
        "broker_connection_retry_on_startup": True,
        "beat_schedule_filename": str(instance / "celerybeat-schedule"),
    }
    if broker.startswith("filesystem://"):
        folder = instance / "broker"
        config["broker_transport_options"] = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": 0.2,
        }
    elif broker.startswith(("redis://", "rediss://")):
        # Without socket timeouts a hung Redis makes .delay() hang forever.
        config["broker_transport_options"] = {
            "visibility_timeout": 3600,
            "socket_timeout": 5,
            "socket_connect_timeout": 5,
        }
        config["broker_connection_timeout"] = 5
        config["broker_connection_max_retries"] = 2
    return config


def check_production(config: dict) -> None:
    """Refuse to run production with a missing or weak secret key."""
    if config.get("MARKET_ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key in WEAK_SECRET_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            "MARKET_SECRET_KEY must be set to a random string of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters in production"
        )
