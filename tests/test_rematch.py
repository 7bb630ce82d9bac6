"""Matches are recomputed when a posting changes, when it expires (its counterparts' lists
fill up again), and in idempotent batches when the thesaurus changes."""

from datetime import timedelta

from sqlalchemy import func, select

from market import outbox, timeutil
from market.accounts.models import Role
from market.extensions import db
from market.feedback.services import mark_match
from market.matching import services as matching
from market.matching.models import Match, MatchingState
from market.matching.services import matches_for
from market.notifications.models import Notification
from market.outbox import OutboxTask
from market.postings.models import PostingStatus
from market.postings.services import update_posting
from market.synonyms.services import current_thesaurus
from market.timeutil import today
from worker import tasks

NOODLES = {
    "title": "鲜湿面条多重栅栏保鲜技术",
    "body": "通过调节水分活度、pH 与包装气调等多重栅栏，使生鲜湿面常温保质期由 2 天延长到 "
    "30 天，不添加防腐剂，适合面制品企业产线改造。",
    "keywords": "湿面, 保鲜, 栅栏技术",
    "field": "农副产品深加工",
}
NOODLE_PROBLEM = {
    "title": "鲜湿面条常温保质期太短",
    "body": "我厂生产的鲜湿面条常温下两天就发酸变质，不想加防腐剂，希望延长保质期到一个月。",
    "keywords": "湿面, 保鲜, 保质期",
    "field": "农副产品深加工",
}
SECOND_PROBLEM = {
    "title": "开关柜母排接头过热预警",
    "body": "配电室开关柜母排接头和触头经常过热，希望无线测温，过热时提前预警，避免烧毁。",
    "keywords": "开关柜, 无线测温, 过热预警",
    "field": "电力装备",
}


def pair(demand, supply):
    db.session.expire_all()
    return db.session.scalar(
        select(Match).where(Match.demand_id == demand.id, Match.supply_id == supply.id)
    )


def test_a_changed_problem_drops_matches_it_no_longer_reaches(make_posting):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    assert pair(problem, result) is not None
    update_posting(problem.author, problem.id, NOODLE_PROBLEM)
    outbox.commit()
    assert pair(problem, result) is None


def test_a_changed_result_drops_matches_the_problem_had_stored(make_posting):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)  # its computation stored the pair
    assert pair(problem, result).explanation["source"] == "demand"
    update_posting(result.author, result.id, NOODLES)
    outbox.commit()  # the result no longer finds the problem: the problem is matched again
    assert pair(problem, result) is None
    assert matches_for(problem) == []


def test_a_changed_posting_keeps_pairs_someone_marked(make_posting):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    mark_match(problem.author, problem.id, result.id, 1)
    outbox.commit()
    update_posting(problem.author, problem.id, NOODLE_PROBLEM)
    outbox.commit()
    assert pair(problem, result) is not None
    assert [row.mark for row in matches_for(problem)] == [1]


def test_an_expired_problem_leaves_every_list_and_its_counterparts_fill_up(
    app, make_posting, make_user, monkeypatch
):
    app.config["MARKET_MATCH_LIMIT"] = 1  # each computation stores only its best hit
    company = make_user(Role.ENTERPRISE, org_name="长葛市恒达电力设备厂")
    other_problem = make_posting("problem", publish=True)
    expiring = make_posting(
        "problem",
        author=company,
        publish=True,
        **{**SECOND_PROBLEM, "valid_until": today() + timedelta(days=3)},
    )
    result = make_posting("result", publish=True)  # its computation keeps one problem
    mark_match(company, expiring.id, result.id, 1)
    outbox.commit()
    assert [other.id for _m, other in matches_for(result)] == [expiring.id]
    kept_by_feedback = pair(expiring, result).id

    monkeypatch.setattr(timeutil, "today", lambda: today() + timedelta(days=5))
    tasks.archive_expired_postings.apply()
    db.session.expire_all()

    assert expiring.status == PostingStatus.ARCHIVED
    assert [other.id for _m, other in matches_for(result)] == [other_problem.id]
    assert pair(expiring, result).id == kept_by_feedback  # the mark keeps its match row
    monkeypatch.undo()
    assert matches_for(expiring) == []


def test_an_archived_postings_unmarked_matches_are_deleted(make_posting, make_user):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    problem.status = PostingStatus.ARCHIVED
    outbox.defer("worker.tasks.index_posting", problem.id)
    outbox.commit()
    assert pair(problem, result) is None
    assert db.session.scalar(select(func.count(Match.id))) == 0


def batches():
    """The id lists of the re-matching tasks deferred so far."""
    rows = db.session.scalars(
        select(OutboxTask.args).where(OutboxTask.task == "worker.tasks.rematch_postings")
    )
    return [args[0] for args in rows]


def test_a_thesaurus_change_rematches_every_visible_demand_in_batches(
    make_posting, make_user, monkeypatch
):
    monkeypatch.setattr(matching, "REMATCH_BATCH", 2)
    company = make_user(Role.ENTERPRISE, org_name="长葛市恒达电力设备厂")
    result = make_posting("result", publish=True)
    first = make_posting("problem", publish=True)
    second = make_posting("problem", author=company, publish=True, **SECOND_PROBLEM)
    third = make_posting(
        "problem", author=company, publish=True, **{**SECOND_PROBLEM, "title": "配电柜过热"}
    )
    make_posting("problem", author=company, title="未审核的开关柜测温需求")  # not visible

    assert tasks.rematch_for_thesaurus.apply().get() == 3
    assert batches() == [[first.id, second.id], [third.id]]
    state = db.session.get(MatchingState, matching.THESAURUS_STATE)
    assert state.value == current_thesaurus().version
    assert tasks.rematch_for_thesaurus.apply().get() == 0  # the same thesaurus: nothing to do
    assert len(batches()) == 2

    def snapshot():
        db.session.expire_all()
        matches = db.session.execute(select(Match.id, Match.demand_id, Match.strength)).all()
        return sorted(matches), db.session.scalar(select(func.count(Notification.id)))

    before = snapshot()
    assert {m.demand_id for m in db.session.scalars(select(Match))} == {
        first.id,
        second.id,
        third.id,
    }
    tasks.rematch_postings.apply(args=[[first.id, second.id]])  # a batch delivered twice
    tasks.rematch_postings.apply(args=[[first.id, second.id]])
    assert snapshot() == before
    assert result.id in {m.supply_id for m in db.session.scalars(select(Match))}


def test_the_beat_schedule_checks_the_thesaurus(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    entry = schedule["rematch-for-thesaurus"]
    assert entry["task"] == "worker.tasks.rematch_for_thesaurus"
    assert entry["schedule"] <= 600
