"""Time from a posting's publication to its matches being stored, with real idle workers.

    .venv/bin/python -m bench.publish_latency --docs 20000 --index-from /tmp/speed-20k/index
    .venv/bin/python -m bench.publish_latency --docs 2000            # rebuilds its own index

A throwaway portal (SQLite database, index, broker state under a temporary folder) gets
`--docs` published results in bulk (the corpus of bench/corpus.py, ids 1..N) and an index of
them: copied from a `bench.matching_speed --index-dir` folder built with the same `--docs`
(same ids, same texts), or rebuilt here. Two real Celery workers start as the Procfile runs
them (`indexer`: queue indexer, concurrency 1; `worker`: queue celery). Then, one at a time
with the workers idle, a problem is submitted and published through the bureau's service;
the clock starts as the publish service's transaction commits (`outbox.commit()`, which then
sends the index task) and stops when the worker has stored the problem's matches (or logged
that none was strong enough). The broker is Redis db 13 at 127.0.0.1:6379
(flushed first) or, with `--broker filesystem`, kombu's filesystem transport.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from bench.corpus import exit_if_missing, generate_problems, generate_results, load_source

REPO = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/13"
TARGET_P95_S = 2.0
WARM_UP = 2
POLL_SECONDS = 0.01
TIMEOUT_SECONDS = 60.0
SETTLE_SECONDS = 1.0  # lets the notification tasks of the previous publication finish
BULK_ROWS = 2000


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    exit_if_missing()
    instance = Path(tempfile.mkdtemp(prefix="publish-latency-"))
    env = portal_env(instance, args.broker)
    os.environ.update(env)
    run(["market", "db", "upgrade"], env)
    app = create_portal_app()
    source = load_source()
    with app.app_context():
        bureau, company = seed_people()
        insert_results(args.docs, source)
        prepare_index(env["MARKET_INDEX_DIR"], args, source)
        problems = submit_problems(company, args.publications + WARM_UP, source)
    workers = start_workers(env, instance)
    try:
        with app.app_context():
            reviewer = reload_user(bureau)
            timings = [publish_and_wait(reviewer, pid, instance / "worker.log") for pid in problems]
    finally:
        for worker in workers:
            stop(worker)
    report(timings[WARM_UP:], args, instance)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000, help="published results")
    parser.add_argument("--publications", type=int, default=30, help="problems to time")
    parser.add_argument("--index-from", help="copy this bench index (built with --docs)")
    parser.add_argument("--broker", choices=("redis", "filesystem"), default="redis")
    return parser.parse_args(argv)


def portal_env(instance: Path, broker: str) -> dict[str, str]:
    """The MARKET_* variables of the throwaway portal (this process and the workers)."""
    if broker == "redis":
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()
    return {
        "MARKET_ENV": "development",
        "MARKET_DATABASE_URL": f"sqlite:///{instance / 'market.sqlite3'}",
        "MARKET_INDEX_DIR": str(instance / "index"),
        "MARKET_BROKER_URL": REDIS_URL if broker == "redis" else "filesystem://",
        "MARKET_INSTANCE_DIR": str(instance),
        "MARKET_JIEBA_CACHE_DIR": str(instance / "jieba-cache"),
        "MARKET_SECRET_KEY": "publish-latency-bench-secret-0123456789abcdef",
    }


def run(command: list[str], env: dict[str, str]) -> None:
    binary = str(Path(sys.executable).parent / command[0])
    subprocess.run([binary, *command[1:]], cwd=REPO, env={**os.environ, **env}, check=True)


def create_portal_app():
    from market import create_app

    return create_app()


def seed_people():
    """A bureau reviewer and a company user, through the account service."""
    from market import outbox
    from market.accounts.models import Role
    from market.accounts.services import create_user

    def user(role: Role, org: str):
        return create_user(
            email=f"{role.value}@bench.example.cn",
            password="bench-password-2026",
            name="测速",
            role=role,
            org_name=org,
            county=None,
        )

    bureau, company = user(Role.BUREAU, "许昌市科学技术局"), user(Role.ENTERPRISE, "许昌测速企业")
    outbox.commit()
    return bureau.id, company


def reload_user(user_id: int):
    from market.accounts.models import User
    from market.extensions import db

    return db.session.get(User, user_id)


def insert_results(count: int, source) -> None:
    """Bulk-insert the corpus as published results with the corpus ids (no tasks)."""
    from sqlalchemy import insert

    from market.accounts.models import Organization, Role
    from market.extensions import db
    from market.postings.models import PostingKind, PostingStatus, Result
    from market.timeutil import utcnow

    orgs: dict[str, int] = {}
    now, rows = utcnow(), []
    for doc in generate_results(count, source):
        if doc["org"] not in orgs:
            org = Organization(name=doc["org"], kind=Role.INSTITUTE)
            db.session.add(org)
            db.session.flush()
            orgs[doc["org"]] = org.id
        rows.append(result_row(doc, orgs[doc["org"]], now, PostingKind, PostingStatus))
        if len(rows) == BULK_ROWS:
            db.session.execute(insert(Result), rows)
            rows = []
    if rows:
        db.session.execute(insert(Result), rows)
    db.session.commit()


def result_row(doc: dict, org_id: int, now, kinds, statuses) -> dict:
    return {
        "id": doc["id"],
        "kind": kinds.RESULT,
        "title": doc["title"][:120],
        "body": doc["body"],
        "field": doc["field"],
        "keywords": doc["keywords"],
        "status": statuses.PUBLISHED,
        "organization_id": org_id,
        "created_at": now,
        "updated_at": now,
        "published_at": now,
        "last_confirmed_at": now,
        "cooperation_modes": doc["cooperation"],
        "reference_price": None if doc["amount"] is None else Decimal(doc["amount"]),
        "maturity": "中试",
    }


def prepare_index(index_dir: str, args: argparse.Namespace, source) -> None:
    """Copy a bench index of the same corpus, or rebuild one from the database."""
    from search_index import IndexStore

    if args.index_from:
        shutil.copytree(args.index_from, index_dir)
    else:
        from market.matching.services import rebuild_index

        rebuild_index()
    store = IndexStore(index_dir)
    if store.doc_count() != args.docs:
        sys.exit(f"the index holds {store.doc_count()} documents, not {args.docs}")
    store.close()


def submit_problems(company, count: int, source) -> list[int]:
    """Submit `count` problems (up to 1,000 characters) through the posting service."""
    from market import outbox
    from market.postings.models import FIELDS, PostingKind
    from market.postings.services import submit_posting
    from market.timeutil import today

    ids = []
    # The portal asks for a description of 20 characters or more.
    problems = [p for p in generate_problems(count * 3, source) if len(p["body"]) >= 20]
    for problem in problems[:count]:
        data = {
            "title": problem["title"][:60],
            "body": problem["body"],
            "field": problem["field"] if problem["field"] in FIELDS else "其他",
            "keywords": "",
            "cooperation": problem["cooperation"][0],
            "valid_until": today() + timedelta(days=90),
        }
        ids.append(submit_posting(company, PostingKind.PROBLEM, data).id)
    outbox.commit()
    return ids


def start_workers(env: dict[str, str], instance: Path) -> list[subprocess.Popen]:
    """Start the indexer and the worker as the Procfile does, and wait until both are ready."""
    celery = str(Path(sys.executable).parent / "celery")
    common = ["-A", "worker.app", "worker", "--loglevel", "INFO", "--without-gossip"]
    specs = {
        "indexer": ["--queues", "indexer", "--concurrency", "1", "--hostname", "indexer@%h"],
        "worker": ["--queues", "celery", "--concurrency", "1", "--hostname", "worker@%h"],
    }
    workers = []
    for name, options in specs.items():
        log = open(instance / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        workers.append(
            subprocess.Popen(
                [celery, *common, *options],
                cwd=REPO,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    for name in specs:
        wait_for_text(instance / f"{name}.log", "ready.", 120)
    return workers


def wait_for_text(path: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text(errors="replace"):
        if time.monotonic() > deadline:
            sys.exit(f"{path.name}: no '{text}' after {timeout} s:\n{path.read_text()}")
        time.sleep(0.2)


def stop(worker: subprocess.Popen) -> None:
    """End the worker's process group (the Celery parent and its pool child)."""
    os.killpg(worker.pid, 15)
    try:
        worker.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, 9)
        worker.wait()


def publish_and_wait(bureau, problem_id: int, worker_log: Path) -> tuple[float, bool]:
    """Publish one problem; return the seconds until its matching is done, and whether it
    stored any match (the worker logs "posting #N: 0 matches stored" when none was good)."""
    from sqlalchemy import func, select

    from market import outbox
    from market.extensions import db
    from market.matching.models import Match
    from market.review.services import publish_posting

    time.sleep(SETTLE_SECONDS)
    publish_posting(bureau, problem_id)
    started = time.perf_counter()
    outbox.commit()  # the publication commits, then its index task is sent
    query = select(func.count()).select_from(Match).where(Match.demand_id == problem_id)
    none_stored = f"posting #{problem_id}: 0 matches stored"
    while time.perf_counter() - started < TIMEOUT_SECONDS:
        db.session.rollback()  # a fresh snapshot for every look
        if db.session.scalar(query):
            return time.perf_counter() - started, True
        if none_stored in worker_log.read_text(errors="replace"):
            return time.perf_counter() - started, False
        time.sleep(POLL_SECONDS)
    sys.exit(f"problem #{problem_id}: not matched after {TIMEOUT_SECONDS} s")


def report(timings: list[tuple[float, bool]], args: argparse.Namespace, instance: Path) -> None:
    import statistics

    seconds = [s for s, _found in timings]
    unmatched = sum(1 for _s, found in timings if not found)
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    p50, p95 = statistics.median(seconds), cuts[94]
    print(f"results in the database and index: {args.docs}; broker: {args.broker}")
    print(f"publications timed: {len(seconds)} (after {WARM_UP} warm-up); portal in {instance}")
    print(f"publications whose matching stored nothing (under the minimum strength): {unmatched}")
    print(f"publish -> matches stored: p50 {p50:.2f} s, p95 {p95:.2f} s, max {max(seconds):.2f} s")
    print(f"{'PASS' if p95 <= TARGET_P95_S else 'FAIL'}  publish-to-matches p95 <= 2 s")


if __name__ == "__main__":
    main()
