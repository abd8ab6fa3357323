"""The classify stage: relevance, one embedding per item, stance and topic.

Every item is embedded, about the locality or not, so search can use its vector; stance
is judged only for items about the locality, because stance is coverage *toward* it.
"""

from __future__ import annotations

from collections.abc import Sequence

from classify.gazetteer import Gazetteer
from classify.prototypes import PrototypeClassifier
from core.item import Classified, Item
from core.locality import LocalityProfile
from core.ports import Embedder

#: Characters of body kept after the title: e5-small reads 512 tokens, and the title and
#: lead carry what an item is about; ~1000 characters of Vietnamese is ~250-300 tokens.
PASSAGE_CHARS = 1000

#: Recorded on every item so stored labels can be traced to the classifier that made them.
CLASSIFIER_VERSION = "prototypes-v1"


def passage(title: str, text: str, limit: int = PASSAGE_CHARS) -> str:
    """The text embedded for an item: the title, then the body cut at a word near ``limit``."""
    body = " ".join(text.split())
    if len(body) > limit:
        cut = body.rfind(" ", 0, limit)
        body = body[: cut if cut > limit // 2 else limit]
    return f"{title.strip()}\n{body}".strip()


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
    """

    def __init__(self, profile: LocalityProfile, embedder: Embedder) -> None:
        self._gazetteer = Gazetteer(profile)
        self._embedder = embedder
        self._judge = PrototypeClassifier(embedder)

    def classify(self, items: Sequence[Item]) -> list[Item]:
        """Return copies of ``items`` carrying ``Classified`` and their passage embedding.

        All items are embedded in one batch. ``stance`` is ``None`` for items not about the
        locality; ``topic`` is always set.

        Raises:
            EmbeddingError: the embedder failed; no item is returned half-classified.
        """
        if not items:
            return []
        bodies = [_body(item) for item in items]
        vectors = self._embedder.embed_passages([passage(i.title, b) for i, b in zip(items, bodies, strict=True)])
        judgements = self._judge.classify(vectors)
        version = f"{CLASSIFIER_VERSION}/{self._embedder.model_name}"
        out = []
        for item, body, vector, judgement in zip(items, bodies, vectors, judgements, strict=True):
            about, mentions = self._gazetteer.is_about(item.title, body)
            classified = Classified(
                localities=mentions,
                about=about,
                stance=judgement.stance if about else None,
                stance_confidence=judgement.stance_confidence if about else 0.0,
                topic=judgement.topic,
                topic_confidence=judgement.topic_confidence,
                model_version=version,
            )
            out.append(item.with_classified(classified, embedding=vector.copy()))
        return out
