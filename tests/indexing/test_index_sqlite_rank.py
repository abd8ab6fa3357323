"""``pd_rank``: FTS5's bm25 given the phrases' document counts, which the store keeps between writes.

The promise is the same scores as ``bm25()`` to the last bit, hence the same order and
pages; the tests compare a store ranking with ``pd_rank`` against one on the same file
ranking with ``bm25()``, before and after writes that change the counts.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

import indexing
import indexing.sqlite_exact
from core import Item, SearchQuery, Sort, Stance
from core.settings import Settings
from indexing import SqliteStore
from indexing.query import parse
from indexing.sqlite_query import compile_search
from indexing.sqlite_rank import PhraseCounts, available, phrases, status
from indexing.sqlite_split import generation, kept_lengths
from pressdesk.wiring import open_store
from tests.indexing.store_contract import article

ANY = "{title body}"

if not available():
    # CI installs gcc and libsqlite3-dev (.ci/run), so there the module must be built.
    if os.environ.get("CI"):
        pytest.fail("indexing._rank was not built or cannot reach this Python's SQLite; see the log above")
    pytest.skip("indexing._rank was not built (needs gcc and libsqlite3-dev at install)", allow_module_level=True)

# Words with very different document frequencies: "lũ" is in most items, so its inverse
# document frequency is floored (bm25's 1e-6), "sạt lở" in a few.
WORDS = {
    "lũ": 60, "Đà Nẵng": 30, "du lịch": 20, "biển": 20, "đầu tư": 10, "giá đất": 8, "quy hoạch": 8,
    "y tế": 6, "lừa đảo": 4, "pháo hoa": 4, "sạt lở": 2, "cầu Rồng": 2,
}  # fmt: skip
FILLER = ["tin", "mới", "người", "dân", "thành", "phố", "ngày", "năm", "tỉnh", "huyện", "xã", "đường"]
QUERIES = [
    "lũ",
    "lũ biển",
    '"du lịch" biển',
    '"đầu tư" OR "giá đất"',
    "lũ NOT biển",
    "quy* NEAR/3 hoạch",
    "(lũ OR biển) stance:negative",
    '"lừa đảo" -cầu',
    "Đà Nẵng pháo hoa",
    '"sạt lở" OR lũ OR "y tế"',
    '"y tế" OR NOT lũ',
    "lũ OR stance:negative",
    "xyzzy",  # no match
    "xyzzy OR stance:negative",
]


def _items(count: int, seed: int, start: datetime) -> list[Item]:
    rng = random.Random(seed)
    words, weights = list(WORDS), list(WORDS.values())
    made = []
    for n in range(count):
        title = " ".join(rng.choices(words, weights, k=rng.randint(1, 3)) + rng.choices(FILLER, k=2))
        body = " ".join(rng.choices(words, weights, k=rng.randint(0, 12)) + rng.choices(FILLER, k=rng.randint(3, 40)))
        stance = rng.choice(list(Stance))
        made.append(article(f"bai-{seed}-{n}", title, body, start + timedelta(hours=n), stance=stance))
    return made


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[SqliteStore, SqliteStore]]:
    """The same file opened twice: ranking with ``pd_rank`` and, as the reference, with ``bm25()``."""
    path = tmp_path / "items.db"
    fast = SqliteStore(path)
    fast.upsert(_items(400, seed=1, start=datetime(2025, 1, 1, tzinfo=UTC)))
    reference = SqliteStore(path, keep_phrase_counts=False)
    yield fast, reference
    fast.close()
    reference.close()


def _pages(store: SqliteStore) -> list[object]:
    pages: list[object] = []
    for text in QUERIES:
        for sort in (Sort.RELEVANCE, Sort.NEWEST):
            page = store.search(SearchQuery(text=text, sort=sort, limit=30, offset=5))
            pages.append([(hit.item.id, hit.score) for hit in page.hits])
        pages.append(store.ranked_ids(SearchQuery(text=text, limit=50)))
    return pages


def test_scores_pages_and_orders_are_bm25s_exactly(stores: tuple[SqliteStore, SqliteStore]) -> None:
    fast, reference = stores
    expected = _pages(reference)
    assert _pages(fast) == expected
    assert fast._ranking.kept > 10 and reference._ranking.kept == 0  # one ranked with pd_rank, one with bm25()
    assert sum(score != 0.0 for page in expected[:1] for _, score in page) > 20  # type: ignore[attr-defined]


def test_the_counts_follow_new_replaced_and_retitled_items(stores: tuple[SqliteStore, SqliteStore]) -> None:
    fast, reference = stores
    before = _pages(fast)  # every phrase counted and kept
    fast.upsert(_items(150, seed=2, start=datetime(2025, 6, 1, tzinfo=UTC)))
    assert _pages(fast) == _pages(reference) != before
    # Replacing items' text while their facet values stay changes only the full-text rows.
    old = fast.search(SearchQuery(text="lũ", sort=Sort.OLDEST, limit=40, facets=False)).hits
    fast.upsert([replace(hit.item, extracted=replace(hit.item.extracted, title="sạt lở cầu Rồng")) for hit in old])
    assert _pages(fast) == _pages(reference)


def test_counts_are_kept_brought_up_to_date_after_additions_and_recounted_after_a_replacement(tmp_path: Path) -> None:
    path = tmp_path / "items.db"
    store = SqliteStore(path)
    store.upsert(_items(50, seed=3, start=datetime(2025, 1, 1, tzinfo=UTC)))
    counts = PhraseCounts(enabled=True)
    lu = f'{ANY} : "lu"'
    statements: list[str] = []

    def counted(conn: sqlite3.Connection) -> int:
        statements.clear()
        conn.set_trace_callback(statements.append)
        [rows] = counts.counts(conn, [lu])
        conn.set_trace_callback(None)
        assert rows == conn.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", (lu,)).fetchone()[0]
        return rows

    def whole_counts() -> int:
        return sum("MATCH" in sql and "rowid >" not in sql for sql in statements)

    def new_row_counts() -> int:
        return sum("MATCH" in sql and "rowid >" in sql for sql in statements)

    with sqlite3.connect(path) as conn:
        held = counted(conn)
        assert (whole_counts(), new_row_counts()) == (1, 0)
        assert counted(conn) == held and (whole_counts(), new_row_counts()) == (0, 0)  # kept
    store.upsert([article("moi", "lũ lũ", "lũ", datetime(2025, 3, 1, tzinfo=UTC))])
    with sqlite3.connect(path) as conn:
        assert counted(conn) == held + 1 and (whole_counts(), new_row_counts()) == (0, 1)  # the new row alone
    old = store.search(SearchQuery(text="lũ", sort=Sort.OLDEST, limit=1, facets=False)).hits[0].item
    store.upsert([replace(old, extracted=replace(old.extracted, title="bão", text="bão"))])
    with sqlite3.connect(path) as conn:
        assert counted(conn) == held and (whole_counts(), new_row_counts()) == (1, 0)  # counted again
    store.close()


def _docsize_lengths(path: Path) -> dict[int, int]:
    """Each row's length as FTS5 reads it (the docsize record's varints, decoded here in Python)."""

    def total(record: bytes) -> int:
        value, count = 0, 0
        for byte in record:  # lengths are short varints: 7 bits a byte, the high bit means "more"
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                count, value = count + value, 0
        return count

    with sqlite3.connect(path) as conn:
        return {doc: total(sz) for doc, sz in conn.execute("SELECT id, sz FROM items_fts_docsize")}


def test_row_lengths_are_read_once_then_follow_new_and_replaced_items(stores: tuple[SqliteStore, SqliteStore]) -> None:
    fast, reference = stores
    fast.search(SearchQuery(text="lũ"))
    lengths = fast._ranking._lengths
    assert lengths is not None and lengths.refreshes == 1

    def kept() -> dict[int, int]:
        array = lengths._lengths
        return {int(doc): int(array[doc]) for doc in np.flatnonzero(array >= 0)}

    assert kept() == _docsize_lengths(fast._path) and len(kept()) == 400
    fast.upsert(_items(150, seed=6, start=datetime(2025, 6, 1, tzinfo=UTC)))
    old = fast.search(SearchQuery(text="lũ", sort=Sort.OLDEST, limit=40, facets=False)).hits
    fast.upsert([replace(hit.item, extracted=replace(hit.item.extracted, text="sạt lở")) for hit in old])
    assert _pages(fast) == _pages(reference)
    assert lengths.refreshes == 1  # the writes were applied from facet_log, not read again whole
    assert kept() == _docsize_lengths(fast._path) and len(kept()) == 550


def test_pd_rank_ranks_with_the_kept_lengths(stores: tuple[SqliteStore, SqliteStore]) -> None:
    fast, reference = stores
    expected = _pages(reference)
    assert _pages(fast) == expected  # the lengths are read
    lengths = fast._ranking._lengths
    assert lengths is not None
    lengths._lengths[lengths._lengths >= 0] = 1  # every row one word long: other scores if they are read
    assert _pages(fast) != expected
    fast._ranking.forget_lengths()  # read again on the next search
    assert _pages(fast) == expected


def test_with_every_lengths_slot_taken_the_store_ranks_the_same_and_says_so(
    stores: tuple[SqliteStore, SqliteStore], caplog: pytest.LogCaptureFixture
) -> None:
    from indexing import _rank  # noqa: PLC0415 - present: the module is skipped without it

    fast, reference = stores
    filled: list[int] = []
    try:
        for key in range(10**9, 10**9 + 1000):
            _rank.lengths(key, np.zeros(1, dtype=np.int32))
            filled.append(key)
    except RuntimeError:
        pass
    try:
        assert 0 < len(filled) < 1000  # the slots ran out
        assert _pages(fast) == _pages(reference)
        assert "row lengths not kept for this store" in caplog.text
    finally:
        for key in filled:
            _rank.lengths(key, None)


def test_a_version_6_store_gains_the_text_change_trigger(tmp_path: Path) -> None:
    path = tmp_path / "items.db"
    SqliteStore(path).upsert([article("a", "lũ", "lũ", datetime(2025, 1, 1, tzinfo=UTC))])
    with sqlite3.connect(path, isolation_level=None) as conn:  # as version 6 left it
        conn.execute("DROP TRIGGER items_text_changed")
        conn.execute("PRAGMA user_version = 6")
    store = SqliteStore(path)
    store.upsert([article("a", "bão", "bão", datetime(2025, 1, 1, tzinfo=UTC))])
    store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM facet_log").fetchone()[0] == 2  # added, then retitled


def test_phrases_are_listed_in_fts5s_order_prefixes_and_near_groups_included() -> None:
    expression = f'(({ANY} : "lu" AND {ANY} : NEAR("thien" * "tai", 2)) NOT {ANY} : "bao lut")'
    assert phrases(expression) == [f'{ANY} : "lu"', f'{ANY} : "thien" *', f'{ANY} : "tai"', f'{ANY} : "bao lut"']


def test_disabled_or_unscored_searches_keep_bm25(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    store.upsert([article("a", "lũ", "lũ", datetime(2025, 1, 1, tzinfo=UTC))])
    store.close()
    with sqlite3.connect(tmp_path / "items.db") as conn:
        sql = compile_search(SearchQuery(text="lũ"), parse("lũ"))
        assert PhraseCounts(enabled=False).ranked(conn, sql) is sql
        ranking = PhraseCounts(enabled=True)
        fast = ranking.ranked(conn, sql)
        assert ranking.lengths_key > 0
        assert "bm25" not in fast.collect
        assert f"-pd_rank(items_fts, {ranking.lengths_key}, 2.0, 1.0, 2.0, 1.0, 1)" in fast.collect
        unscored = compile_search(SearchQuery(text="stance:negative"), parse("stance:negative"))
        assert PhraseCounts(enabled=True).ranked(conn, unscored) is unscored


def test_pd_rank_given_too_few_counts_says_what_it_needs(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "t.db") as conn:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, b)")
        conn.execute("INSERT INTO t (a, b) VALUES ('x y', 'z')")
        with pytest.raises(sqlite3.OperationalError, match="one weight per column, then one document count"):
            conn.execute("SELECT pd_rank(t, 1.0, 1.0) FROM t WHERE t MATCH 'x AND y'").fetchall()


def test_without_the_module_the_store_falls_back_to_bm25(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "indexing._rank", None)  # import fails as if never built
    monkeypatch.delattr(indexing, "_rank", raising=False)
    fallback = status.__wrapped__()
    assert not fallback.kept_counts and "install gcc and libsqlite3-dev" in fallback.reason


def test_a_scan_split_with_the_helper_process_gives_the_same_pages(stores: tuple[SqliteStore, SqliteStore]) -> None:
    fast, reference = stores
    path = fast._path  # the same file, opened a third time with every scan split
    split = SqliteStore(path, split_above=1)
    split.search(SearchQuery(text="lũ"))  # starts the helper process
    assert split._halves.ready(timeout=120), "the helper process did not start"
    expected = _pages(reference)
    assert _pages(split) == expected
    assert split._halves.answered >= len(QUERIES)  # the helper scanned the upper halves
    split.upsert(_items(60, seed=4, start=datetime(2025, 9, 1, tzinfo=UTC)))
    assert _pages(split) == _pages(reference)
    # The helper ranked its halves with row lengths of its own, kept up to the 460 items.
    assert split._halves.join(split._halves.call(kept_lengths)) == 460
    split.close()
    assert SqliteStore(path, split_above=None)._halves.ready() is False


def test_the_helper_refuses_another_generation_and_the_store_scans_that_half_itself(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db", split_above=1)
    store.upsert(_items(30, seed=5, start=datetime(2025, 1, 1, tzinfo=UTC)))
    store.search(SearchQuery(text="lũ"))
    assert store._halves.ready(timeout=120)
    with sqlite3.connect(tmp_path / "items.db") as conn:
        now = generation(conn)
    count = "SELECT count(*) FROM items"
    assert store._halves.join(store._halves.submit(count, (), now)) == [(30,)]
    assert store._halves.join(store._halves.submit(count, (), now + 1)) is None  # not the search's snapshot
    store.close()  # the helper is gone: nothing to submit to, the store scans alone
    assert store._halves.submit(count, (), now) is None
    reference = SqliteStore(tmp_path / "items.db", keep_phrase_counts=False)
    again = SqliteStore(tmp_path / "items.db", split_above=1)
    assert _pages(again) == _pages(reference)
    again.close()
    reference.close()


def test_the_web_server_splits_broad_scans_and_one_off_commands_do_not(tmp_path: Path) -> None:
    settings = Settings.model_validate({"data_dir": tmp_path})
    command, server = open_store(settings), open_store(settings, serving=True)
    assert isinstance(command, SqliteStore) and isinstance(server, SqliteStore)
    assert not command._halves.enabled and server._halves.enabled
    assert not server._halves.wanted(1, 100)  # a small store never starts the helper
    assert not server._halves.ready()


HELPER_OWNER = """
import os, sys, time
from datetime import UTC, datetime
from pathlib import Path
sys.path.insert(0, {repo!r})
from core import SearchQuery
from indexing import SqliteStore
from tests.indexing.store_contract import article

if __name__ == "__main__":
    store = SqliteStore(Path({path!r}), split_above=1)
    store.upsert([article(f"a{{n}}", "lũ", "lũ bão", datetime(2025, 1, 1 + n, tzinfo=UTC)) for n in range(5)])
    store.search(SearchQuery(text="lũ"))
    assert store._halves.ready(timeout=120)
    store.search(SearchQuery(text="lũ"))
    print("answered", store._halves.answered, flush=True)
    time.sleep(600)
"""


def test_the_helper_process_ends_when_the_store_process_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    repo = str(Path(__file__).resolve().parents[2])
    script.write_text(HELPER_OWNER.format(repo=repo, path=str(tmp_path / "items.db")), encoding="utf-8")
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True) as owner:
        try:
            assert owner.stdout is not None
            assert owner.stdout.readline().strip() == "answered 1"
            children = _children(owner.pid)
            assert children, "the store started no helper process"
            os.kill(owner.pid, signal.SIGKILL)
            owner.wait(timeout=10)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and any(_alive(pid) for pid in children):
                time.sleep(0.2)
            assert not [pid for pid in children if _alive(pid)], "an orphaned helper is still running"
        finally:
            owner.kill()


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{parent}\n" in status:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_exact_form_candidates_checked_half_in_the_helper_give_the_same_pages(
    stores: tuple[SqliteStore, SqliteStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, reference = stores
    monkeypatch.setattr(indexing.sqlite_exact, "SPLIT_FROM", 1)  # split whatever the count
    split = SqliteStore(fast._path, split_above=1)
    split.search(SearchQuery(text="lũ"))
    assert split._halves.ready(timeout=120)
    texts = ["lũ", "Đà Nẵng", '"du lịch" biển', "Lũ", "quy* NEAR/3 hoạch", '"y tế" OR NOT lũ', "xyzzy"]
    for text in texts:
        query = SearchQuery(text=text, exact=True, limit=500)
        before = split._halves.answered
        page, expected = split.search(query), reference.search(query)
        assert page.total == expected.total, text
        assert [(hit.item.id, hit.score) for hit in page.hits] == [(hit.item.id, hit.score) for hit in expected.hits]
        assert split._halves.answered > before or text == "xyzzy", text  # the helper checked a half
    split.close()
