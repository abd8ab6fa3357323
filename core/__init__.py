"""Core types, ports, errors, settings and config: the vocabulary every component shares.

Imports nothing of ours; every other package may import it.
"""

from core.config import ProjectConfig, Routing, load_config, parse_config
from core.enums import SourceKind, Stance, Topic, Urgency
from core.errors import (
    ConfigError,
    ContentTooLarge,
    DeliveryError,
    EmbeddingError,
    ExtractionError,
    FetchError,
    ForbiddenAddress,
    PressdeskError,
    QueryError,
    RobotsDisallowed,
    StoreError,
    StoreUnavailable,
    UnsupportedContent,
)
from core.identity import item_id, normalise_url
from core.item import ClaimMatch, Classified, Extracted, Fetched, Item, LocalityMention, Routed, Vector
from core.locality import FormerUnit, LocalityProfile, PlaceName
from core.message import Message
from core.ports import Embedder, Notifier, Store
from core.search import (
    DAY_FACET,
    FACET_FIELDS,
    SavedSearch,
    SearchHit,
    SearchMode,
    SearchPage,
    SearchQuery,
    Sort,
    UpsertResult,
)
from core.settings import Settings, load_settings
from core.source import Outlet, Source
from core.text import fold, normalise_text
from core.unit import Unit

__all__ = [
    "DAY_FACET",
    "FACET_FIELDS",
    "ClaimMatch",
    "Classified",
    "ConfigError",
    "ContentTooLarge",
    "DeliveryError",
    "Embedder",
    "EmbeddingError",
    "Extracted",
    "ExtractionError",
    "FetchError",
    "Fetched",
    "ForbiddenAddress",
    "FormerUnit",
    "Item",
    "LocalityMention",
    "LocalityProfile",
    "Message",
    "Notifier",
    "Outlet",
    "PlaceName",
    "PressdeskError",
    "ProjectConfig",
    "QueryError",
    "RobotsDisallowed",
    "Routed",
    "Routing",
    "SavedSearch",
    "SearchHit",
    "SearchMode",
    "SearchPage",
    "SearchQuery",
    "Settings",
    "Sort",
    "Source",
    "SourceKind",
    "Stance",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Topic",
    "Unit",
    "UnsupportedContent",
    "UpsertResult",
    "Urgency",
    "Vector",
    "fold",
    "item_id",
    "load_config",
    "load_settings",
    "normalise_text",
    "normalise_url",
    "parse_config",
]
