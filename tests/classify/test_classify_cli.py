"""``pressdesk classify`` and ``pressdesk model``: real files, the real embedder, a real trained version."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import AuditLog
from classify import ReviewQueue
from core.enums import Stance, Topic
from pressdesk.cli import main

LINES = [
    {
        "id": "a",
        "title": "Phố cổ Hội An đón lượng khách kỷ lục",
        "text": "Hội An thu hút hàng vạn du khách dịp lễ hội.",
    },
    {
        "id": "b",
        "title": "Giá vàng tăng mạnh",
        "text": "Giá vàng tại Hà Nội, Huế, Đà Nẵng, Cần Thơ cùng tăng.",
        "locality": "Đà Nẵng",
    },
    {"id": "c", "title": "Tin thế giới", "text": "Hội nghị quốc tế diễn ra tại Paris."},
]
KEYS = {"id", "localities", "locality", "about", "stance", "stance_confidence", "topic", "claims", "model_version"}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRESSDESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PRESSDESK_CONFIG", raising=False)
    return tmp_path


def test_training_without_labels_says_what_to_do(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["model", "train", "--no-dev"])
    assert result.exit_code == 2
    assert "review queue" in result.output
    listed = CliRunner().invoke(main, ["model", "list"])
    assert listed.exit_code == 0 and "model train" in listed.output
    assert CliRunner().invoke(main, ["model", "rollback", "v0001"]).exit_code == 2


def test_a_bad_input_line_names_the_line(data_dir: Path) -> None:
    source = data_dir / "in.jsonl"
    source.write_text('{"id": "a", "title": "x", "text": "y"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", str(source), "--no-progress"])
    assert result.exit_code == 2
    assert "in.jsonl:2" in result.output


@pytest.mark.slow
def test_corrections_train_a_version_that_classify_uses_and_rollback_moves(data_dir: Path) -> None:
    review = ReviewQueue(data_dir / "review.db")
    corrections = [
        ("Đà Nẵng khánh thành cầu mới", "Người dân phấn khởi.", Stance.POSITIVE, Topic.INFRASTRUCTURE_TRANSPORT),
        ("Tai nạn liên hoàn ở Hải Vân", "Hai người tử vong.", Stance.NEGATIVE, Topic.PUBLIC_SAFETY_CRIME),
        ("Lịch cắt điện tuần tới", "Điện lực thông báo lịch.", Stance.NEUTRAL, Topic.INFRASTRUCTURE_TRANSPORT),
    ]
    for n, (title, text, stance, topic) in enumerate(corrections):
        review.correct(f"i{n}", title, text, about=True, stance=stance, topic=topic, actor="account:lan")
    review.close()
    trained = CliRunner().invoke(main, ["model", "train", "--no-dev"])
    assert trained.exit_code == 0, trained.output
    assert "v0001" in trained.output

    source = data_dir / "in.jsonl"
    source.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in LINES), encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", str(source), "--no-progress"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert all(set(r) == KEYS for r in rows)
    assert all(r["model_version"].startswith("v0001/") for r in rows)
    first, second, third = rows
    assert (first["locality"], first["about"]) == ("Quảng Nam", True)
    assert first["stance"] in {"positive", "neutral", "negative"} and 0 < first["stance_confidence"] <= 1
    assert (second["locality"], second["about"], second["stance"]) == ("Đà Nẵng", False, None)  # a list of cities
    assert (third["locality"], third["localities"], third["about"]) == (None, [], False)

    listed = CliRunner().invoke(main, ["model", "list"])
    assert "* v0001" in listed.output and "3 examples" in listed.output
    assert CliRunner().invoke(main, ["model", "rollback", "v0002"]).exit_code == 2
    assert CliRunner().invoke(main, ["model", "rollback", "v0001"]).exit_code == 0
    actions = [e.action for e in AuditLog(data_dir / "audit.db").entries()]
    assert sorted(actions) == ["model.rollback", "model.train"]
