"""Speed of the bureau's dashboard over 100,000 agreements in PostgreSQL (issue 6, "Scale").

    .venv/bin/python -m bench.stats_speed                       # 100,000 agreements
    .venv/bin/python -m bench.stats_speed --agreements 10000    # a quick run
    .venv/bin/python -m bench.stats_speed --keep                # keep the database afterwards
    .venv/bin/python -m bench.stats_speed --extra-index         # also try two more indexes

It creates a throwaway PostgreSQL database (MARKET_TEST_PG_ADMIN, default postgres@127.0.0.1),
builds the tables with `db.create_all()` (the models' own indexes), and bulk-inserts with
executemany (SQLAlchemy's insertmanyvalues batches):
- 100,000 agreements signed 2016-2026 (more each year), spread over the eight counties
  (1% without), 60 institutes (a few large ones), the industry fields (2% without), the five
  contract types and 80 events (a quarter of the agreements came from one); amounts log-normal
  around 30 万元, in cents. Each has its RECORD ledger line; 2% were corrected once (a REVERSAL
  and a REPLACEMENT line with a moved county and amount), 0.5% cancelled (a REVERSAL only);
- 40,000 published problems, 4,000 results, ~60,000 stored matches and 12,000 对接 for the
  funnel.

Then it times `market.stats.services.dashboard(filters)` (totals, all eight breakdowns and the
funnel: what /stats/dashboard computes) for a set of filters, each run --repeat times after a
warm-up, and prints p50/p95 per filter set and over all runs, plus each query's share.
"CPU ms" is the mean CPU time one dashboard cost, this process plus its PostgreSQL backends
(from /proc, 10 ms ticks averaged over the runs; the funnel runs on a second connection at
the same time as the ledger queries, so an idle two-core machine needs less wall time).
Figures are information: the exit code is 0.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import psycopg
from sqlalchemy import insert, text

TARGET_P95_MS = 200.0
PG_ADMIN_URL = os.environ.get(
    "MARKET_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
COUNTY_WEIGHTS = {
    "魏都区": 20,
    "建安区": 15,
    "东城区": 10,
    "示范区": 10,
    "禹州市": 15,
    "长葛市": 15,
    "鄢陵县": 8,
    "襄城县": 7,
}
TYPE_WEIGHTS = {
    "DEVELOPMENT": 45,
    "SERVICE": 25,
    "TRANSFER": 12,
    "CONSULTING": 10,
    "LICENSING": 8,
}
FIRST_YEAR, LAST_YEAR = 2016, 2026
# Indexes this benchmark can add (--extra-index) to see what they are worth: the covering index
# lets period-filtered figures come from the index alone. (ix_agreements_problem_id, tried here
# first, is now part of the schema: the funnel looks up contracts on problems through it.)
EXTRA_INDEXES = {
    "ix_ledger_entries_signed_on_figures": (
        "CREATE INDEX ix_ledger_entries_signed_on_figures ON ledger_entries (signed_on) "
        "INCLUDE (count, amount, tech_amount, county, field, institute_id, event_id, "
        "contract_type)"
    ),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agreements", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--extra-index", action="store_true", help="also time EXTRA_INDEXES")
    parser.add_argument("--reuse", metavar="DATABASE", help="time a database kept by --keep")
    return parser.parse_args()


# The database


def create_database() -> tuple[str, str]:
    name = f"market_bench_stats_{os.getpid()}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return name, f"{base}/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str, tmp: str):
    from market import create_app

    return create_app(
        {
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": url,
            "MARKET_INDEX_DIR": f"{tmp}/index",
            "MARKET_JIEBA_CACHE_DIR": f"{tmp}/jieba",
            "MARKET_MAIL_SERVER": None,
            "WTF_CSRF_ENABLED": False,
            "CELERY": {"broker_url": "memory://", "task_always_eager": True},
        }
    )


# The data


def weighted(rng: random.Random, weights: dict) -> list:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1 / (i + 1) ** s for i in range(n)]


def signing_date(rng: random.Random) -> date:
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    year = rng.choices(years, weights=[1.25 ** (y - FIRST_YEAR) for y in years], k=1)[0]
    last = date(2026, 11, 28) if year == LAST_YEAR else date(year, 12, 31)
    return date(year, 1, 1) + timedelta(days=rng.randrange((last - date(year, 1, 1)).days + 1))


def amount_cents(rng: random.Random) -> int:
    wan = min(max(math.exp(rng.gauss(math.log(30), 1.2)), 0.5), 50_000)
    return int(round(wan * 100))


def insert_rows(db, table, rows: list[dict], batch: int = 5_000) -> None:
    for start in range(0, len(rows), batch):
        db.session.execute(insert(table), rows[start : start + batch])
    db.session.commit()


def build(db, n: int, seed: int) -> dict:
    """Fill the tables; returns the ids the filter sets use."""
    from market.accounts.models import Organization, User
    from market.agreements.models import Agreement, LedgerEntry
    from market.dockings.models import Docking
    from market.events.models import Event
    from market.matching.models import Match
    from market.postings.models import FIELDS, Posting

    rng = random.Random(seed)
    now = datetime.now(UTC)
    counties = list(COUNTY_WEIGHTS)
    orgs, org_county = [], {}
    for i in range(600):
        county = counties[i % len(counties)]
        orgs.append(
            {
                "id": i + 1,
                "name": f"许昌测试企业{i:04d}有限公司",
                "kind": "ENTERPRISE",
                "county": county,
                "created_at": now,
            }
        )
        org_county[i + 1] = county
    institutes = list(range(1001, 1061))
    for org_id in institutes:
        orgs.append(
            {
                "id": org_id,
                "name": f"测试研究院{org_id}",
                "kind": "INSTITUTE",
                "county": None,
                "created_at": now,
            }
        )
    insert_rows(db, Organization.__table__, orgs)
    insert_rows(
        db,
        User.__table__,
        [
            {
                "id": 1,
                "email": "bench@example.cn",
                "name": "测试",
                "password_hash": "x",
                "role": "INSTITUTE",
                "organization_id": institutes[0],
                "session_token": "t",
                "email_notifications": False,
                "created_at": now,
            }
        ],
    )
    events = [
        {
            "id": i + 1,
            "kind": "MATCHMAKING",
            "title": f"产学研对接会{i + 1}",
            "starts_at": datetime(FIRST_YEAR, 1, 1, tzinfo=UTC) + timedelta(days=45 * i),
            "capacity": 200,
            "description": "",
            "created_at": now,
        }
        for i in range(80)
    ]
    insert_rows(db, Event.__table__, events)

    fields = list(FIELDS)
    field_weights = zipf_weights(len(fields), 0.8)
    institute_weights = zipf_weights(len(institutes), 1.1)
    county_of_company = {}
    companies = [o["id"] for o in orgs if o["kind"] == "ENTERPRISE"]
    agreements, lines = [], []
    for i in range(1, n + 1):
        company = rng.choice(companies)
        county = None if rng.random() < 0.01 else org_county[company]
        county_of_company[company] = county
        signed = signing_date(rng)
        cents = amount_cents(rng)
        tech = int(cents * rng.uniform(0.6, 1.0))
        dims = {
            "signed_on": signed,
            "contract_type": weighted(rng, TYPE_WEIGHTS),
            "county": county,
            "field": None if rng.random() < 0.02 else rng.choices(fields, field_weights)[0],
            "company_id": company,
            "institute_id": rng.choices(institutes, institute_weights)[0],
            "event_id": rng.randint(1, 80) if rng.random() < 0.25 else None,
        }
        revision, status = 1, "RECORDED"
        lines.append(
            {
                "agreement_id": i,
                "kind": "RECORD",
                "revision": 1,
                "count": 1,
                "amount": cents,
                "tech_amount": tech,
                "recorded_at": now,
                **dims,
            }
        )
        roll = rng.random()
        if roll < 0.02:  # corrected: moved county and amount
            revision = 2
            lines.append(
                {
                    "agreement_id": i,
                    "kind": "REVERSAL",
                    "revision": 2,
                    "count": -1,
                    "amount": -cents,
                    "tech_amount": -tech,
                    "recorded_at": now,
                    **dims,
                }
            )
            cents = amount_cents(rng)
            tech = int(cents * 0.9)
            dims = {**dims, "county": rng.choice(counties)}
            lines.append(
                {
                    "agreement_id": i,
                    "kind": "REPLACEMENT",
                    "revision": 2,
                    "count": 1,
                    "amount": cents,
                    "tech_amount": tech,
                    "recorded_at": now,
                    **dims,
                }
            )
        elif roll < 0.025:  # cancelled
            revision, status = 2, "CANCELLED"
            lines.append(
                {
                    "agreement_id": i,
                    "kind": "REVERSAL",
                    "revision": 2,
                    "count": -1,
                    "amount": -cents,
                    "tech_amount": -tech,
                    "recorded_at": now,
                    **dims,
                }
            )
        agreements.append(
            {
                "id": i,
                "submission_key": uuid.UUID(int=rng.getrandbits(128)).hex,
                "title": f"技术合同{i:06d}",
                "amount": cents,
                "tech_amount": tech,
                "revision": revision,
                "status": status,
                "created_at": now,
                **{
                    k: dims[k]
                    for k in (
                        "signed_on",
                        "contract_type",
                        "county",
                        "field",
                        "company_id",
                        "institute_id",
                        "event_id",
                    )
                },
            }
        )
    # Money columns take Decimal in Python; build them from the cents.
    for row in agreements + lines:
        row["amount"] = Decimal(row["amount"]).scaleb(-2)
        row["tech_amount"] = Decimal(row["tech_amount"]).scaleb(-2)
    insert_rows(db, Agreement.__table__, agreements)
    insert_rows(db, LedgerEntry.__table__, lines)

    problems, results = [], []
    for i in range(40_000):
        published = datetime.combine(signing_date(rng), datetime.min.time(), UTC)
        problems.append(
            {
                "id": i + 1,
                "kind": "PROBLEM",
                "title": f"技术难题{i}",
                "body": "描述",
                "field": rng.choices(fields, field_weights)[0],
                "keywords": [],
                "status": "PUBLISHED",
                "organization_id": rng.choice(companies),
                "created_at": published,
                "updated_at": published,
                "published_at": published,
                "visibility": "PUBLIC",
            }
        )
    for i in range(4_000):
        results.append(
            {
                "id": 40_001 + i,
                "kind": "RESULT",
                "title": f"科技成果{i}",
                "body": "描述",
                "field": rng.choice(fields),
                "keywords": [],
                "status": "PUBLISHED",
                "organization_id": rng.choice(institutes),
                "created_at": now,
                "updated_at": now,
                "published_at": now,
                "visibility": "PUBLIC",
            }
        )
    insert_rows(db, Posting.__table__, problems + results)
    matches, seen = [], set()
    for problem in problems[:30_000]:
        for _ in range(rng.randint(1, 3)):
            supply = rng.randint(40_001, 44_000)
            if (problem["id"], supply) not in seen:
                seen.add((problem["id"], supply))
                matches.append(
                    {
                        "demand_id": problem["id"],
                        "supply_id": supply,
                        "score": 1.0,
                        "strength": 1.0,
                        "terms": [],
                        "highlights": {},
                        "computed_at": now,
                    }
                )
    insert_rows(db, Match.__table__, matches)
    statuses = {"REQUESTED": 30, "ACCEPTED": 30, "DECLINED": 15, "SIGNED": 25}
    dockings = []
    for k, (demand, supply) in enumerate(rng.sample(sorted(seen), 12_000)):
        dockings.append(
            {
                "id": k + 1,
                "demand_id": demand,
                "supply_id": supply,
                "requester_org_id": institutes[0],
                "responder_org_id": companies[0],
                "requested_by_id": 1,
                "status": weighted(rng, statuses),
                "created_at": now,
            }
        )
    insert_rows(db, Docking.__table__, dockings)
    for table in ("organizations", "users", "events", "agreements", "postings", "dockings"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        )
    db.session.commit()
    return {
        "lines": len(lines),
        "matches": len(matches),
        "big_institute": institutes[0],
        "small_institute": institutes[40],
        "event": 17,
    }


# Timing


def filter_sets(ids: dict):
    from market.agreements.models import ContractType
    from market.stats.services import NONE, Filters

    return {
        "all": Filters(),
        "year 2025": Filters(year=2025),
        "2024 Q3": Filters(year=2024, quarter=3),
        "month 2026-03": Filters(year=2026, month=3),
        "range 2019-06..2021-05": Filters(start=date(2019, 6, 1), end=date(2021, 5, 31)),
        "county 禹州市": Filters(county="禹州市"),
        "county + year": Filters(county="魏都区", year=2023),
        "largest institute": Filters(institute=ids["big_institute"]),
        "small institute": Filters(institute=ids["small_institute"]),
        "field + type": Filters(field="电力装备", type=ContractType.DEVELOPMENT),
        "one event": Filters(event=ids["event"]),
        "no event": Filters(event=NONE),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def backends_cpu_ms(db) -> dict[int, float]:
    """CPU time (user + system) each PostgreSQL backend of this database has used so far."""
    pids = db.session.execute(
        text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    ).scalars()
    used = {}
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) * TICK_MS
    return used


def time_dashboards(sets: dict, repeat: int) -> tuple[dict, list[float]]:
    """Wall time of each dashboard, and the CPU it cost (this process + the DB backend)."""
    from market.extensions import db
    from market.stats.services import dashboard

    per_set, everything = {}, []
    for name, filters in sets.items():
        dashboard(filters)  # warm-up: plans and caches
        db.session.rollback()
        times, cpu = [], []
        for _ in range(repeat):
            before, own = backends_cpu_ms(db), time.process_time() * 1000
            db.session.rollback()
            started = time.perf_counter()
            board = dashboard(filters)
            times.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
            after = backends_cpu_ms(db)
            spent = sum(ms - before.get(pid, 0.0) for pid, ms in after.items())
            cpu.append(time.process_time() * 1000 - own + spent)
            db.session.rollback()
        per_set[name] = (times, board.totals.count, statistics.mean(cpu))
        everything += times
    return per_set, everything


def time_parts(filters, repeat: int) -> dict[str, float]:
    """Median milliseconds of each query of one dashboard."""
    from market.extensions import db
    from market.stats import services

    parts = {"totals": lambda: services.totals(filters), "funnel": lambda: services.funnel(filters)}
    for by in services.DIMENSIONS:
        parts[by] = lambda by=by: services.breakdown(by, filters)
    medians = {}
    for name, run in parts.items():
        run()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
        medians[name] = statistics.median(times)
    return medians


def report(title: str, per_set: dict, everything: list[float]) -> None:
    print(f"\n{title}")
    print(f"{'filters':<26}{'agreements':>11}{'p50 ms':>9}{'p95 ms':>9}{'CPU ms':>9}")
    for name, (times, count, cpu) in per_set.items():
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        print(f"{name:<26}{count:>11,}{p50:>9.1f}{p95:>9.1f}{cpu:>9.1f}")
    p50, p95 = statistics.median(everything), percentile(everything, 0.95)
    cpu = statistics.mean(c for _t, _n, c in per_set.values())
    verdict = "PASS" if p95 <= TARGET_P95_MS else "FAIL"
    print(
        f"{'all runs':<26}{len(everything):>11}{p50:>9.1f}{p95:>9.1f}{cpu:>9.1f}   "
        f"{verdict} (target p95 ≤ {TARGET_P95_MS:.0f} ms)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} (2 cores)")


def prepare(db, args) -> dict:
    """Build the data (or find it in a kept database) and return the ids the filters use."""
    if args.reuse:
        lines = db.session.execute(text("SELECT count(*) FROM ledger_entries")).scalar()
        matches = db.session.execute(text("SELECT count(*) FROM matches")).scalar()
        agreements = db.session.execute(text("SELECT count(*) FROM agreements")).scalar()
        print(f"reusing {args.reuse}: {agreements:,} agreements, {lines:,} ledger lines")
        return {
            "lines": lines,
            "matches": matches,
            "big_institute": 1001,
            "small_institute": 1041,
            "event": 17,
        }
    db.create_all()
    started = time.perf_counter()
    ids = build(db, args.agreements, args.seed)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE"))
    version = db.session.execute(text("SHOW server_version")).scalar()
    print(
        f"built {args.agreements:,} agreements, {ids['lines']:,} ledger lines, 40,000 problems, "
        f"{ids['matches']:,} matches, 12,000 对接 in {time.perf_counter() - started:.0f} s "
        f"(PostgreSQL {version})"
    )
    return ids


def time_pages(db, repeat: int) -> None:
    """The whole request as the bureau makes it: figures, template, charts' data."""
    from flask import current_app

    from market import outbox
    from market.accounts.models import Role
    from market.accounts.services import create_user

    create_user(
        email="bureau-bench@example.cn",
        password="bench-password-123",
        name="李科长",
        role=Role.BUREAU,
        org_name="许昌市科学技术局",
    )
    outbox.commit()
    client = current_app.test_client()
    client.post(
        "/accounts/login",
        data={"email": "bureau-bench@example.cn", "password": "bench-password-123"},
    )
    for label, path in (
        ("GET /stats/dashboard", "/stats/dashboard"),
        ("GET /stats/dashboard?year=2025", "/stats/dashboard?year=2025"),
        ("GET /stats/agreements (page 1)", "/stats/agreements"),
    ):
        assert client.get(path).status_code == 200
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(
            f"{label:<34} p50 {statistics.median(times):6.1f} ms   "
            f"p95 {percentile(times, 0.95):6.1f} ms   ({len(response.data) // 1024} KiB)"
        )
    db.session.rollback()


def measure(db, args, ids: dict) -> None:
    sets = filter_sets(ids)
    per_set, everything = time_dashboards(sets, args.repeat)
    report("full dashboard (totals + 8 breakdowns + funnel), models' indexes", per_set, everything)
    print("\nwhole pages (Flask test client, logged in as the bureau):")
    time_pages(db, max(5, args.repeat // 3))
    parts = time_parts(sets["all"], max(5, args.repeat // 3))
    print(
        "\nmedian ms per query, no filters: " + ", ".join(f"{k} {v:.1f}" for k, v in parts.items())
    )
    if args.extra_index:
        for name, statement in EXTRA_INDEXES.items():
            db.session.execute(text(statement))
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
            per_set, everything = time_dashboards(sets, args.repeat)
            report(f"with {name} added", per_set, everything)
        for name in EXTRA_INDEXES:
            db.session.execute(text(f"DROP INDEX {name}"))
        db.session.commit()


def main() -> int:
    args = parse_args()
    if args.reuse:
        name = args.reuse
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        url = f"{base}/{name}"
    else:
        name, url = create_database()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(url, tmp)
            with app.app_context():
                from market.extensions import db

                measure(db, args, prepare(db, args))
                db.session.remove()
                db.engine.dispose()
    finally:
        if args.keep or args.reuse:
            print(f"kept database {name}")
        else:
            drop_database(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
