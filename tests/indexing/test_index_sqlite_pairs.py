"""Phrases searched as word pairs (``indexing.sqlite_fts``) find what the words themselves find, scored the same.

Each phrase is run twice on one store: as FTS5 phrases of words on ``{title body}`` (how
it was searched before schema step 8) and as the pairs the query compiler now writes.
The matching rows must be the same, and bm25 must give each the same score: a pair
occurs exactly where its two words stand side by side, so the phrase's row count and
per-column frequency are the same numbers.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import SearchQuery, Sort
from core.text import fold
from indexing import SqliteStore
from indexing.query import parse
from indexing.sqlite_fts import pairs_in_sql, word_pairs
from indexing.sqlite_query import BM25, fts5_match
from tests.indexing.store_contract import article

WORDS = ["Đà Nẵng", "du lịch", "bất động sản", "đầu tư", "lũ", "lũ lũ", "giá đất", "Covid-19", "nước ngoài"]
FILLER = ["tin", "mới", "người", "dân", "thành", "phố", "ngày", "năm", "tỉnh", ",", ".", "-", "(", ")", "đã"]
PHRASES = [
    '"du lịch"',
    '"Đà Nẵng"',
    '"đà nẵng du lịch"',  # across a word boundary of the corpus' own phrases
    '"bất động sản"',
    '"động sản"',
    '"lũ lũ"',
    '"lũ lũ lũ"',  # overlapping repeats
    "covid-19",  # one word of two tokens
    '"nẵng, du"',  # punctuation between the words is not a word
    '"giá đất đầu tư"',
    "nước-ngoà*",  # a prefix on the last word
    '"thành phố" "du lịch"',
    '"không có" OR "du lịch"',
    '"du lịch" NOT "Đà Nẵng"',
]


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(8)
    items = []
    for n in range(300):
        title = " ".join(rng.choices(WORDS + FILLER, k=rng.randint(2, 8)))
        body = " ".join(rng.choices(WORDS + FILLER * 3, k=rng.randint(0, 60)))
        items.append(article(f"bai-{n}", title or "tin", body, datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=n)))
    file = tmp_path_factory.mktemp("pairs") / "items.db"
    store = SqliteStore(file)
    store.upsert(items)
    store.close()
    return file


def _unpaired(match: str) -> str:
    """Rewrite ``"a·b b·c"`` as ``"a b c"`` on the word columns."""
    out = []
    for part in match.split('"'):
        joined = part.split(" ")
        if "\ue000" in part:
            words = [joined[0].split("\ue000")[0]] + [pair.split("\ue000")[1] for pair in joined]
            out.append(" ".join(words))
        else:
            out.append(part)
    return '"'.join(out).replace("{title_pairs body_pairs}", "{title body}")


@pytest.mark.parametrize("text", PHRASES)
def test_a_phrase_as_pairs_finds_the_same_rows_with_the_same_scores(path: Path, text: str) -> None:
    tree = parse(text)
    assert tree is not None
    paired = fts5_match(tree)
    assert paired is not None and "{title_pairs body_pairs}" in paired
    words = _unpaired(paired)
    assert "\ue000" not in words and "{title_pairs" not in words
    sql = f"SELECT rowid, {BM25} FROM items_fts WHERE items_fts MATCH ? ORDER BY rowid"
    with sqlite3.connect(path) as conn:
        expected = conn.execute(sql, (words,)).fetchall()
        assert conn.execute(sql, (paired,)).fetchall() == expected
    if text not in ('"lũ lũ lũ"', '"không có" OR "du lịch"'):
        assert expected, f"{text} should match some of the corpus"


def test_the_store_finds_phrases_through_the_pairs(path: Path) -> None:
    store = SqliteStore(path)
    page = store.search(SearchQuery(text='"bất động sản"', limit=5))
    assert page.total > 0 and all("bất động sản" in hit.item.extracted.title + " " + hit.item.extracted.text
                                  for hit in page.hits)  # fmt: skip
    store.close()


def test_python_and_sql_make_the_same_pairs_of_real_and_odd_text(path: Path) -> None:
    """``word_pairs`` and ``pd_word_pairs`` must agree to the character: either may write a row the other removes."""
    texts = [
        "",
        "một",
        "Đà Nẵng, du lịch; biển - Sơn Trà (2025)",
        "covid-19 snake_case __x__ 3,14 1.000.000 ½ Ⅻ ²",
        "tiếng Việt e\u0301 có dấu tách rời",  # a combining mark is not a letter
        "北京 서울 東京 ລາວ ภาษาไทย عربي עברית",
        "emoji 🙂🙂 x🙂y \u200b zero\u200bwidth tab\tnew\nline",
        "\ue000 private \ue000use\ue000",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙 ǅungla",
    ]
    corpus = Path(__file__).resolve().parents[3] / "shared" / "data" / "corpora" / "binhvq-sample" / "sample"
    for file in sorted(corpus.glob("*.txt")):  # real news sentences and headlines
        texts += file.read_text("utf-8").splitlines()[:300]
    with sqlite3.connect(path) as conn:
        if not pairs_in_sql(conn):
            pytest.skip("indexing._rank was not built")
        for text in texts:
            folded = fold(text)
            assert conn.execute("SELECT pd_word_pairs(?)", (folded,)).fetchone()[0] == word_pairs(folded), text
            assert conn.execute("SELECT pd_word_pairs(?)", (text,)).fetchone()[0] == word_pairs(text), text
    assert len(texts) > 600, "the corpus sample in ../shared/data was not read"


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_python_and_sql_pairs_agree_on_any_text(text: str) -> None:
    with sqlite3.connect(":memory:") as conn:
        if not pairs_in_sql(conn):
            pytest.skip("indexing._rank was not built")
        assert conn.execute("SELECT pd_word_pairs(?)", (text,)).fetchone()[0] == word_pairs(text)


def test_without_the_extension_python_writes_and_refills_the_same_pairs(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written where ``pd_word_pairs`` is missing (pairs made in Python) indexes what SQL would have."""
    import indexing.sqlite  # noqa: PLC0415 - the names patched below
    import indexing.sqlite_fts  # noqa: PLC0415

    python_only = tmp_path / "items.db"
    with sqlite3.connect(path) as source:
        records = [record for (record,) in source.execute("SELECT record FROM items ORDER BY doc")]
    store = SqliteStore(path)
    items = [hit.item for hit in store.search(SearchQuery(text="", limit=1000, sort=Sort.OLDEST, facets=False)).hits]
    store.close()
    assert len(items) == len(records) == 300
    monkeypatch.setattr(indexing.sqlite, "pairs_in_sql", lambda conn: False)
    monkeypatch.setattr(indexing.sqlite_fts, "pairs_in_sql", lambda conn: False)
    written = SqliteStore(python_only)
    written.upsert(items)
    written.close()

    def rows(file: Path) -> list[list[tuple[int, float]]]:
        sql = f"SELECT rowid, {BM25} FROM items_fts WHERE items_fts MATCH ? ORDER BY rowid"
        with sqlite3.connect(file) as conn:
            return [conn.execute(sql, (fts5_match(parse(text)),)).fetchall() for text in PHRASES]  # type: ignore[arg-type]

    expected = rows(path)
    assert rows(python_only) == expected and sum(map(len, expected)) > 1000
    # The same store refilled by schema step 8 in Python (as an upgrade without the extension does).
    with sqlite3.connect(python_only, isolation_level=None) as conn:
        conn.execute("DROP TABLE items_fts")
        conn.execute(  # as steps 6 and 7 left it
            "CREATE VIRTUAL TABLE items_fts USING fts5(title, body, content='', "
            "tokenize='unicode61 remove_diacritics 0')"
        )
        conn.execute("PRAGMA user_version = 7")
    upgraded = SqliteStore(python_only)
    assert upgraded.count() == 300  # opening migrates: step 8 refills, pairs made in Python
    upgraded.close()
    assert rows(python_only) == expected
