"""Alembic builds the same schema as the models; the CLI's demo and stats agree with the web."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import func, select

from market import create_app
from market.agreements.models import Agreement
from market.demo import data as demo_data
from market.extensions import db
from market.postings.models import Posting
from market.stats.services import agreement_totals
from tests.conftest import base_config

ROOT = Path(__file__).parent.parent


@pytest.fixture
def migrated_app(tmp_path, database_url, backend):
    """An app whose schema comes from `market db upgrade`, not create_all.

    Tasks go to an in-memory broker that nobody consumes, as from the CLI to a stopped worker:
    what the CLI shows must not depend on a worker having run.
    """
    config = base_config(tmp_path, database_url)
    config["CELERY"] = {**config["CELERY"], "task_always_eager": False}
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade(directory=str(ROOT / "market" / "migrations"))
        yield app
        db.session.remove()
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.engine.dispose()


def test_migrations_match_the_models(migrated_app):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_demo_loads_44_agreements_worth_4098_22_and_is_safe_to_run_twice(migrated_app):
    runner = migrated_app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "44 项, 4098.22 万元" in first.output
    postings = db.session.scalar(select(func.count(Posting.id)))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert db.session.scalar(select(func.count(Posting.id))) == postings
    assert db.session.scalar(select(func.count(Agreement.id))) == 44
    totals = agreement_totals()
    assert (totals.count, totals.amount) == (44, Decimal("4098.22"))
    assert totals.amount == demo_data.AGREEMENT_TOTAL

    stats = runner.invoke(args=["stats"])
    assert "agreements: 44" in stats.output and "total: 4098.22 万元" in stats.output
    by_year = runner.invoke(args=["stats", "--year", "2024"])
    assert f"agreements: {agreement_totals(2024).count}" in by_year.output

    home = migrated_app.test_client().get("/").text
    assert ">44<" in home and "4,098.22" in home


def test_the_market_command_is_installed():
    output = subprocess.run(
        [Path(sys.executable).parent / "market", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for command in ("db", "demo", "index", "run", "shell", "stats", "users"):
        assert command in output
