"""``pressdesk classify``, ``pressdesk eval`` and ``pressdesk model``: batch judgements and their scores.

Each command parses its options, calls into ``classify`` through the composition root,
and maps errors to a clear message and exit code (``cli_support.fail``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from core.errors import ConfigError, PressdeskError
from pressdesk.cli_support import actor, err, fail, out, progress_bars, settings_or_exit


def _say(text: str, *, plain: bool = False) -> None:
    """Print without wrapping long lines (output is often piped), with rich markup unless ``plain``."""
    out.print(text, soft_wrap=True, markup=not plain, highlight=False)


#: Items embedded per batch: big enough to keep the engine busy, small enough for a steady progress bar.
BATCH = 32


def _read_lines(path: Path) -> list[dict[str, Any]]:
    rows = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{number} is not JSON ({exc.msg}); each line must be one object") from exc
        if not isinstance(row, dict) or "id" not in row:
            raise ConfigError(f'{path}:{number} needs at least {{"id", "title", "text"}}')
        rows.append(row)
    return rows


@click.command("classify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--locality", default=None, help="Judge every item toward this province (pre-2025 name).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
def classify_command(file: Path, locality: str | None, progress: bool | None) -> None:
    """Phân loại từng bài trong FILE.jsonl (classify): địa phương, liên quan, thái độ, chủ đề, tin sai.

    Each input line is {"id", "title", "text"[, "locality"]}; each output line is {"id", "localities",
    "locality", "about", "stance", "stance_confidence", "topic", "claims", "model_version"}.
    """
    from classify.batch import BatchClassifier
    from pressdesk.wiring import make_embedder, open_models

    try:
        settings = settings_or_exit()
        rows = _read_lines(file)
        embedder = make_embedder(settings)
        batch = BatchClassifier(embedder, open_models(settings).load(), _claim_matcher(settings, embedder))
        show = sys.stderr.isatty() if progress is None else progress
        with progress_bars(show) as update:
            for at in range(0, len(rows), BATCH):
                chunk = rows[at : at + BATCH]
                for result in batch.classify(chunk, locality):
                    click.echo(json.dumps(result, ensure_ascii=False))
                update("classify", at + len(chunk), len(rows))
    except PressdeskError as exc:
        fail(exc)


def _claim_matcher(settings: Any, embedder: Any) -> Any:
    """The other half of issue 5's claim matcher, when present in this checkout."""
    try:
        from pressdesk.wiring import open_claim_matcher
    except ImportError:
        return None
    return open_claim_matcher(settings, embedder)


def _print_matrix(labels: list[str], matrix: list[list[int]]) -> None:
    width = max(len(label) for label in labels) + 1
    lines = [" " * width + " ".join(f"{label[:6]:>6}" for label in labels) + "   (rows: gold, columns: predicted)"]
    lines += [f"{label:<{width}}" + " ".join(f"{n:>6}" for n in row) for label, row in zip(labels, matrix, strict=True)]
    _say("\n".join(lines), plain=True)


@click.command("eval")
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), default=None, help="Shared data folder.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds for trained methods.")
@click.option("--weak", "weak_per_topic", default=0, help="Also score the head with N weak corpus texts per topic.")
def eval_command(data: Path | None, as_json: bool, folds: int, weak_per_topic: int) -> None:
    """Đánh giá chất lượng trên tập phát triển (eval): relevance, stance, topic, claims vs baselines and floors.

    Trained methods are scored by k-fold cross-validation; confusion matrices are printed.
    """
    from classify.devreport import dev_report, shared_data
    from pressdesk.wiring import make_embedder, open_review

    try:
        settings = settings_or_exit()
        folder = shared_data(data)
        embedder = make_embedder(settings)
        err.print("[dim]Đang đánh giá (evaluating) — the first run embeds the dev set; later runs use the cache[/]")
        report = dev_report(
            embedder, folder, extra=open_review(settings).examples(), folds=folds, weak_per_topic=weak_per_topic
        )
        report["claims"] = _claims_report(folder, embedder)
    except PressdeskError as exc:
        fail(exc)
        return
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    _print_report(report)


def _claims_report(folder: Path, embedder: Any) -> dict[str, object] | str:
    try:
        from classify.claims_eval import evaluate_claims
    except ImportError:
        return "claim matching evaluation is not in this checkout"
    scores = evaluate_claims(folder, embedder)
    result: dict[str, object] = scores.as_dict()
    return result


def _print_report(report: dict[str, Any]) -> None:
    floors = report["floors"]
    _say(f"[bold]Tập phát triển (dev set)[/]: {report['dev_items']} items, {report['about_items']} about")
    _say("\n[bold]Liên quan đến địa phương (about the locality)[/]")
    for row in report["about"]:
        _say(f"  {row['profile']:<20} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}")
    _print_matrix(*report["about"][-1]["confusion"])
    _say(
        f"  floors: name only {floors['about_f1_name_only']:.3f}, aliases {floors['about_f1_guideline_aliases']:.3f}, "
        f"provinces {floors['about_f1_provinces']:.3f}"
    )
    _say(f"\n[bold]Thái độ và chủ đề (stance, topic)[/] on items labelled about; {report['folds']}-fold CV")
    for row in report["labels"]:
        _say(
            f"  {row['method']:<36} stance macro-F1 {row['stance_macro_f1']:.3f}  topic acc {row['topic_accuracy']:.3f}"
        )
    _say(
        f"  floors: head (CV) stance {floors['stance_macro_f1_cv']:.3f}, topic {floors['topic_accuracy_cv']:.3f}; "
        f"head (nested CV) stance {floors['stance_macro_f1_nested']:.3f}, topic {floors['topic_accuracy_nested']:.3f}; "
        f"prototypes stance {floors['stance_macro_f1']:.3f}, topic {floors['topic_accuracy']:.3f}"
    )
    head = report["labels"][0]
    _say(f"\nstance confusion, {head['method']}")
    _print_matrix(*head["stance_confusion"])
    _say(f"\ntopic confusion, {head['method']}")
    _print_matrix(*head["topic_confusion"])
    claims = report["claims"]
    _say("\n[bold]Tin sai đã kiểm chứng (claim matching)[/]")
    _say(json.dumps(claims, ensure_ascii=False, indent=2) if isinstance(claims, dict) else f"  {claims}", plain=True)


@click.group("model")
def model_group() -> None:
    """Mô hình thái độ/chủ đề theo phiên bản (models): train from labels and corrections, list, roll back."""


@model_group.command("train")
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), default=None, help="Shared data folder.")
@click.option("--no-dev", is_flag=True, help="Train on analysts' corrections only, not the dev labels.")
def model_train(data: Path | None, no_dev: bool) -> None:
    """Huấn luyện phiên bản mới (train) from the dev labels and analysts' corrections; makes it active (audited)."""
    from classify.training import train_version
    from pressdesk.wiring import make_embedder, open_audit, open_models, open_review

    try:
        settings = settings_or_exit()
        from classify.devreport import shared_data

        folder = None if no_dev else shared_data(data)
        err.print("[dim]Đang huấn luyện (training)…[/]")
        corrections = open_review(settings).examples()
        version, scores = train_version(make_embedder(settings), open_models(settings), corrections, folder)
        open_audit(settings).record(
            "model.train", actor(), {"version": version, "corrections": len(corrections), "eval": scores}
        )
    except PressdeskError as exc:
        fail(exc)
        return
    numbers = ", ".join(f"{k} {v:.3f}" for k, v in scores.items()) or "no dev set: not measured"
    _say(f"{version} (active) — {numbers}")


@model_group.command("list")
def model_list() -> None:
    """Liệt kê các phiên bản (list): data hash and eval numbers; * marks the active one."""
    from pressdesk.wiring import open_models

    try:
        infos = open_models(settings_or_exit()).info()
    except PressdeskError as exc:
        fail(exc)
        return
    if not infos:
        _say("Chưa có mô hình (no model yet): label prototypes are used; run `pressdesk model train`")
        return
    for info in infos:
        mark = "*" if info.active else " "
        numbers = ", ".join(f"{k} {v:.3f}" for k, v in info.eval.items())
        _say(
            f"{mark} {info.version}  {info.created}  {info.embedder}  data {info.data_hash[:12]}  "
            f"{info.examples} examples ({info.corrections} corrections)  {numbers}",
            plain=True,
        )


@model_group.command("rollback")
@click.argument("version")
def model_rollback(version: str) -> None:
    """Quay lại phiên bản VERSION (rollback): make it the active model again; audited."""
    from pressdesk.wiring import open_audit, open_models

    try:
        settings = settings_or_exit()
        registry = open_models(settings)
        previous = registry.active()
        registry.activate(version)
        open_audit(settings).record("model.rollback", actor(), {"from": previous, "to": version})
    except PressdeskError as exc:
        fail(exc)
        return
    _say(f"{version} is active")
