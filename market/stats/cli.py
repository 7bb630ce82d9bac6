"""`market stats`: the dashboard's figures for scripts and scheduled reports."""

from __future__ import annotations

import csv
import json
import sys
import unicodedata

import click
from flask.cli import with_appcontext

from market.errors import DomainError
from market.stats.services import DIMENSIONS, Group, Totals, breakdown, parse_filters, totals

FILTER_OPTIONS = (
    ("--from", "start", "Signed on or after this date (YYYY-MM-DD)."),
    ("--to", "end", "Signed on or before this date (YYYY-MM-DD)."),
    ("--year", "year", "Signing year."),
    ("--quarter", "quarter", "Quarter 1-4 (with --year)."),
    ("--month", "month", "Month 1-12 (with --year)."),
    ("--county", "county", "County/district, e.g. 魏都区 ('-' for none)."),
    ("--institute", "institute", "Institute id or exact name."),
    ("--field", "field", "Industry field, e.g. 电力装备 ('-' for none)."),
    ("--type", "type", "Contract type: development, transfer, licensing, consulting, service."),
    ("--event", "event", "Event id ('-' for agreements from no event)."),
)


def _with_filters(command):
    for flag, name, help_text in reversed(FILTER_OPTIONS):
        command = click.option(flag, name, default=None, help=help_text)(command)
    return command


@click.command("stats", help="Print the agreements' figures: totals, or one breakdown (--by).")
@click.option("--by", type=click.Choice(DIMENSIONS), default=None, help="Group by this dimension.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@_with_filters
@with_appcontext
def stats(by: str | None, fmt: str, **options) -> None:
    try:
        filters = parse_filters(options)
    except DomainError as error:
        raise click.UsageError(error.message) from error
    if by is None:
        _print_totals(totals(filters), fmt)
        return
    groups = breakdown(by, filters)
    if fmt == "json":
        click.echo(json.dumps([_as_object(g) for g in groups], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        _write_csv(["key", "label", "count", "amount", "tech_amount"], map(_as_row, groups))
    else:
        click.echo(_table(by, groups, totals(filters)))


def _as_object(group: Group) -> dict:
    return {
        "key": group.key,
        "label": group.label,
        "count": group.count,
        "amount": f"{group.amount:.2f}",
        "tech_amount": f"{group.tech_amount:.2f}",
    }


def _as_row(group: Group) -> list:
    return [group.key, group.label, group.count, f"{group.amount:.2f}", f"{group.tech_amount:.2f}"]


def _print_totals(figures: Totals, fmt: str) -> None:
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "count": figures.count,
                    "amount": f"{figures.amount:.2f}",
                    "tech_amount": f"{figures.tech_amount:.2f}",
                }
            )
        )
    elif fmt == "csv":
        row = [figures.count, f"{figures.amount:.2f}", f"{figures.tech_amount:.2f}"]
        _write_csv(["count", "amount", "tech_amount"], [row])
    else:
        click.echo(f"agreements: {figures.count}")
        click.echo(f"total: {figures.amount:.2f} 万元")
        click.echo(f"technology part: {figures.tech_amount:.2f} 万元")


def _write_csv(header: list[str], rows) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    sys.stdout.flush()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def _table(by: str, groups: list[Group], total: Totals) -> str:
    """Groups in aligned columns (Chinese characters count double), then the total."""
    header = [by, "count", "amount (万元)", "tech (万元)"]
    rows = [[g.label, str(g.count), f"{g.amount:,.2f}", f"{g.tech_amount:,.2f}"] for g in groups]
    rows.append(["total", str(total.count), f"{total.amount:,.2f}", f"{total.tech_amount:,.2f}"])
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = []
    for index, row in enumerate([header, *rows]):
        if index == len(rows):  # the total's rule
            lines.append("  ".join("-" * w for w in widths))
        cells = [_pad(cell, widths[i], right=i > 0) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
