"""The one error hierarchy every adapter translates its vendor exceptions into.

::

    PressdeskError
    ├── ConfigError            the config file or settings are wrong; the message says which key and how to fix it
    ├── FetchError             a page or feed could not be collected (carries the URL)
    │   ├── RobotsDisallowed   robots.txt forbids the URL for our user agent
    │   ├── ContentTooLarge    the body exceeded the size limit
    │   ├── UnsupportedContent the content type is not one we read
    │   └── ForbiddenAddress   the URL leads to an internal address or a scheme we refuse (crawlers.netguard)
    ├── ExtractionError        a fetched page held no article text we could use
    ├── EmbeddingError         the embedding runtime failed or is not installed
    ├── StoreError             the store failed
    │   └── StoreUnavailable   the store cannot be reached or opened right now (retry later)
    ├── QueryError             a search query is invalid; the message says where and how to fix it
    └── DeliveryError          a notification could not be delivered (SMTP, webhook)
"""

from __future__ import annotations


class PressdeskError(Exception):
    """Base of every error pressdesk raises on purpose."""


class ConfigError(PressdeskError):
    """The project config or the settings are invalid."""


class FetchError(PressdeskError):
    """A URL could not be fetched.

    Attributes:
        url: the URL that failed.
        reason: a short, human-readable reason (logged and counted in source health).
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class RobotsDisallowed(FetchError):
    """robots.txt forbids fetching this URL with our user agent."""


class ContentTooLarge(FetchError):
    """The response body went over the configured size limit."""


class UnsupportedContent(FetchError):
    """The response has a content type we do not read."""


class ForbiddenAddress(FetchError):
    """The URL (or a redirect, or its DNS answer) leads to an internal address or a refused scheme."""


class ExtractionError(PressdeskError):
    """A page held no usable article text."""


class EmbeddingError(PressdeskError):
    """The embedding runtime failed or is missing."""


class StoreError(PressdeskError):
    """The store failed to read or write."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened now; the caller may retry later."""


class QueryError(PressdeskError):
    """A search query is invalid.

    Attributes:
        position: character offset of the problem in the query, when known.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class DeliveryError(PressdeskError):
    """A notification could not be delivered."""
