"""`market import KIND FILE [--dry-run]`: the bureau's bulk import from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

KINDS = ("problem", "talent", "result", "expert", "equipment")
# `market import results FILE` reads as naturally as `market import result FILE`.
PLURALS = {
    "problems": "problem",
    "talents": "talent",
    "talent-needs": "talent",
    "results": "result",
    "experts": "expert",
}


@click.command(
    "import",
    help="Import postings from a CSV, XLSX or JSONL file (all or nothing). KIND: problem,"
    " talent, result, expert or equipment (plural forms such as results work too).",
)
@click.argument("kind", type=click.Choice([*KINDS, *PLURALS]), metavar="KIND")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; store nothing.")
@with_appcontext
def import_command(kind: str, file: Path, dry_run: bool) -> None:
    from market import outbox
    from market.errors import DomainError
    from market.transfer.readers import check_size
    from market.transfer.services import import_postings

    kind = PLURALS.get(kind, kind)
    try:
        check_size(file.stat().st_size)  # before reading a huge file into memory
        report = import_postings(kind, file.name, file.read_bytes(), dry_run=dry_run)
    except DomainError as error:
        outbox.rollback()
        raise click.ClickException(error.message) from error
    if report.imported:
        outbox.commit()
    else:
        outbox.rollback()
    echo_report(report)
    if not report.ok:
        raise SystemExit(1)


def echo_report(report) -> None:
    """Print every bad row with its line number, or what was (or would be) stored."""
    from flask_babel import gettext as _

    for problem in report.problems:
        reasons = "；".join(problem.messages)
        click.echo(_("第 %(line)d 行：%(reasons)s", line=problem.line, reasons=reasons), err=True)
    if report.ignored_columns:
        click.echo(_("未识别、已忽略的列：%(names)s", names="、".join(report.ignored_columns)))
    if not report.ok:
        bad = len(report.problems)
        click.echo(
            _("共 %(rows)d 行，%(bad)d 行有误；没有导入任何内容。", rows=report.rows, bad=bad)
        )
        return
    if report.new_organizations:
        names = "、".join(report.new_organizations)
        if report.dry_run:
            click.echo(_("将新建单位：%(names)s", names=names))
        else:
            click.echo(_("新建单位：%(names)s", names=names))
    counts = {"rows": report.rows, "created": report.created, "updated": report.updated}
    if report.dry_run:
        click.echo(
            _("检查通过：共 %(rows)d 行，将新增 %(created)d 条、更新 %(updated)d 条。", **counts)
        )
        click.echo(_("这是检查（--dry-run），没有保存任何内容。"))
    else:
        click.echo(
            _("已导入并发布：共 %(rows)d 行，新增 %(created)d 条，更新 %(updated)d 条。", **counts)
        )
