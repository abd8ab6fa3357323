"""Bounded fuzzing of everything that reads hostile input: feeds, pages, queries, config.

Inputs are seeded from real documents in ``/work/shared/data`` (feedparser's own test
feeds, VnExpress RSS, real article pages) and mutated: cut, spliced, bytes flipped, nasty
fragments inserted. A CI run is deterministic and short (the ``ci`` profile); a longer
exploratory run is ``HYPOTHESIS_PROFILE=fuzz PRESSDESK_FUZZ_SCALE=50 pytest tests/fuzz``
(fresh randomness, failures remembered in ``~/.cache/pressdesk-fuzz``, 50 times the examples; see
docs/operations.md).

Helpers reach tests as fixtures: with ``--import-mode=importlib`` a conftest is not
importable as a module.
"""

from __future__ import annotations

import gzip
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

DATA = Path(os.environ.get("PRESSDESK_SHARED_DATA", "/work/shared/data"))
FEEDS = DATA / "feeds"
PAGES = DATA / "extraction"

# Hypothesis keeps caches (and, in the fuzz profile, failures) in a home folder: not in the checkout.
HOME = Path.home() / ".cache" / "pressdesk-fuzz"
set_hypothesis_home_dir(HOME)

settings.register_profile(
    "ci",
    derandomize=True,  # the same examples every run: CI fails on code changes, not on luck
    database=None,  # no .hypothesis folder in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "fuzz",  # outside CI: fresh randomness, failures remembered; PRESSDESK_FUZZ_SCALE multiplies examples
    deadline=None,
    database=DirectoryBasedExampleDatabase(HOME / "examples"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


class Hang(BaseException):
    """Raised by the alarm when a call runs past its time budget.

    A ``BaseException``, so that a reader's "never raises" ``except Exception`` cannot swallow it.
    """


@contextmanager
def _within(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def within() -> Callable[[float], AbstractContextManager[None]]:
    """``with within(seconds):`` fails the example with ``Hang`` when the block runs too long."""
    return _within


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.fixture(scope="session")
def feed_seeds() -> list[bytes]:
    """Every feedparser fixture and VnExpress snapshot (about 2,100 real documents)."""
    if not FEEDS.is_dir():
        pytest.skip(f"shared data not found at {FEEDS}; set PRESSDESK_SHARED_DATA")
    paths = sorted(p for p in FEEDS.rglob("*") if p.is_file() and p.suffix in (".xml", ".json", ".rdf", ".rss"))
    return [_read(p) for p in paths]


@pytest.fixture(scope="session")
def page_seeds() -> list[bytes]:
    """Real article pages under 60 KB (readability's test pages, the Zyte benchmark, fundus)."""
    if not PAGES.is_dir():
        pytest.skip(f"shared data not found at {PAGES}; set PRESSDESK_SHARED_DATA")
    candidates = [
        *sorted((PAGES / "readability-testpages").rglob("source.html")),
        *sorted((PAGES / "zyte-article-benchmark" / "html").glob("*.html.gz")),
        *sorted((PAGES / "fundus-pages" / "test_data").rglob("*.html.gz")),
    ]
    seeds = [data for data in map(_read, candidates) if 2_000 < len(data) < 60_000]
    return seeds[::2]  # every other one keeps variety at half the reading time


#: Fragments that have broken parsers elsewhere: encodings that lie, entity tricks,
#: control characters, markup that never closes.
NASTY = [
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\xed\xa0\x80",  # an encoded surrogate
    b"&#0;",
    b"&#xD800;",
    b"&#1114112;",
    b"&nbsp;&amp&lt",
    b"]]>",
    b"<![CDATA[",
    b"<!--",
    b'<?xml version="1.0" encoding="utf-16"?>',
    b'<?xml version="1.0" encoding="x-no-such-codec"?>',
    b'<meta charset="windows-1258">',
    b'<meta http-equiv="Content-Type" content="text/html; charset=VNI-Windows">',
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
    b'<!ENTITY xxe SYSTEM "file:///etc/passwd">&xxe;',
    b"<div>" * 200,
    b"<table><tr><td>" * 50,
    b'<a href="javascript:alert(1)">',
    b'<link rel="alternate" href="http://[::1">',
    b"<pubDate>Mon, 99 Foo 99999 99:99:99 +9999</pubDate>",
    b"<updated>0000-00-00T00:00:00Z</updated>",
    b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": null, "url": 5}]}',
    "Đà Nẵng Quảng Nam ".encode(),
    "Ðà Nang".encode("cp1258", errors="replace"),
]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A real document with up to five edits: cut, flip, insert (nasty or random), splice, repeat."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["cut", "flip", "nasty", "random", "splice", "repeat"]))
        if edit == "cut":
            data = data[:at] if draw(st.booleans()) else data[at:]
        elif edit == "flip" and data:
            i = min(at, len(data) - 1)
            data[i] ^= draw(st.integers(1, 255))
        elif edit == "nasty":
            data[at:at] = draw(st.sampled_from(NASTY))
        elif edit == "random":
            data[at:at] = draw(st.binary(max_size=64))
        elif edit == "splice":
            other = draw(st.sampled_from(seeds))
            start = draw(st.integers(0, len(other)))
            data[at:at] = other[start : start + draw(st.integers(0, 2_000))]
        elif edit == "repeat" and data:
            end = min(len(data), at + draw(st.integers(1, 200)))
            data[at:at] = data[at:end] * draw(st.integers(2, 50))
    return bytes(data)


@pytest.fixture(scope="session")
def mutate() -> Callable[[list[bytes]], st.SearchStrategy[bytes]]:
    """``mutate(seeds)``: the strategy of mutated real documents."""
    return mutated
