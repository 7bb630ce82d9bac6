"""The `market` command: Flask's CLI (run, shell, db) plus users, demo, index, match, stats."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import gettext as _

from market import outbox
from market.feedback.cli import feedback
from market.stats.cli import stats
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
    app.cli.add_command(feedback)
    app.cli.add_command(match_command)


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


@index.command("check")
@click.option("--repair", is_flag=True, help="Fix what is found, here and now (no worker needed).")
@click.option(
    "--match",
    "recompute",
    is_flag=True,
    help="With --repair: also recompute the repaired postings' matches now (no notifications).",
)
@click.option("--lines", default=20, show_default=True, help="How many postings to list.")
@with_appcontext
def check_index_command(repair: bool, recompute: bool, lines: int) -> None:
    """List postings missing from, stale in, or wrongly kept in the index; exit 1 if any.

    --repair re-indexes missing and stale postings, removes documents of hidden or deleted
    ones, and exits 0 when the index is clean afterwards. Their matches are recomputed by the
    worker (tasks go through the outbox); add --match to compute them in this process too,
    e.g. when no worker runs. A repair never sends notifications itself.
    """
    from market.matching.index_check import check_index, repair_index

    if recompute and not repair:
        raise click.UsageError(_("--match 只能与 --repair 一起使用。"))
    found = check_index()
    echo_index_check(found, lines)
    if not repair:
        raise SystemExit(0 if found.ok else 1)
    if found.ok:
        return
    done = repair_index(found, match=recompute)
    outbox.commit()
    echo_index_repair(done)
    echo_index_check(done.after, lines)
    raise SystemExit(0 if done.after.ok else 1)


def echo_index_check(found, lines: int) -> None:
    """Counts, then up to `lines` drifts: id, ref, kind, title and what is wrong."""
    from market.matching.index_check import EXTRA, MISSING, STALE

    click.echo(
        _(
            "索引检查：可见信息 %(visible)d 条，索引文档 %(indexed)d 条；"
            "缺失 %(missing)d，过期 %(stale)d，多余 %(extra)d。",
            visible=found.visible,
            indexed=found.indexed,
            missing=len(found.of(MISSING)),
            stale=len(found.of(STALE)),
            extra=len(found.of(EXTRA)),
        )
    )
    if found.outdated:
        click.echo(_("索引由旧版结构或词典建立，需要重建（market index rebuild）。"))
    labels = {
        MISSING: _("缺失：已发布但不在索引中"),
        STALE: _("过期：索引内容不是最新版本"),
        EXTRA: _("多余：已下线或已删除，仍在索引中"),
    }
    for drift in found.drifts[:lines]:
        fields = [f"#{drift.posting_id}", drift.ref or "-", drift.kind or "-", drift.title or "-"]
        click.echo("  " + "  ".join([*fields, labels[drift.problem]]))
    if len(found.drifts) > lines:
        click.echo(_("……另有 %(n)d 条未列出。", n=len(found.drifts) - lines))
    if found.ok:
        click.echo(_("索引与数据库一致。"))


def echo_index_repair(done) -> None:
    if done.rebuilt is not None:
        click.echo(_("已重建索引：%(n)d 条。", n=done.rebuilt))
    click.echo(
        _(
            "已修复：重新索引 %(reindexed)d 条，删除 %(removed)d 条。",
            reindexed=len(done.reindexed),
            removed=len(done.removed),
        )
    )
    if done.matched:
        click.echo(_("已重新计算 %(n)d 条信息的匹配。", n=len(done.matched)))
    elif done.reindexed:
        click.echo(_("匹配将由后台任务重新计算（或加 --match 立即计算）。"))


@click.command(
    "match",
    help=(
        "Match published problems with research results, best first, exactly as the pages rank"
        " them, and write one line per problem: "
        '{"problem": REF, "matches": [{"result": REF, "score": SCORE, "reasons": [...]}]}. '
        "SCORE is the match strength 0..1 that the pages show as 匹配度 (the share of the"
        " problem's key terms the result covers). Matches are recomputed and stored first;"
        " nobody is notified. Problems without a ref are written as #ID."
    ),
)
@click.option("--all-problems", is_flag=True, help="Every published, unexpired problem.")
@click.option("--problem", "refs", multiple=True, metavar="REF", help="A problem (repeatable).")
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(1, 100),
    help="Results per problem.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "xlsx"]),
    default="jsonl",
    show_default=True,
    help="JSON lines, or the bureau's spreadsheet (company, ranked results, reasons).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="File to write (required for xlsx; jsonl goes to standard output without it).",
)
@with_appcontext
def match_command(all_problems, refs, limit, fmt, output) -> None:
    from market.errors import DomainError
    from market.matching import batch

    if bool(all_problems) == bool(refs):
        raise click.UsageError(_("请指定 --all-problems 或 --problem 编号（二选一）。"))
    if fmt == "xlsx" and not output:
        raise click.UsageError(_("--format xlsx 需要用 --output 指定文件。"))
    try:
        problems = batch.visible_problems() if all_problems else batch.problems_by_ref(refs)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    if problems and batch.index_is_empty():
        click.echo(_("索引为空，找不到任何成果：请先运行 market index rebuild。"), err=True)
    entries = batch.match_problems(problems, limit, after_each=outbox.commit)
    if fmt == "xlsx":
        sheet = batch.to_xlsx(entries, batch.CommandLineOperator())
        with open(output, "wb") as fh:
            fh.write(sheet)
        click.echo(_("已写入 %(n)d 条需求的匹配结果：%(file)s", n=len(problems), file=output))
        return
    with click.open_file(output or "-", "w", encoding="utf-8") as fh:
        for entry in entries:
            fh.write(batch.json_line(entry) + "\n")


@click.command(help="Load the demo data (safe to run twice).")
@with_appcontext
def demo() -> None:
    from market.demo.loader import load_demo

    summary = load_demo(echo=click.echo)
    click.echo(summary)
