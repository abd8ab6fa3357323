"""The classify stage: relevance, one embedding per item, stance and topic.

Every item is embedded, about the locality or not, so search can use its vector; stance
is judged only for items about the locality, because stance is coverage *toward* it.
Stance and topic come from the active trained model (``classify.models``), else from the
label prototypes. A stance below the confidence band is not asserted: the item keeps no
stance and goes to the review queue with the suggestion.
"""

from __future__ import annotations

from collections.abc import Sequence

from classify.gazetteer import Gazetteer
from classify.passages import PASSAGE_CHARS, passage
from classify.review import STANCE_BAND, ReviewQueue
from classify.trained import LabelModel, TrainedJudge
from core.item import Classified, Item
from core.locality import LocalityProfile
from core.ports import Embedder

__all__ = ["PASSAGE_CHARS", "Classifier", "passage"]


def _body(item: Item) -> str:
    """The body to read: the lead (when the text does not already start with it) and the text.

    Items not extracted yet are read from the feed summary.
    """
    extracted = item.extracted
    if extracted is None:
        return item.fetched.feed_summary
    lead, text = extracted.lead.strip(), extracted.text
    if lead and not text.lstrip().startswith(lead):
        return f"{lead}\n\n{text}"
    return text


class Classifier:
    """Classifies items for one locality.

    Args:
        profile: the monitored locality.
        embedder: the embedding model; its vectors are kept on the items for search.
        model: the trained stance and topic model; ``None`` uses the label prototypes.
        review: where low-confidence stances are queued; ``None`` asserts every stance.
        band: stance confidences below this are queued rather than asserted.
    """

    def __init__(
        self,
        profile: LocalityProfile,
        embedder: Embedder,
        *,
        model: LabelModel | None = None,
        review: ReviewQueue | None = None,
        band: float = STANCE_BAND,
    ) -> None:
        self._gazetteer = Gazetteer(profile)
        self._embedder = embedder
        self._judge = TrainedJudge(embedder, model)
        self._review = review
        self._band = band

    def classify(self, items: Sequence[Item]) -> list[Item]:
        """Return copies of ``items`` carrying ``Classified`` and their passage embedding.

        All items are embedded in one batch. ``stance`` is ``None`` for items not about the
        locality, and for those queued for review; ``topic`` is always set.

        Raises:
            EmbeddingError: the embedder failed; no item is returned half-classified.
            StoreUnavailable: the review queue could not be written.
        """
        if not items:
            return []
        bodies = [_body(item) for item in items]
        vectors = self._embedder.embed_passages([passage(i.title, b) for i, b in zip(items, bodies, strict=True)])
        judgements = self._judge.judge(vectors, [i.title for i in items], bodies)
        version = f"{self._judge.version}/{self._embedder.model_name}"
        out = []
        for item, body, vector, judgement in zip(items, bodies, vectors, judgements, strict=True):
            about, mentions = self._gazetteer.is_about(item.title, body)
            stance = judgement.stance if about else None
            if about and self._review is not None and judgement.stance_confidence < self._band:
                self._review.enqueue(
                    item_id=item.id,
                    title=item.title,
                    text=body,
                    stance=judgement.stance,
                    stance_confidence=judgement.stance_confidence,
                    topic=judgement.topic,
                    model_version=version,
                )
                stance = None
            classified = Classified(
                localities=mentions,
                about=about,
                stance=stance,
                stance_confidence=judgement.stance_confidence if about else 0.0,
                topic=judgement.topic,
                topic_confidence=judgement.topic_confidence,
                model_version=version,
            )
            out.append(item.with_classified(classified, embedding=vector.copy()))
        return out
