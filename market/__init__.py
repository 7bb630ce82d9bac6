"""许昌科技大市场 online: the Flask application factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from market import config as market_config
from market.extensions import (
    babel,
    csrf,
    db,
    login_manager,
    migrate,
    use_real_sqlite_transactions,
)

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, errors, CLI, template helpers."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=os.environ.get("MARKET_INSTANCE_DIR") or str(ROOT / "instance"),
    )
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    configure_search(app)
    configure_worker(app)
    return app


def configure(app: Flask, overrides: dict | None) -> None:
    """Environment first, then the caller's overrides (tests); Celery follows the broker URL."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(market_config.from_environment(app.instance_path))
    overrides = dict(overrides or {})
    celery_overrides = overrides.pop("CELERY", {})
    app.config.update(overrides)
    if "MARKET_BROKER_URL" in overrides:
        app.config["CELERY"] = market_config.celery_config(
            app.config["MARKET_BROKER_URL"], Path(app.instance_path)
        )
    app.config["CELERY"] = {**app.config["CELERY"], **celery_overrides}
    market_config.check_production(app.config)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def register_extensions(app: Flask) -> None:
    from market import i18n, models  # noqa: F401  (models: every table known to Alembic)

    db.init_app(app)
    with app.app_context():
        use_real_sqlite_transactions(db.engine)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "strong"
    login_manager.login_message = i18n.LOGIN_MESSAGE
    login_manager.login_message_category = "warning"
    from market import auth  # noqa: F401  (registers the user loader)


def register_blueprints(app: Flask) -> None:
    from market.accounts.views import bp as accounts
    from market.agreements.views import bp as agreements
    from market.api.tokens import bp as api_tokens
    from market.api.views import bp as api
    from market.dockings.views import bp as dockings
    from market.events.views import bp as events
    from market.feedback.views import bp as feedback
    from market.freshness.views import bp as freshness
    from market.main.views import bp as main
    from market.matching.views import bp as matching
    from market.notifications.views import bp as notifications
    from market.postings.views import bp as postings
    from market.review.views import bp as review
    from market.stats.views import bp as stats
    from market.synonyms.views import bp as synonyms
    from market.transfer.views import bp as transfer

    for blueprint in (
        main,
        accounts,
        postings,
        review,
        freshness,
        matching,
        dockings,
        events,
        agreements,
        stats,
        notifications,
        transfer,
        feedback,
        synonyms,
        api,
        api_tokens,
    ):
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from market.errors import register_error_handlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from market import templating

    templating.register(app)


def register_cli(app: Flask) -> None:
    from market.cli import register_commands

    register_commands(app)


def configure_search(app: Flask) -> None:
    """Load jieba and the domain dictionary once per process, caching in a folder we own."""
    from search_index import init_jieba

    init_jieba(app.config["MARKET_JIEBA_CACHE_DIR"])


def configure_worker(app: Flask) -> None:
    from worker.celery import celery_init_app

    celery_init_app(app)
