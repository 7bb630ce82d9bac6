"""The one-writer index under several processes: no lock errors, no lost update, and a writer
killed in the middle of a commit leaves an index that opens, answers and takes writes."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal

import pytest
from whoosh import index

from search_index import IndexStore, analyze

WRITERS = 4
OWN_DOCS = 6
SHARED_IDS = (1, 2, 3)
ROUNDS = 3


def doc(doc_id: int, stamp: str, title: str = "并发写入") -> dict:
    return {
        "id": doc_id,
        "kind": "result",
        "title": f"{title}{doc_id}",
        "body": "开关柜无线测温",
        "keywords": [],
        "field": "电力装备",
        "org": "许昌学院",
        "stamp": stamp,
    }


def own_ids(writer: int) -> range:
    return range(100 * (writer + 1), 100 * (writer + 1) + OWN_DOCS)


def _write_rounds(index_dir: str, writer: int, barrier) -> None:
    """Child process: write its own documents and the shared ones, round after round."""
    store = IndexStore(index_dir)
    analyze("预热")  # load jieba before the barrier, so that the writes really overlap
    barrier.wait(60)
    for round_no in range(1, ROUNDS + 1):
        batch = [doc(i, f"r{round_no}") for i in own_ids(writer)]
        batch += [doc(i, f"w{writer}-r{round_no}") for i in SHARED_IDS]
        for item in batch[:2]:  # single upserts and a batch, as the worker does both
            store.upsert(item)
        store.apply(upserts=batch[2:])
    store.close()


def test_concurrent_writers_raise_no_lock_error_and_lose_no_update(tmp_path):
    index_dir = str(tmp_path / "index")
    IndexStore(index_dir).close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    children = [
        ctx.Process(target=_write_rounds, args=(index_dir, n, barrier)) for n in range(WRITERS)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(180)
    # A LockError or IndexLockTimeout in any child would have failed it.
    assert [child.exitcode for child in children] == [0] * WRITERS

    stamps = IndexStore(index_dir).stamps()
    for n in range(WRITERS):
        assert {i: stamps.get(i) for i in own_ids(n)} == {i: f"r{ROUNDS}" for i in own_ids(n)}
    # Whoever committed last wrote its last round: an earlier version never wins.
    for shared in SHARED_IDS:
        assert re.fullmatch(rf"w[0-{WRITERS - 1}]-r{ROUNDS}", stamps[shared])
    assert len(stamps) == WRITERS * OWN_DOCS + len(SHARED_IDS)


# A writer killed in the middle of a commit. Each point is a Whoosh step of the commit:
# after the postings are written (before the segment is assembled into one file), after the
# segment is complete (before the table of contents names it), and with the new table of
# contents written to its temporary name (before the rename that publishes it).
PAUSE_POINTS = {
    "segment files written": ("whoosh.writing", "SegmentWriter", "_assemble_segment"),
    "segment complete": ("whoosh.writing", "SegmentWriter", "_commit_toc"),
    "toc not yet renamed": ("whoosh.filedb.filestore", "FileStorage", "rename_file"),
}


def _write_then_hang(index_dir: str, point: str, paused) -> None:
    """Child process: commit one document, then hang inside the commit of a second one."""
    import importlib
    import time

    store = IndexStore(index_dir)
    store.upsert(doc(1, "v1", title="金刚石砂轮"))
    module, cls_name, method = PAUSE_POINTS[point]
    cls = getattr(importlib.import_module(module), cls_name)

    def hang(*args, **kwargs):
        paused.set()
        time.sleep(600)

    setattr(cls, method, hang)
    store.upsert(doc(2, "v1", title="金刚石砂轮"))


def _segments_on_disk(index_dir: str) -> set[str]:
    """Return the segment ids that some file in the folder belongs to (MAIN_<id>.<ext>)."""
    found = (re.fullmatch(r"(MAIN_\w+)\.\w+", name) for name in os.listdir(index_dir))
    return {m.group(1) for m in found if m and m.group(1) != "MAIN_WRITELOCK"}


@pytest.mark.parametrize("point", list(PAUSE_POINTS))
def test_writer_killed_mid_commit_leaves_a_working_index(tmp_path, point):
    index_dir = str(tmp_path / "index")
    ctx = multiprocessing.get_context("spawn")
    paused = ctx.Event()
    child = ctx.Process(target=_write_then_hang, args=(index_dir, point, paused))
    child.start()
    assert paused.wait(120), "the child never reached the commit"
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert child.exitcode == -signal.SIGKILL

    # Restart: the index opens and answers with the last committed state.
    store = IndexStore(index_dir, lock_timeout=5)
    assert store.stamps() == {1: "v1"}
    assert [hit.id for hit in store.search("砂轮").hits] == [1]
    # Both locks died with the process (flock), so the next write goes through at once.
    store.upsert(doc(3, "v1", title="金刚石砂轮"))
    assert sorted(hit.id for hit in store.search("砂轮").hits) == [1, 3]
    # That commit also deleted the dead writer's half-written segment and temporary files.
    live = {seg.segment_id() for seg in index.open_dir(index_dir)._segments()}
    assert _segments_on_disk(index_dir) == live
    assert not os.path.exists(os.path.join(index_dir, "MAIN.tmp"))
    assert not [name for name in os.listdir(index_dir) if ".toc." in name]
    store.close()
