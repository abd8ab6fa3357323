"""What the routes show: items and hits as JSON, and the display labels and facet links for pages."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from alerts import stance_name, topic_name, urgency_name
from api.i18n import Translator
from api.search import SearchParams
from core.config import ProjectConfig
from core.item import Item
from core.search import FACET_FIELDS, SearchHit, SearchPage

#: Vietnam keeps UTC+7 all year, so pages show times the way the office reads them.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
_MARK = re.compile(r"(</?mark>)")
_MARK_TAGS = {"<mark>": Markup("<mark>"), "</mark>": Markup("</mark>")}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def article_url(item: Item) -> str:
    """The article's address: the canonical URL the page declared, else the URL we fetched."""
    return (item.extracted.canonical_url if item.extracted else "") or item.fetched.url


def hit_json(hit: SearchHit) -> dict[str, object]:
    """One search hit as the JSON API returns it (``snippet`` is escaped HTML with ``<mark>``)."""
    item, labels = hit.item, hit.item.classified
    return {
        "id": item.id,
        "title": item.title,
        "url": article_url(item),
        "outlet": item.fetched.outlet,
        "published": _iso(item.published),
        "language": item.extracted.language if item.extracted else "",
        "stance": labels.stance.value if labels and labels.stance else None,
        "stance_confidence": labels.stance_confidence if labels else None,
        "topic": labels.topic.value if labels and labels.topic else None,
        "unit": item.routed.unit_id if item.routed else None,
        "snippet": hit.snippet,
        "score": hit.score,
    }


def page_json(page: SearchPage, params: SearchParams) -> dict[str, object]:
    """A search result page as JSON."""
    return {
        "total": page.total,
        "page": params.page,
        "size": params.size,
        "hits": [hit_json(hit) for hit in page.hits],
        "facets": page.facets,
    }


def item_json(item: Item) -> dict[str, object]:
    """An item's detail: labels with their confidence, places, fact-check matches and routing."""
    labels = item.classified
    extracted = item.extracted
    return {
        "id": item.id,
        "title": item.title,
        "url": article_url(item),
        "fetched_url": item.fetched.url,
        "outlet": item.fetched.outlet,
        "source": item.fetched.source_id,
        "published": _iso(item.published),
        "fetched_at": _iso(item.fetched.fetched_at),
        "language": extracted.language if extracted else "",
        "lead": extracted.lead if extracted else "",
        "text": item.text,
        "labels": None
        if labels is None
        else {
            "about": labels.about,
            "stance": {"value": labels.stance.value if labels.stance else None, "confidence": labels.stance_confidence},
            "topic": {"value": labels.topic.value if labels.topic else None, "confidence": labels.topic_confidence},
            "cluster": labels.cluster_id,
            "model_version": labels.model_version,
        },
        "localities": []
        if labels is None
        else [{"name": m.name, "about": m.about, "hits": m.hits} for m in labels.localities],
        "claims": []
        if labels is None
        else [{"claim_id": c.claim_id, "score": c.score, "tier": c.tier, "evidence": c.url} for c in labels.claims],
        "routing": None
        if item.routed is None
        else {
            "unit": item.routed.unit_id,
            "reason": item.routed.reason,
            "urgency": item.routed.urgency.value,
            "routed_at": _iso(item.routed.routed_at),
        },
    }


def highlight(snippet: str) -> Markup:
    """Mark a store snippet safe, deliberately and only its ``<mark>`` tags.

    The store promises escaped HTML around the marks; we still unescape and re-escape
    every other piece, so a store that forgot to escape cannot inject markup.
    """
    parts = _MARK.split(snippet)
    return Markup("").join(_MARK_TAGS.get(p) or escape(html.unescape(p)) for p in parts)


def web_link(url: str) -> str:
    """``url`` if it is an http(s) link, else ``""``, so a crawled ``javascript:`` URL is never clickable."""
    return url if urlsplit(url).scheme in ("http", "https") else ""


class Labels:
    """Display names for labels, units, languages and dates in the page's language."""

    def __init__(self, t: Translator, config: ProjectConfig | None) -> None:
        self.t = t
        self._units = {unit.id: unit.name for unit in config.units} if config else {}

    def stance(self, value: str | None) -> str:
        """tích cực / trung lập / tiêu cực (or the English names)."""
        return stance_name(value, self.t.lang)

    def topic(self, value: str | None) -> str:
        """The topic's display name."""
        return topic_name(value, self.t.lang)

    def urgency(self, value: str) -> str:
        """khẩn / thường."""
        return urgency_name(value, self.t.lang)

    def unit(self, unit_id: str) -> str:
        """The unit's official name from the project config, else its id."""
        return self._units.get(unit_id, unit_id)

    def language(self, code: str) -> str:
        """The content language's name."""
        return self.t.language_name(code)

    def facet(self, field: str, value: str) -> str:
        """The display name of a facet value."""
        by_field = {"stance": self.stance, "topic": self.topic, "unit": self.unit, "language": self.language}
        show = by_field.get(field)
        return show(value) if show else value

    def date(self, moment: datetime | None) -> str:
        """dd/mm/yyyy hh:mm in Vietnam time, ``""`` when unknown."""
        if moment is None:
            return ""
        local = moment.astimezone(VIETNAM_TIME) if moment.tzinfo else moment
        return local.strftime("%d/%m/%Y %H:%M")

    def percent(self, confidence: float) -> str:
        """A confidence as a whole percentage, e.g. "độ tin cậy 87%"."""
        return self.t("confidence", value=round(confidence * 100))


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One facet link: the value, its count, and the link that toggles it."""

    value: str
    label: str
    count: int
    url: str
    active: bool


@dataclass(frozen=True, slots=True)
class FacetGroup:
    """The values of one facet field, largest count first."""

    field: str
    title: str
    values: tuple[FacetValue, ...]


def facet_groups(page: SearchPage, params: SearchParams, labels: Labels) -> list[FacetGroup]:
    """Facet links for the search page, in ``FACET_FIELDS`` order, empty fields left out."""
    active = params.filters()
    groups = []
    for field in FACET_FIELDS:
        counts = page.facets.get(field, {})
        values = tuple(
            FacetValue(
                value=value,
                label=labels.facet(field, value),
                count=count,
                url=params.url(toggle=(field, value)),
                active=value in active.get(field, ()),
            )
            for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        if values:
            groups.append(FacetGroup(field, labels.t(f"facet_{field}"), values))
    return groups


@dataclass(frozen=True, slots=True)
class Paging:
    """Where this page sits among all pages of results."""

    page: int
    pages: int
    previous_url: str
    next_url: str


def paging(page: SearchPage, params: SearchParams, max_page: int) -> Paging:
    """Previous and next links (``""`` when there is none)."""
    pages = min(max(1, -(-page.total // params.size)), max_page)
    return Paging(
        page=params.page,
        pages=pages,
        previous_url=params.url(page=params.page - 1) if params.page > 1 else "",
        next_url=params.url(page=params.page + 1) if params.page < pages else "",
    )
