"""Failures the fuzzers found, kept as plain tests so they stay fixed whatever the fuzzers draw next.

1. ``indexing.query.parse("NOT " * 3000 + "x")`` and deep parentheses raised
   ``RecursionError`` instead of ``QueryError`` (found by test_fuzz_query.py).
2. ``core.config.load_config`` on ``x = [[[[...]]]]`` nested 2,000 deep raised
   ``RecursionError`` from ``tomllib`` instead of ``ConfigError`` (found by test_fuzz_config.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import load_config
from core.errors import ConfigError, QueryError
from indexing.query import MAX_NESTING, parse


@pytest.mark.parametrize(
    "text",
    ["NOT " * 3000 + "x", "(" * 5000 + "x" + ")" * 5000, "x AND " + "(NOT " * 2000 + "y" + ")" * 2000],
)
def test_deep_queries_are_refused_with_a_position(text: str) -> None:
    with pytest.raises(QueryError, match=f"nests more than {MAX_NESTING} levels") as caught:
        parse(text)
    assert caught.value.position is not None and 0 <= caught.value.position < len(text)


def test_nesting_up_to_the_limit_still_parses() -> None:
    depth = MAX_NESTING - 1
    assert parse("(" * depth + "Đà Nẵng" + ")" * depth) is not None


def test_deeply_nested_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "pressdesk.toml"
    path.write_bytes(b"x = " + b"[" * 2000 + b"]" * 2000)
    with pytest.raises(ConfigError, match="too deeply"):
        load_config(path)
