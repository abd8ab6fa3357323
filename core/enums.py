"""Closed vocabularies shared by every stage.

Stance describes coverage toward the locality, never an attitude toward people:
criticism is ``negative`` coverage, nothing more.
"""

from __future__ import annotations

from enum import StrEnum


class Stance(StrEnum):
    """How an item's coverage treats the monitored locality."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class Topic(StrEnum):
    """The default topic set; each maps to the department that owns the subject."""

    TOURISM_CULTURE = "tourism_culture"
    INVESTMENT_BUSINESS = "investment_business"
    TRADE_INDUSTRY_PRODUCTS = "trade_industry_products"
    AGRICULTURE = "agriculture"
    ENVIRONMENT = "environment"
    LAND_URBAN = "land_urban"
    INFRASTRUCTURE_TRANSPORT = "infrastructure_transport"
    HEALTH = "health"
    EDUCATION = "education"
    DISASTERS_WEATHER = "disasters_weather"
    PUBLIC_SAFETY_CRIME = "public_safety_crime"
    GOVERNMENT_ADMINISTRATION = "government_administration"
    SOCIETY_WELFARE_LABOUR = "society_welfare_labour"
    SCIENCE_TECHNOLOGY = "science_technology"
    SPORTS = "sports"
    FOREIGN_AFFAIRS = "foreign_affairs"
    OTHER = "other"


class Urgency(StrEnum):
    """How soon a routed item needs an answer: urgent ones go out at once, the rest in digests."""

    URGENT = "urgent"
    ROUTINE = "routine"


class SourceKind(StrEnum):
    """How a source is collected."""

    FEED = "feed"
    SITEMAP = "sitemap"
    SITE = "site"
    LISTING = "listing"  # section/listing pages crawled by the Scrapy spiders for their article links
