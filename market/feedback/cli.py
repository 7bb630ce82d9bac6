"""`market feedback export`: the marks as judgements for evaluating the matcher."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group(help="Relevance feedback on matches.")
def feedback() -> None:
    pass


@feedback.command("export")
@click.option(
    "--output",
    type=click.File("w", encoding="utf-8", lazy=True),
    default="-",
    help="File to write (default: standard output).",
)
@with_appcontext
def export_command(output) -> None:
    """Write problem_ref<TAB>result_ref<TAB>grade, one line per marked problem/result pair.

    grade is 1 (相关) or 0 (不相关); a posting without a ref is written as #<id>. When several
    organisations marked a pair, the problem's organisation's mark wins, then the bureau's,
    then the result's organisation's.
    """
    from market.feedback.services import export_marks

    for problem_ref, result_ref, grade in export_marks():
        output.write(f"{problem_ref}\t{result_ref}\t{grade}\n")
