"""The replay press sites: real article texts wrapped in our own HTML pages and RSS feeds.

The texts (``articles.jsonl.gz``, built by ``scripts/build_replay.py``) are real news from
the VNTC and baomoi corpora; the page markup, the feeds and the publication dates are
ours. Dates are spread over the seven days before ``now`` so a demo always looks like
last week's coverage. Each outlet publishes a "latest news" feed whose links carry
tracking parameters and section feeds with clean links, so the same article reaches the
pipeline twice, as it does in the wild. One draft page sits under a path robots.txt
forbids, to show that the crawler obeys it.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from importlib import resources

from core.enums import SourceKind
from core.source import Outlet, Source
from core.text import fold

OUTLET_NAMES = {
    "vnexpress": "VnExpress",
    "thanhnien": "Thanh Niên",
    "nld": "Người Lao Động",
    "tuoitre": "Tuổi Trẻ",
    "baomoi": "Báo Mới",
}
SECTION_NAMES = {
    "thoi-su": "Thời sự",
    "doi-song": "Đời sống",
    "khoa-hoc": "Khoa học",
    "kinh-doanh": "Kinh doanh",
    "phap-luat": "Pháp luật",
    "suc-khoe": "Sức khỏe",
    "the-gioi": "Thế giới",
    "the-thao": "Thể thao",
    "van-hoa": "Văn hóa",
    "so-hoa": "Số hóa",
    "du-lich": "Du lịch",
    "bat-dong-san": "Bất động sản",
    "moi-truong": "Môi trường",
    "giao-duc": "Giáo dục",
    "dau-tu": "Đầu tư",
}
DRAFT_PREFIX = "ban-nhap"
LATEST = "tin-moi-nhat"


@dataclass(frozen=True, slots=True)
class ReplayArticle:
    """One real article as the replay publishes it."""

    n: int
    outlet: str
    section: str
    title: str
    paragraphs: tuple[str, ...]
    origin: str
    published: datetime

    @property
    def slug(self) -> str:
        words = re.sub(r"[^a-z0-9]+", "-", fold(self.title)).strip("-")
        return f"{words[:60].rstrip('-')}-{self.n}"

    @property
    def path(self) -> str:
        return f"/{self.outlet}/{self.section}/{self.slug}.html"


def load_articles(now: datetime) -> list[ReplayArticle]:
    """Read the bundled corpus and date each article within the week before ``now``."""
    raw = resources.files("pressdesk.replay").joinpath("articles.jsonl.gz").read_bytes()
    articles = []
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        rec = json.loads(line)
        n = int(rec["n"])
        published = now - timedelta(days=n % 7, hours=(n * 5) % 24, minutes=(n * 17) % 60)
        articles.append(
            ReplayArticle(
                n=n,
                outlet=rec["outlet"],
                section=rec["section"],
                title=rec["title"],
                paragraphs=tuple(rec["paragraphs"]),
                origin=rec["origin"],
                published=published,
            )
        )
    return articles


class ReplaySite:
    """Renders robots.txt, feeds and article pages for every replayed outlet."""

    def __init__(self, articles: list[ReplayArticle], base_url: str = "") -> None:
        self.articles = articles
        self.base_url = base_url.rstrip("/")
        self._by_path = {a.path: a for a in articles}
        self.outlets = sorted({a.outlet for a in articles})

    def sources(self) -> tuple[Source, ...]:
        """One feed source per outlet section plus each outlet's latest-news feed."""
        out: list[Source] = []
        for code in self.outlets:
            outlet = Outlet(name=OUTLET_NAMES.get(code, code), domain=code, country="VN", language="vi")
            sections = sorted({a.section for a in self.articles if a.outlet == code})
            for section in [LATEST, *sections]:
                out.append(
                    Source(
                        id=f"{code}.{section}",
                        url=f"{self.base_url}/{code}/rss/{section}.rss",
                        outlet=outlet,
                        kind=SourceKind.FEED,
                        priority=section == LATEST,
                    )
                )
        return tuple(out)

    def robots(self) -> str:
        # Plain path prefixes only: urllib.robotparser (and many crawlers) ignore wildcards.
        rules = "".join(f"Disallow: /{code}/{DRAFT_PREFIX}/\n" for code in self.outlets)
        return f"User-agent: *\n{rules}"

    def home(self) -> str:
        links = "\n".join(
            f'<link rel="alternate" type="application/rss+xml" title="{html.escape(OUTLET_NAMES.get(c, c))}" '
            f'href="/{c}/rss/{LATEST}.rss">'
            for c in self.outlets
        )
        items = "\n".join(
            f'<li><a href="/{c}/rss/{LATEST}.rss">{html.escape(OUTLET_NAMES.get(c, c))}</a></li>' for c in self.outlets
        )
        return (
            f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bản phát lại báo chí</title>{links}'
            f"</head><body><h1>Bản phát lại báo chí (demo pressdesk)</h1><ul>{items}</ul></body></html>"
        )

    def feed(self, outlet: str, section: str) -> str | None:
        """The RSS 2.0 feed of one outlet section (or the latest-news feed), newest first."""
        if outlet not in self.outlets:
            return None
        chosen = [a for a in self.articles if a.outlet == outlet and section in (LATEST, a.section)]
        if not chosen:
            return None
        chosen.sort(key=lambda a: a.published, reverse=True)
        entries = []
        for a in chosen:
            link = f"{self.base_url}{a.path}"
            if section == LATEST:  # the latest-news feed tags links, as real feeds do
                link += "?utm_source=rss&utm_medium=tin-moi-nhat"
            lead = a.paragraphs[0] if a.paragraphs else ""
            entries.append(
                "<item>"
                f"<title>{html.escape(a.title)}</title><link>{html.escape(link)}</link>"
                f'<guid isPermaLink="true">{html.escape(link)}</guid>'
                f"<description>{html.escape(lead[:300])}</description>"
                f"<pubDate>{format_datetime(a.published)}</pubDate></item>"
            )
        if section == LATEST and outlet == "vnexpress":
            draft = f"{self.base_url}/{outlet}/{DRAFT_PREFIX}/bai-chua-duyet.html"
            entries.append(f"<item><title>Bài chưa duyệt</title><link>{draft}</link></item>")
        name = html.escape(OUTLET_NAMES.get(outlet, outlet))
        title = html.escape(SECTION_NAMES.get(section, "Tin mới nhất"))
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{name} – {title}</title><link>{self.base_url}/{outlet}/</link>"
            f"<description>Bản phát lại {name}</description><language>vi</language>"
            + "".join(entries)
            + "</channel></rss>"
        )

    def article(self, path: str) -> str | None:
        """The HTML page of one article, with navigation, related links and a footer around it."""
        a = self._by_path.get(path)
        if a is None:
            return None
        name = html.escape(OUTLET_NAMES.get(a.outlet, a.outlet))
        related = [r for r in self.articles if r.outlet == a.outlet and r.section == a.section and r.n != a.n][:4]
        nav = "".join(
            f'<li><a href="/{a.outlet}/rss/{s}.rss">{html.escape(SECTION_NAMES[s])}</a></li>'
            for s in sorted({x.section for x in self.articles if x.outlet == a.outlet})
        )
        rel = "".join(f'<li><a href="{r.path}">{html.escape(r.title)}</a></li>' for r in related)
        body = "".join(f"<p>{html.escape(p)}</p>" for p in a.paragraphs)
        iso = a.published.isoformat()
        return (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            f"<title>{html.escape(a.title)} - {name}</title>"
            f'<link rel="canonical" href="{self.base_url}{a.path}">'
            f'<meta property="og:title" content="{html.escape(a.title)}">'
            f'<meta property="og:site_name" content="{name}">'
            f'<meta property="article:published_time" content="{iso}">'
            f'</head><body><header><a href="/">{name}</a><nav><ul>{nav}</ul></nav></header>'
            f"<main><article><h1>{html.escape(a.title)}</h1>"
            f'<time datetime="{iso}">{a.published:%d/%m/%Y %H:%M}</time>{body}</article>'
            f"<aside><h2>Tin liên quan</h2><ul>{rel}</ul></aside></main>"
            f"<footer><p>Bản phát lại cho demo pressdesk. Nguồn văn bản: {html.escape(a.origin)}.</p></footer>"
            "</body></html>"
        )
