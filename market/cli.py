"""The `market` command: Flask's CLI (run, shell, db) plus users, demo, index and stats."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from market import outbox
from market.transfer.cli import import_command


def main() -> None:
    """Entry point of the `market` console script."""
    from market import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="许昌科技大市场 management commands.")
    cli.main()


def register_commands(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(index)
    app.cli.add_command(demo)
    app.cli.add_command(stats)
    app.cli.add_command(import_command)


@click.group(help="Manage user accounts.")
def users() -> None:
    pass


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(["enterprise", "institute", "bureau"]))
@click.option("--org", "org_name", required=True, help="Organisation name, e.g. 许昌市科学技术局")
@click.option("--name", default="", help="Display name")
@click.option("--county", default=None)
@with_appcontext
def create_user_command(email, password, role, org_name, name, county) -> None:
    """Create an account (the only way to create bureau accounts)."""
    from market.accounts.models import Role
    from market.accounts.services import create_user
    from market.errors import DomainError

    try:
        user = create_user(
            email=email,
            password=password,
            name=name,
            role=Role(role),
            org_name=org_name,
            county=county,
        )
    except DomainError as exc:
        outbox.rollback()
        raise click.ClickException(exc.message) from exc
    outbox.commit()
    click.echo(f"created {user.email} ({role}) for {org_name}")


@click.group(help="Maintain the search index.")
def index() -> None:
    pass


@index.command("rebuild")
@with_appcontext
def rebuild_index_command() -> None:
    """Rebuild the whole index from the database (matches are recomputed by the worker)."""
    from market.matching.services import published_count, rebuild_index

    with click.progressbar(length=published_count(), label="indexing", show_pos=True) as bar:
        count = rebuild_index(progress=lambda done: bar.update(done - bar.pos))
    outbox.commit()
    click.echo(f"indexed {count} postings")


@click.command(help="Load the demo data (safe to run twice).")
@with_appcontext
def demo() -> None:
    from market.demo.loader import load_demo

    summary = load_demo(echo=click.echo)
    click.echo(summary)


@click.command(help="Print the number of signed agreements and their total in 万元.")
@click.option("--year", type=int, default=None)
@with_appcontext
def stats(year) -> None:
    from market.stats.services import agreement_totals

    totals = agreement_totals(year)
    click.echo(f"agreements: {totals.count}")
    click.echo(f"total: {totals.amount:.2f} 万元")
