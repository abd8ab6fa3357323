"""The ``Item``: one published piece of content as it moves through the journey.

Fields are grouped by the stage that fills them (fetched → extracted → classified →
routed). The record is immutable: a stage returns a new ``Item`` through
``dataclasses.replace`` instead of mutating one, so a half-processed item can never be
mistaken for a finished one.

Attribution stops at the outlet or public feed: there is deliberately no author field.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
import numpy.typing as npt

from core.enums import Stance, Topic, Urgency

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Fetched:
    """What collection knows: where the item came from and when."""

    url: str
    source_id: str
    outlet: str
    fetched_at: datetime
    feed_title: str = ""
    feed_summary: str = ""
    feed_published: datetime | None = None


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction read from the page."""

    title: str
    text: str
    lead: str = ""
    published: datetime | None = None
    language: str = ""
    canonical_url: str = ""
    image_url: str = ""


@dataclass(frozen=True, slots=True)
class LocalityMention:
    """A place of the locality profile found in the item, and whether the item is about it."""

    name: str
    about: bool
    hits: int = 1


@dataclass(frozen=True, slots=True)
class ClaimMatch:
    """A match between the item and a fact-check or official correction on record.

    ``tier`` is ``"auto"`` only when the evidence is strong enough to call the item
    false (shown with ``url``); ``"suggest"`` sends it to an analyst.
    """

    claim_id: str
    score: float
    tier: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class Classified:
    """What classification decided, each label with its confidence."""

    localities: tuple[LocalityMention, ...] = ()
    about: bool = False
    stance: Stance | None = None
    stance_confidence: float = 0.0
    topic: Topic | None = None
    topic_confidence: float = 0.0
    cluster_id: str = ""
    claims: tuple[ClaimMatch, ...] = ()
    model_version: str = ""


@dataclass(frozen=True, slots=True)
class Routed:
    """Where the item was sent for an answer, and why."""

    unit_id: str
    reason: str
    urgency: Urgency = Urgency.ROUTINE
    routed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One item of coverage. ``id`` is ``core.identity.item_id`` of the fetched URL."""

    id: str
    fetched: Fetched
    extracted: Extracted | None = None
    classified: Classified | None = None
    routed: Routed | None = None
    embedding: Vector | None = field(default=None, compare=False, repr=False)

    @property
    def title(self) -> str:
        """The best title known so far (extracted, else the feed's)."""
        if self.extracted and self.extracted.title:
            return self.extracted.title
        return self.fetched.feed_title

    @property
    def text(self) -> str:
        """The article body, empty before extraction."""
        return self.extracted.text if self.extracted else ""

    @property
    def published(self) -> datetime | None:
        """Publication time from the page, else from the feed."""
        if self.extracted and self.extracted.published:
            return self.extracted.published
        return self.fetched.feed_published

    def with_extracted(self, extracted: Extracted) -> Item:
        """Return a copy carrying the extraction result."""
        return replace(self, extracted=extracted)

    def with_classified(self, classified: Classified, embedding: Vector | None = None) -> Item:
        """Return a copy carrying the classification (and the embedding it was made from)."""
        return replace(self, classified=classified, embedding=embedding if embedding is not None else self.embedding)

    def with_routed(self, routed: Routed) -> Item:
        """Return a copy carrying the routing decision."""
        return replace(self, routed=routed)
