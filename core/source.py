"""Where coverage comes from: outlets and the sources (feeds, sitemaps, sites) we read them through."""

from __future__ import annotations

from dataclasses import dataclass

from core.enums import SourceKind


@dataclass(frozen=True, slots=True)
class Outlet:
    """A publisher or public channel: the unit of attribution (never a person)."""

    name: str
    domain: str = ""
    country: str = "VN"
    language: str = "vi"


@dataclass(frozen=True, slots=True)
class Source:
    """One thing we poll.

    Attributes:
        id: short stable identifier used in logs, health and item records.
        url: the feed, sitemap or listing page URL.
        outlet: who publishes it.
        kind: how it is collected.
        priority: priority sources are polled more often.
        interval_minutes: the starting poll interval; collection adapts it.
        listing_urls: for ``listing`` sources, more listing pages of the same site read
            with ``url`` (other sections, page 2).
        article_pattern: for ``listing`` sources, a regular expression that article URLs
            match (searched anywhere in the absolute URL).
        article_css: for ``listing`` sources, a CSS selector for the links (or the
            elements holding them) that lead to articles.
        delay_seconds: the least time between two requests to this site, when it asks
            for more than the deployment's default; ``None`` keeps the default.
    """

    id: str
    url: str
    outlet: Outlet
    kind: SourceKind = SourceKind.FEED
    priority: bool = False
    interval_minutes: int = 30
    listing_urls: tuple[str, ...] = ()
    article_pattern: str = ""
    article_css: str = ""
    delay_seconds: float | None = None
