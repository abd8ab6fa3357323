"""Every topic and stance has a display name in both languages."""

from __future__ import annotations

import pytest

from alerts import STANCE_NAMES, TOPIC_NAMES, stance_name, topic_name
from core import Stance, Topic


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_label_is_named(lang: str) -> None:
    assert set(TOPIC_NAMES[lang]) == set(Topic)
    assert set(STANCE_NAMES[lang]) == set(Stance)


def test_names_default_to_vietnamese() -> None:
    assert [stance_name(s) for s in Stance] == ["tích cực", "trung lập", "tiêu cực"]
    assert topic_name("health") == "y tế"
    assert topic_name(Topic.HEALTH, "en") == "health"
    assert stance_name(None) == "chưa xác định"
    assert topic_name("not-a-topic") == "not-a-topic"
