"""IndexStore rebuilds: in several processes, cleaning up after crashed rebuilds, one at a time."""

from __future__ import annotations

import fcntl
import os

import pytest

from search_index import IndexLockTimeout, IndexStore
from search_index import store as store_module


def doc(doc_id: int, title: str = "金刚石砂轮", kind: str = "result") -> dict:
    return {
        "id": doc_id,
        "kind": kind,
        "title": f"{title}{doc_id}",
        "body": "树脂结合剂金刚石砂轮磨削硬质合金刀具。",
        "keywords": ["砂轮", "磨削"],
        "field": "超硬材料",
        "org": "河南工业大学",
        "stamp": f"s{doc_id}",
        "cooperation": ["技术转让"],
        "amount": "12.50",
    }


@pytest.fixture
def store(tmp_path):
    store = IndexStore(str(tmp_path / "index"), lock_timeout=2)
    yield store
    store.close()


@pytest.fixture
def parallel(monkeypatch):
    """Make small rebuilds use child processes (normally only large ones do)."""
    monkeypatch.setattr(store_module, "PARALLEL_FROM", 5)
    monkeypatch.setattr(store_module, "REBUILD_BATCH", 7)


def siblings(tmp_path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if ".new-" in p.name or ".old-" in p.name)


def scores(matches) -> dict[int, tuple[float, float]]:
    return {m.id: (round(m.score, 6), m.strength) for m in matches}


def test_parallel_rebuild_indexes_every_document_once(store, parallel):
    seen = []
    count = store.rebuild((doc(i) for i in range(1, 61)), seen.append, procs=2)
    assert count == 60 and seen[-1] == 60
    assert store.stamps() == {i: f"s{i}" for i in range(1, 61)}
    assert store.search("砂轮", per_page=100).total == 60
    assert [m.id for m in store.match(doc(999, kind="problem"), "result", limit=3)]


def test_parallel_rebuild_gives_the_same_matches_as_a_serial_one(tmp_path, parallel):
    docs = [doc(i, title=("金刚石砂轮", "开关柜测温", "金银花烘干")[i % 3]) for i in range(1, 40)]
    serial, split = IndexStore(str(tmp_path / "a")), IndexStore(str(tmp_path / "b"))
    serial.rebuild(docs, procs=1)
    split.rebuild(docs, procs=3)
    source = doc(999, title="开关柜测温", kind="problem")
    # Ties may come in another order (documents are numbered per segment); scores may not.
    assert scores(split.match(source, "result", limit=50)) == scores(
        serial.match(source, "result", limit=50)
    )
    serial.close()
    split.close()


def test_parallel_rebuild_refuses_duplicate_ids_and_keeps_the_old_index(store, tmp_path, parallel):
    store.upsert(doc(1))
    with pytest.raises(ValueError, match="duplicate"):
        store.rebuild([doc(i) for i in range(2, 30)] + [doc(5)], procs=2)
    assert store.stamps() == {1: "s1"}
    assert siblings(tmp_path) == []


def test_a_failing_rebuild_process_fails_the_rebuild(store, tmp_path, parallel):
    store.upsert(doc(1))
    broken = [doc(i) for i in range(2, 30)]
    del broken[20]["kind"]  # to_index_fields fails in a child process
    with pytest.raises(RuntimeError, match="rebuild process failed"):
        store.rebuild(broken, procs=2)
    assert store.stamps() == {1: "s1"}
    assert siblings(tmp_path) == []


def test_next_rebuild_removes_folders_of_a_crashed_rebuild(store, tmp_path):
    for name in ("index.new-dead0001", "index.old-dead0002"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "MAIN_x.seg").write_bytes(b"half a segment")
    (tmp_path / "unrelated.new-folder").mkdir()
    store.rebuild([doc(1)])
    assert siblings(tmp_path) == ["unrelated.new-folder"]
    assert store.stamps() == {1: "s1"}


def test_a_rebuild_waits_for_a_running_one_and_leaves_its_folder_alone(store, tmp_path):
    running = tmp_path / "index.new-running"
    running.mkdir()
    with open(store.index_dir + ".rebuild.lock", "a+") as held:  # as a running rebuild does
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(IndexLockTimeout):
            store.rebuild([doc(1)])
        assert running.exists()
    store.rebuild([doc(1)])
    assert not running.exists()


def test_writes_go_on_while_a_rebuild_holds_its_lock(store):
    with open(store.index_dir + ".rebuild.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        store.upsert(doc(7))
    assert store.stamps() == {7: "s7"}


def test_the_index_folder_holds_only_live_segments_after_a_parallel_rebuild(store, parallel):
    store.rebuild([doc(i) for i in range(1, 30)], procs=2)
    names = os.listdir(store.index_dir)
    assert not [n for n in names if n.endswith(".tmp")]
    # At most one segment per process: the children share one queue of batches, so a child
    # that starts late (importing jieba under load) may find it empty and write none.
    assert 1 <= len([n for n in names if n.endswith(".seg")]) <= 2
    assert sorted(store.stamps()) == list(range(1, 30))


def test_mapped_and_read_index_files_give_the_same_answers(store, monkeypatch):
    # Searchers read files without mapping them (memory); writers' merges read mapped
    # compound files through a view instead of a private copy. Both must read the same bytes.
    for i in range(1, 30):
        store.upsert(doc(i, title=("金刚石砂轮", "开关柜测温", "金银花烘干")[i % 3]))
    source = doc(999, title="开关柜测温", kind="problem")
    read = store.match(source, "result", limit=20)
    found = store.search("砂轮", per_page=50)
    monkeypatch.setattr(store_module, "SEARCH_MMAP", True)
    mapped = IndexStore(store.index_dir)
    try:
        assert mapped.match(source, "result", limit=20) == read
        assert mapped.search("砂轮", per_page=50) == found
    finally:
        mapped.close()


def test_a_view_file_reads_seeks_and_reads_lines_like_a_bytes_file():
    import io

    data = b"first line\nsecond\n\x00\x01binary"
    view, plain = store_module._ViewFile(memoryview(data)), io.BytesIO(data)
    for f in (view, plain):
        f.seek(6)
    assert view.read(4) == plain.read(4)
    assert view.readline() == plain.readline()
    assert view.tell() == plain.tell()
    assert view.seek(-3, 2) == plain.seek(-3, 2)
    assert view.read() == plain.read()
    assert view.read(5) == plain.read(5) == b""
