"""Versioned label models under ``data_dir/models/``: train, list, activate, roll back.

Each version is a folder ``vNNNN/`` holding ``weights.npz`` and ``model.json`` (the
embedder it was trained with, the sha256 of its training data, how many examples, its
cross-validated eval numbers when measured, and when it was made). ``ACTIVE`` names the
version the classifier loads. Rolling back only moves ``ACTIVE``: no version is deleted,
so an analyst's corrections are never lost with a model.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from classify.head import SoftmaxHead
from classify.trained import CentroidHead, LabelModel
from core.enums import Stance, Topic
from core.errors import ConfigError

_VERSION = re.compile(r"^v\d{4,}$")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What ``pressdesk model list`` shows about one version."""

    version: str
    created: str
    embedder: str
    data_hash: str
    examples: int
    corrections: int
    eval: dict[str, float]
    active: bool


def _head_arrays(prefix: str, head: SoftmaxHead[Any]) -> dict[str, np.ndarray[Any, Any]]:
    return {
        f"{prefix}_mean": head.mean,
        f"{prefix}_scale": head.scale,
        f"{prefix}_weights": head.weights,
        f"{prefix}_bias": head.bias,
    }


class ModelRegistry:
    """The versioned models in one folder (created on first save; nothing is read at construction).

    Args:
        root: ``data_dir/models``.
    """

    def __init__(self, root: Path) -> None:
        self._root = root

    def versions(self) -> list[str]:
        """Every saved version, oldest first."""
        if not self._root.is_dir():
            return []
        return sorted(p.name for p in self._root.iterdir() if _VERSION.match(p.name) and (p / "model.json").exists())

    def active(self) -> str | None:
        """The active version, or ``None`` when none was trained (prototypes answer then)."""
        pointer = self._root / "ACTIVE"
        if not pointer.exists():
            return None
        version = pointer.read_text(encoding="utf-8").strip()
        return version if version in self.versions() else None

    def save(self, model: LabelModel, *, eval_scores: dict[str, float], corrections: int = 0) -> str:
        """Store ``model`` as the next version and make it active; return the version."""
        existing = self.versions()
        number = int(existing[-1][1:]) + 1 if existing else 1
        version = f"v{number:04d}"
        folder = self._root / version
        folder.mkdir(parents=True, exist_ok=False)
        arrays: dict[str, Any] = {
            **_head_arrays("stance", model.stance),
            "topic_centroids": model.topic.matrix,
            "topic_temperature": np.float32(model.topic.temperature),
        }
        np.savez(folder / "weights.npz", **arrays)
        meta = {
            "version": version,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "embedder": model.embedder,
            "data_hash": model.data_hash,
            "examples": model.examples,
            "corrections": corrections,
            "eval": eval_scores,
            "stance_labels": [str(s) for s in model.stance.labels],
            "topic_labels": [str(t) for t in model.topic.labels],
        }
        (folder / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        self.activate(version)
        return version

    def activate(self, version: str) -> None:
        """Make ``version`` the one the classifier loads (``pressdesk model rollback``).

        Raises:
            ConfigError: no such version; the message lists the ones there are.
        """
        if version not in self.versions():
            known = ", ".join(self.versions()) or "none yet (run `pressdesk model train`)"
            raise ConfigError(f"no model version {version!r}; versions: {known}")
        self._root.mkdir(parents=True, exist_ok=True)
        tmp = self._root / "ACTIVE.tmp"
        tmp.write_text(version + "\n", encoding="utf-8")
        os.replace(tmp, self._root / "ACTIVE")

    def info(self) -> list[ModelInfo]:
        """One ``ModelInfo`` per version, oldest first."""
        active = self.active()
        out = []
        for version in self.versions():
            meta = json.loads((self._root / version / "model.json").read_text(encoding="utf-8"))
            out.append(
                ModelInfo(
                    version,
                    meta["created"],
                    meta["embedder"],
                    meta["data_hash"],
                    meta["examples"],
                    meta.get("corrections", 0),
                    meta.get("eval", {}),
                    version == active,
                )
            )
        return out

    def load(self, version: str | None = None) -> LabelModel | None:
        """The model of ``version`` (default: the active one), or ``None`` when there is none.

        Raises:
            ConfigError: the version's files are damaged; the message says which to remove.
        """
        version = version or self.active()
        if version is None:
            return None
        folder = self._root / version
        try:
            meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            with np.load(folder / "weights.npz") as arrays:
                stance = SoftmaxHead(
                    tuple(Stance(s) for s in meta["stance_labels"]),
                    arrays["stance_mean"],
                    arrays["stance_scale"],
                    arrays["stance_weights"],
                    arrays["stance_bias"],
                )
                topic = CentroidHead(
                    tuple(Topic(t) for t in meta["topic_labels"]),
                    arrays["topic_centroids"],
                    float(arrays["topic_temperature"]),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(
                f"model {version} in {folder} cannot be read ({exc}); roll back with `pressdesk model rollback`"
            ) from exc
        return LabelModel(
            meta["embedder"], stance, topic, meta["data_hash"], meta["examples"], {"version": version, **meta}
        )
