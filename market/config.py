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
        # Without a mail server, development writes each email to this folder (and the log).
        "MARKET_MAIL_FOLDER": _env(
            "MARKET_MAIL_FOLDER", str(instance / "mail") if env == "development" else None
        ),
        # How long the one-click unsubscribe link in an email stays valid.
        "MARKET_UNSUBSCRIBE_LINK_DAYS": int(_env("MARKET_UNSUBSCRIBE_LINK_DAYS", "365")),
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
        # A new 对接会's meeting slots (the bureau can change them per event).
        "MARKET_EVENT_SLOT_MINUTES": int(_env("MARKET_EVENT_SLOT_MINUTES", "20")),
        "MARKET_EVENT_SLOT_COUNT": int(_env("MARKET_EVENT_SLOT_COUNT", "6")),
        # 对接 deadlines: days to answer a request, days of negotiation before a check-in,
        # and how many days before a deadline the party who must act is reminded.
        "MARKET_DOCKING_ANSWER_DAYS": int(_env("MARKET_DOCKING_ANSWER_DAYS", "7")),
        "MARKET_DOCKING_CHECKIN_DAYS": int(_env("MARKET_DOCKING_CHECKIN_DAYS", "30")),
        "MARKET_DOCKING_REMIND_DAYS_BEFORE": int(_env("MARKET_DOCKING_REMIND_DAYS_BEFORE", "2")),
        # Scanned contracts (PDF) live here, outside the web root, under generated names.
        "MARKET_CONTRACT_DIR": _env("MARKET_CONTRACT_DIR", str(instance / "contracts")),
        "MARKET_CONTRACT_MAX_BYTES": int(_env("MARKET_CONTRACT_MAX_BYTES", str(10 * 1024 * 1024))),
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
            # A publish finding the connection gone tries once more at once, then gives up:
            # a refused connection cost a request 6 s (kombu's default backoff), now ~0.05 s.
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        }
        config["broker_connection_timeout"] = 5
        # Worker and beat reconnect for as long as Redis is away: with 2 retries beat exited
        # during an outage (tests/test_delivery_failures.py) and the relay stopped for good.
        # A web request is not held by this: the outbox publishes once (retry=False), bounded
        # by the socket and connection timeouts, and leaves the row for the relay.
        config["broker_connection_max_retries"] = None
        # A Redis result backend, should one be configured, gets the same bounded waits.
        config["redis_socket_timeout"] = 5
        config["redis_socket_connect_timeout"] = 5
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
