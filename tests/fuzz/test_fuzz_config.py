"""The config loader and the settings on hostile input: they load or raise ``ConfigError``, nothing else.

The project config is seeded from the bundled Đà Nẵng profile, mutated line by line
(lines dropped, duplicated, values replaced by values of other types, bytes inserted),
so the validator sees near-miss configs an operator could really write.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.config import load_config
from core.errors import ConfigError
from core.settings import load_settings
from pressdesk.wiring import default_config_path

#: Examples per test are multiplied by this for long runs outside CI.
SCALE = int(os.environ.get("PRESSDESK_FUZZ_SCALE", "1"))
PROFILE = default_config_path().read_text(encoding="utf-8").splitlines()
VALUES = [
    '""', "0", "-1", "1e309", "nan", "inf", "true", "[]", "{}", '["a", 1]', '"Đà Nẵng"', '"\\u0000"',
    "1979-05-27T07:32:00Z", '"' + "x" * 5000 + '"', "[[[[[[[[[[]]]]]]]]]]", '{ a = { b = { c = 1 } } }',
    '"http://127.0.0.1/"', '"javascript:alert(1)"', '"mailto:"', '"not an email"', '"PRESSDESK_X"', '"lower_case"',
]  # fmt: skip


@st.composite
def mutated_profile(draw: st.DrawFn) -> bytes:
    lines = list(PROFILE)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        edit = draw(st.sampled_from(["drop", "duplicate", "value", "key", "bytes", "table"]))
        if not lines:
            break
        line = lines[at]
        if edit == "drop":
            del lines[at]
        elif edit == "duplicate":
            lines.insert(at, line)
        elif edit == "value" and "=" in line:
            lines[at] = line.split("=", 1)[0] + "= " + draw(st.sampled_from(VALUES))
        elif edit == "key" and "=" in line:
            lines[at] = draw(st.sampled_from(["author", "units", "locality", "id", "x-y", '"quoted key"'])) + " = 1"
        elif edit == "table":
            lines.insert(at, draw(st.sampled_from(["[locality]", "[[units]]", "[[sources]]", "[routing]", "[x.y]"])))
        elif edit == "bytes":
            lines[at] = line + draw(st.text(max_size=20))
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


def _load(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(exc)


@settings(max_examples=200 * SCALE, deadline=2000)
@given(data=mutated_profile())
@example(data=b"")
@example(data=b"\xff\xfe")
@example(data=b"a = [" * 2000)
@example(data=b"x = " + b"[" * 2000 + b"]" * 2000)
@example(data=b"[locality]\nname = 1\n[[units]]\nid = 2")
def test_config_loads_or_says_what_is_wrong(
    data: bytes, tmp_path_factory: pytest.TempPathFactory, within: Callable[[float], AbstractContextManager[None]]
) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzzed-pressdesk.toml"
    with within(10):
        _load(path, data)


@settings(max_examples=100 * SCALE, deadline=2000)
@given(data=st.binary(max_size=1024))
def test_arbitrary_bytes_as_config(
    data: bytes, tmp_path_factory: pytest.TempPathFactory, within: Callable[[float], AbstractContextManager[None]]
) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzzed-pressdesk.toml"
    with within(10):
        _load(path, data)


ENV_NAMES = [
    "PRESSDESK_ENV", "PRESSDESK_DATA_DIR", "PRESSDESK_CONFIG", "PRESSDESK_SECRET_KEY", "PRESSDESK_CRAWL_DELAY_SECONDS",
    "PRESSDESK_MAX_PAGE_BYTES", "PRESSDESK_STORE", "PRESSDESK_ES_URL", "PRESSDESK_SMTP_PORT", "PRESSDESK_SMTP_USER",
    "PRESSDESK_SMTP_PASSWORD", "PRESSDESK_FETCH_ALLOW_HOSTS", "PRESSDESK_HTTP_PORT", "PRESSDESK_ES_USERNAME",
]  # fmt: skip
env_values = st.one_of(
    st.sampled_from(["", "production", "development", "elasticsearch", "-1", "1e999", "[1,", "change-me", "x" * 3]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40),
)


@settings(max_examples=200 * SCALE, deadline=2000)
@given(env=st.dictionaries(st.sampled_from(ENV_NAMES), env_values, max_size=6))
def test_settings_load_or_say_what_is_wrong(env: dict[str, str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        for name in ENV_NAMES:
            patch.delenv(name, raising=False)
        for name, value in env.items():
            patch.setenv(name, value)
        try:
            load_settings()
        except ConfigError as exc:
            assert "invalid settings" in str(exc)
