"""Batch judgements for ``pressdesk classify``: one JSON-ready dict per input line.

Unlike the pipeline, which watches one configured locality, a batch line may be about
any province: the locality judged is the one given (per line or for the run), else the
province the item is most about (``classify.provinces``). Names are the pre-2025 ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from classify.gazetteer import Document, Gazetteer
from classify.passages import passage
from classify.provinces import find_localities, province_profile
from classify.trained import LabelModel, TrainedJudge
from core.errors import ConfigError
from core.item import ClaimMatch, Vector
from core.ports import Embedder


class ClaimMatching(Protocol):
    """What the batch needs of ``classify.claims.ClaimMatcher``."""

    def match(
        self, title: str, text: str, *, embedding: Vector | None = None, published: Any = None
    ) -> tuple[ClaimMatch, ...]: ...


class BatchClassifier:
    """Judges lines of ``{"id", "title", "text"[, "locality"]}``.

    Args:
        embedder: embeds the items once (the vector feeds stance, topic and claim matching).
        model: the trained model; ``None`` uses the label prototypes.
        claims: the claim matcher; ``None`` leaves ``claims`` empty.
    """

    def __init__(self, embedder: Embedder, model: LabelModel | None, claims: ClaimMatching | None) -> None:
        self._embedder = embedder
        self._judge = TrainedJudge(embedder, model)
        self._claims = claims
        self._gazetteers: dict[str, Gazetteer] = {}

    @property
    def model_version(self) -> str:
        """The model behind the stance and topic labels."""
        return f"{self._judge.version}/{self._embedder.model_name}"

    def _gazetteer(self, name: str) -> Gazetteer:
        if name not in self._gazetteers:
            try:
                self._gazetteers[name] = Gazetteer(province_profile(name))
            except KeyError as exc:
                raise ConfigError(
                    f"unknown locality {name!r}: use a pre-2025 province name as in classify/provinces.json "
                    "(e.g. 'Quảng Nam', 'TP Hồ Chí Minh')"
                ) from exc
        return self._gazetteers[name]

    def classify(self, rows: Sequence[Mapping[str, Any]], locality: str | None = None) -> list[dict[str, object]]:
        """One result dict per row, in order (see ``pressdesk classify --help``)."""
        titles = [str(r.get("title") or "") for r in rows]
        texts = [str(r.get("text") or "") for r in rows]
        vectors = self._embedder.embed_passages([passage(t, x) for t, x in zip(titles, texts, strict=True)])
        judgements = self._judge.judge(vectors, titles, texts)
        results = []
        for row, title, text, vector, judgement in zip(rows, titles, texts, vectors, judgements, strict=True):
            document = Document.of(title, text)  # tokenised once for every province's gazetteer
            found = find_localities(title, text, document=document)
            name = row.get("locality") or locality
            if name:
                about = self._gazetteer(str(name)).is_about_in(document)[0]
            else:
                name = found[0].name if found else None
                about = bool(found and found[0].about)
            matches = self._claims.match(title, text, embedding=vector) if self._claims else ()
            results.append(
                {
                    "id": row["id"],
                    "localities": [{"name": f.name, "about": f.about} for f in found],
                    "locality": name,
                    "about": about,
                    "stance": str(judgement.stance) if about else None,
                    "stance_confidence": round(judgement.stance_confidence, 4) if about else 0.0,
                    "topic": str(judgement.topic),
                    "claims": [{"claim_id": m.claim_id, "score": round(m.score, 4), "tier": m.tier} for m in matches],
                    "model_version": self.model_version,
                }
            )
        return results
