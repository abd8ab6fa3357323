"""The scoring helpers and the labels reader."""

import json
from pathlib import Path

import pytest

from classify.evaluate import accuracy, binary_scores, load_labelled, macro_f1, predict_about
from core.enums import Stance, Topic


def test_binary_scores() -> None:
    scores = binary_scores([True, True, False, False], [True, False, True, False])
    assert (scores.precision, scores.recall, scores.f1) == (0.5, 0.5, 0.5)
    assert binary_scores([True], [False]).f1 == 0.0


def test_macro_f1_averages_the_labels_in_gold() -> None:
    gold = ["positive", "positive", "negative", "neutral"]
    predicted = ["positive", "negative", "negative", "positive"]
    # positive: P 1/2 R 1/2 F 0.5; negative: P 1/2 R 1 F 2/3; neutral: F 0
    assert macro_f1(gold, predicted) == pytest.approx((0.5 + 2 / 3 + 0) / 3)


def test_accuracy() -> None:
    assert accuracy(["a", "b", "c", "d"], ["a", "b", "x", "d"]) == 0.75
    assert accuracy([], []) == 0.0


def test_load_labelled_takes_the_first_line_as_the_title(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "title": "", "text": "Đà Nẵng đón khách\nDu khách đông.", "locality": "Đà Nẵng",
         "about": True, "stance": "positive", "topic": "tourism_culture"},
        {"id": "b", "title": "Tin", "text": "Mưa ở Huế.", "locality": "Thừa Thiên Huế",
         "about": False, "stance": None, "topic": None},
    ]  # fmt: skip
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    first, second = load_labelled(path)
    assert (first.title, first.text, first.stance, first.topic) == (
        "Đà Nẵng đón khách", "Du khách đông.", Stance.POSITIVE, Topic.TOURISM_CULTURE
    )  # fmt: skip
    assert (second.title, second.text, second.stance, second.topic) == ("Tin", "Mưa ở Huế.", None, None)
    assert predict_about([first, second]) == [True, False]
    assert predict_about([second], {"Thừa Thiên Huế": ("Huế",)}) == [True]
