"""`market index check [--repair] [--match]`: the index compared with the database, and fixed."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import delete, func, select

from market.extensions import db
from market.matching.index_check import (
    EXTRA,
    MISSING,
    STALE,
    check_index,
    same_stamp,
)
from market.matching.models import Match
from market.matching.services import index_store
from market.notifications.models import Notification
from market.postings.models import PostingStatus
from market.timeutil import utcnow
from search_index.store import META_FILE


def run_check(app, *options: str):
    return app.test_cli_runner().invoke(args=["index", "check", *options])


def published(make_posting, kind: str = "problem", **overrides):
    """A published posting, indexed and matched at once (tasks run eagerly in tests)."""
    return make_posting(kind, publish=True, **overrides)


def drifts(found) -> set[tuple[int, str]]:
    return {(d.posting_id, d.problem) for d in found.drifts}


def change_behind_the_index(posting, **values) -> None:
    """Change a posting in the database only, as a lost index task would leave it."""
    for name, value in values.items():
        setattr(posting, name, value)
    posting.updated_at = utcnow()
    db.session.commit()


@pytest.fixture
def postings(make_posting):
    problem = published(make_posting, "problem", title="开关柜触头发热无法在线监测")
    result = published(make_posting, "result")
    return problem, result


def test_a_clean_index_exits_0(app, postings):
    outcome = run_check(app)
    assert outcome.exit_code == 0, outcome.output
    assert "可见信息 2 条，索引文档 2 条；缺失 0，过期 0，多余 0" in outcome.output
    assert "索引与数据库一致" in outcome.output


def test_a_posting_missing_from_the_index_is_listed_and_exits_1(app, postings):
    problem, _result = postings
    problem.ref = "XQ-001"
    db.session.commit()
    index_store().delete(problem.id)
    assert drifts(check_index()) == {(problem.id, MISSING)}
    outcome = run_check(app)
    assert outcome.exit_code == 1
    assert "缺失 1，过期 0，多余 0" in outcome.output
    line = next(x for x in outcome.output.splitlines() if f"#{problem.id} " in x)
    assert "XQ-001" in line and "problem" in line and problem.title in line and "缺失" in line


def test_a_posting_changed_behind_the_index_is_stale(app, postings):
    problem, _result = postings
    change_behind_the_index(problem, title="开关柜温度在线监测改造")
    assert drifts(check_index()) == {(problem.id, STALE)}
    outcome = run_check(app)
    assert outcome.exit_code == 1 and "过期 1" in outcome.output


def test_hidden_and_deleted_postings_still_indexed_are_extra(app, postings):
    problem, result = postings
    change_behind_the_index(result, status=PostingStatus.ARCHIVED)
    index_store().upsert({**problem.to_search_document(), "id": 999_999})  # no such posting
    found = check_index()
    assert drifts(found) == {(result.id, EXTRA), (999_999, EXTRA)}
    assert [d.kind for d in found.drifts] == ["result", None]
    outcome = run_check(app)
    assert outcome.exit_code == 1 and "多余 2" in outcome.output


def test_repair_fixes_every_kind_of_drift_and_exits_0(app, make_posting, postings):
    problem, result = postings
    missing = published(make_posting, "result", title="母排接头无线测温传感器")
    index_store().delete(missing.id)
    change_behind_the_index(problem, title="高压柜温度监测改造需求")
    change_behind_the_index(result, status=PostingStatus.ARCHIVED)
    assert len(check_index().drifts) == 3

    outcome = run_check(app, "--repair")
    assert outcome.exit_code == 0, outcome.output
    assert "已修复：重新索引 2 条，删除 1 条" in outcome.output
    assert check_index().ok
    assert run_check(app).exit_code == 0
    stamps = index_store().stamps()
    assert missing.id in stamps and result.id not in stamps
    assert same_stamp(stamps[problem.id], problem.stamp())
    assert problem.id in {hit.id for hit in index_store().search("改造需求").hits}


def test_repair_leaves_matching_to_the_worker_unless_asked(app, postings):
    problem, result = postings
    celery = app.extensions["celery"]
    celery.conf.task_always_eager = False  # tasks now wait for a worker that never comes
    notifications = db.session.scalar(select(func.count(Notification.id)))
    db.session.execute(delete(Match))
    db.session.commit()

    index_store().delete(problem.id)
    outcome = run_check(app, "--repair")
    assert outcome.exit_code == 0, outcome.output
    assert "匹配将由后台任务重新计算" in outcome.output
    assert db.session.scalar(select(func.count(Match.id))) == 0

    index_store().delete(problem.id)
    outcome = run_check(app, "--repair", "--match")
    assert outcome.exit_code == 0, outcome.output
    assert "已重新计算 1 条信息的匹配" in outcome.output
    pairs = db.session.execute(select(Match.demand_id, Match.supply_id)).all()
    assert pairs == [(problem.id, result.id)]
    assert db.session.scalar(select(func.count(Notification.id))) == notifications


def test_repair_with_match_withdraws_a_removed_posting_from_match_lists(app, postings):
    problem, result = postings
    app.extensions["celery"].conf.task_always_eager = False
    assert db.session.scalar(select(func.count(Match.id))) == 1
    change_behind_the_index(result, status=PostingStatus.ARCHIVED)
    outcome = run_check(app, "--repair", "--match")
    assert outcome.exit_code == 0, outcome.output
    assert "删除 1 条" in outcome.output
    assert db.session.scalar(select(func.count(Match.id))) == 0  # problem re-matched: nothing
    assert result.id not in index_store().stamps()


def test_match_without_repair_is_refused(app, postings):
    outcome = run_check(app, "--match")
    assert outcome.exit_code == 2 and "--repair" in outcome.output


def test_an_index_built_with_another_dictionary_is_rebuilt_by_repair(app, postings):
    meta_path = os.path.join(app.config["MARKET_INDEX_DIR"], META_FILE)
    with open(meta_path, encoding="utf-8") as fh:
        meta = json.load(fh)
    with open(meta_path, "w", encoding="utf-8") as fh:
        json.dump({**meta, "dictionary_hash": "an older dictionary"}, fh)

    outcome = run_check(app)
    assert outcome.exit_code == 1 and "需要重建" in outcome.output
    outcome = run_check(app, "--repair")
    assert outcome.exit_code == 0, outcome.output
    assert "已重建索引：2 条" in outcome.output
    assert not index_store().needs_rebuild()


def test_stamps_compare_the_moment_whatever_the_database_returns():
    aware = "2026-05-01T08:00:00.123456+00:00|published"
    naive = "2026-05-01T08:00:00.123456|published"  # SQLite gives the same moment naive
    assert same_stamp(aware, naive) and same_stamp(naive, aware)
    assert not same_stamp(aware, "2026-05-01T08:00:00.123457+00:00|published")
    assert not same_stamp(aware, "2026-05-01T08:00:00.123456+00:00|archived")
    assert not same_stamp("", naive) and not same_stamp("garbage|x", "garbage|y")
