"""Claim matching: does an item repeat a claim the registry holds as shown false?

Two tiers, as Meedan's Check does. ``auto`` flags the item false with the fact-check's
link; it needs strong evidence of both kinds. ``suggest`` sends the pair to an analyst.

Evidence for one (item, fact-check) pair:

- **vector**: the best e5 cosine between the claim (``query:``) and the item's title and
  passages (``passage:``, a few sentences each), so one paragraph repeating the claim in
  a long article is found;
- **lexical**: how much of the claim's wording (folded syllables and syllable pairs,
  stop words dropped) the item contains;
- **debunking**: articles that debunk a claim share its words but do not repeat it. A
  headline framed as a debunk ("Không có chuyện ...", "Thực hư ...", "... là tin đồn
  thất thiệt") makes the item a correction, not a match: it gets no match at all. A
  debunking cue only in the lead ("bác bỏ", "không đúng sự thật", "xử phạt ... đăng tin
  sai") keeps the pair out of the auto tier: an analyst decides.

Short texts and stale fact-checks (older than ``max_age`` at the item's publication) are
never auto-flagged; nor are records without a link or with a verdict other than false
or misleading. See ``docs/claims.md`` for how the thresholds were chosen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import numpy as np

from classify.factchecks import FLAGGING_VERDICTS, FactCheck, FactCheckRegistry
from core.item import ClaimMatch, Vector
from core.ports import Embedder
from core.text import fold

AUTO, SUGGEST = "auto", "suggest"

#: Characters of body read: long articles state their claim early; the embedder is slow.
READ_CHARS = 2000
#: Target characters per passage: a few sentences, well under e5-small's 512 tokens.
PASSAGE_CHARS = 350
#: Items with less text than this (title + body) are never auto-flagged.
MIN_AUTO_CHARS = 280
#: Fact-checks older than this at the item's publication are never auto-flagged.
DEFAULT_MAX_AGE = timedelta(days=3 * 365)

# Diacritics Vietnamese writes; any other combining mark is decoration (u̲n̲d̲e̲r̲l̲i̲n̲e̲s̲).
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323")
# Letters that look Latin, used to dodge filters ("Bɑ Lɑn", "тнảм cảnн"): mapped back.
_CONFUSABLES = str.maketrans(
    {
        "ɑ": "a", "а": "a", "α": "a", "ƅ": "b", "в": "b", "Ь": "b", "ϲ": "c", "с": "c", "ς": "c", "ԁ": "d",
        "Ԁ": "D", "е": "e", "ε": "e", "ց": "g", "ɡ": "g", "ɦ": "h", "н": "h", "һ": "h", "ι": "i", "і": "i",
        "ɩ": "i", "ј": "j", "ĸ": "k", "к": "k", "κ": "k", "ӏ": "l", "м": "m", "ṅ": "n", "п": "n", "η": "n",
        "о": "o", "ο": "o", "ρ": "p", "р": "p", "ԛ": "q", "ɾ": "r", "г": "r", "ѕ": "s", "т": "t", "τ": "t",
        "ᴛ": "t", "υ": "u", "ս": "u", "ν": "v", "ѡ": "w", "х": "x", "χ": "x", "у": "y", "ү": "y", "ᴢ": "z",
        "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "К": "K", "М": "M", "О": "O", "Р": "P",
        "Т": "T", "Х": "X", "ᴀ": "A", "ʙ": "B", "ᴄ": "C", "ᴅ": "D", "ᴇ": "E", "ɢ": "G", "ʜ": "H", "ɪ": "I",
        "ᴊ": "J", "ᴋ": "K", "ʟ": "L", "ᴍ": "M", "ɴ": "N", "ᴏ": "O", "ᴘ": "P", "ʀ": "R", "ꜱ": "S", "ᴜ": "U",
        "ᴠ": "V", "ᴡ": "W", "ʏ": "Y",
    }
)  # fmt: skip
_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+|\n+")
_WORD = re.compile(r"\w+")

#: Syllables too common to be evidence that a text repeats a claim (folded).
STOP_SYLLABLES = frozenset(
    """
    va la cua co cac nhung mot da dang se duoc bi cho voi trong tren duoi tu den khi thi ma nay do
    kia ay nhu vi de ra vao len xuong rat cung con chi moi nhieu it hon nua lai theo ve tai o nguoi
    khong chua van hay hoac neu nen tuy cang ca toan bo viec su cuoc nam thang ngay gio sau truoc
    thu tuc nhat hai ba bon nam sau bay tam chin muoi tram nghin trieu ty
    """.split()  # noqa: SIM905 - a word list reads better as text
)

#: Debunking language (folded) in the title or lead: the article reports a claim to refute it.
DEBUNK_CUES = (
    "tin don", "that thiet", "bac bo", "khong dung su that", "sai su that", "khong co chuyen", "thuc hu",
    "dinh chinh", "bia dat", "xuyen tac", "tin gia", "canh bao lua dao", "khong co that", "chua co can cu",
    "da bi xu phat", "xu phat hanh chinh", "xu phat nguoi dang tin", "kiem chung", "phu nhan", "len tieng bac",
)  # fmt: skip
#: Characters of the body, after the title, where a debunking cue counts.
LEAD_CHARS = 500


def clean(text: str) -> str:
    """``text`` with look-alike letters mapped back and decorative combining marks removed.

    Spreaders of false claims write "Bɑ Lɑn" or "N̲gh̲i v̲ấn" to dodge filters; both the
    embedder and the lexical match must read "Ba Lan" and "Nghi vấn".
    """
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).translate(_CONFUSABLES))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch in _VIETNAMESE_MARKS)
    return unicodedata.normalize("NFC", kept)


def passages(title: str, text: str) -> list[str]:
    """The texts embedded for an item: the title, then runs of sentences of about ``PASSAGE_CHARS``."""
    body = clean(text)[:READ_CHARS]
    out = [clean(title).strip()] if title.strip() else []
    current = ""
    for raw in _SENTENCE_END.split(body):
        sentence = " ".join(raw.split())
        if not sentence:
            continue
        if current and len(current) + len(sentence) > PASSAGE_CHARS:
            out.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out or [""]


def _syllables(text: str) -> list[str]:
    return _WORD.findall(fold(clean(text)))


def key_terms(claim: str) -> tuple[frozenset[str], frozenset[str]]:
    """The claim's content syllables and its syllable pairs (folded), stop words dropped from both."""
    words = _syllables(claim)
    singles = frozenset(w for w in words if w not in STOP_SYLLABLES and len(w) > 1)
    pairs = frozenset(f"{a} {b}" for a, b in pairwise(words) if a not in STOP_SYLLABLES or b not in STOP_SYLLABLES)
    return singles, pairs


def lexical_overlap(claim_terms: tuple[frozenset[str], frozenset[str]], text_words: Sequence[str]) -> float:
    """Share of the claim's key syllables and syllable pairs found in the text (mean of the two)."""
    singles, pairs = claim_terms
    if not singles:
        return 0.0
    have = set(text_words)
    have_pairs = {f"{a} {b}" for a, b in pairwise(text_words)}
    single_share = len(singles & have) / len(singles)
    pair_share = len(pairs & have_pairs) / len(pairs) if pairs else single_share
    return (single_share + pair_share) / 2


def debunk_cue(title: str, text: str) -> tuple[str, bool]:
    """The first debunking phrase (folded) in the title or lead, and whether it is in the title."""
    title_words = f" {' '.join(_syllables(title))} "
    for cue in DEBUNK_CUES:
        if f" {cue} " in title_words:
            return cue, True
    lead = f" {' '.join(_syllables(clean(text)[:LEAD_CHARS]))} "
    return next((cue for cue in DEBUNK_CUES if f" {cue} " in lead), ""), False


#: Used instead of the registry's medians while it holds fewer than ``MIN_REFERENCE``
#: records: the median cosine and lexical share of items against unrelated claims, as
#: measured on the development set (docs/claims.md).
PRIOR_COSINE, PRIOR_LEXICAL = 0.82, 0.16
MIN_REFERENCE = 8
#: Below both lifts an item cannot reach the suggest tier, so its passages are not
#: embedded (every dev-set match is well above: lexical lift >= 0.19). See docs/claims.md.
GATE_LEXICAL, GATE_COSINE = 0.12, 0.05


@dataclass(frozen=True, slots=True)
class Evidence:
    """What was measured for one (item, fact-check) pair.

    Attributes:
        cosine: best e5 cosine between the claim and the item's title or passages.
        lexical: share of the claim's key syllables and syllable pairs in the item.
        base_cosine: the item's typical cosine to any claim (median over the registry).
        base_lexical: the item's typical lexical share (median over the registry).
        debunked: the debunking cue found in the title or lead, or ``""``.
        headline_debunk: the cue is in the title: the item corrects the claim.
    """

    claim_id: str
    cosine: float
    lexical: float
    base_cosine: float
    base_lexical: float
    debunked: str = ""
    headline_debunk: bool = False


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where the tiers start; the values are documented (and were tuned) in ``docs/claims.md``.

    The score of a pair is how far it stands out from the item's typical similarity to
    any claim: ``weight_cosine * (cosine - base_cosine) + (lexical - base_lexical)``. e5
    finds every Vietnamese news text fairly similar to every claim, and long texts contain
    many claims' words; what marks a repeat is standing out on both.

    Attributes:
        auto: score at or above which a pair may be auto-flagged.
        auto_lexical: the raw lexical share an auto pair also needs (vectors alone confuse
            an item with the articles that debunk it).
        suggest: score at or above which a pair goes to an analyst.
        weight_cosine: weight of the cosine's lift against the lexical share's lift.
        margin: a second match must score within this of the first.
    """

    auto: float = 0.40  # tuned on the dev set: see docs/claims.md and claims_eval.pick_thresholds
    auto_lexical: float = 0.35
    suggest: float = 0.30
    weight_cosine: float = 2.0
    margin: float = 0.05

    def score(self, e: Evidence) -> float:
        """The pair's combined score (see the class docstring)."""
        return self.weight_cosine * (e.cosine - e.base_cosine) + (e.lexical - e.base_lexical)


class ClaimMatcher:
    """Matches items against fact-checks: a registry (read on first use) or a fixed list.

    Args:
        source: the registry, or the records themselves. Only false and misleading records
            are matched; a registry is re-read when records were added since.
        embedder: embeds claims (``query:``) and the items' passages (``passage:``); wrap
            it in ``CachedEmbedder`` so repeated runs are cheap.
        vectors: the records' claim embeddings, when ``source`` is a list and they are known.
        thresholds: where the tiers start.
        max_age: fact-checks older than this at the item's publication are not auto-flagged.
        max_matches: at most this many matches per item, best first.
        gate: skip embedding the passages of items that cannot match (``evidence``);
            off only to measure plain cosine for every pair.
    """

    def __init__(
        self,
        source: FactCheckRegistry | Sequence[FactCheck],
        embedder: Embedder,
        *,
        vectors: Vector | None = None,
        thresholds: Thresholds | None = None,
        max_age: timedelta = DEFAULT_MAX_AGE,
        max_matches: int = 2,
        gate: bool = True,
    ) -> None:
        self._source = source
        self._gate = gate
        self._given_vectors = vectors
        self._embedder = embedder
        self.thresholds = thresholds or Thresholds()
        self._max_age = max_age
        self._max_matches = max_matches
        self._loaded: tuple[object, list[FactCheck], Vector, list[tuple[frozenset[str], frozenset[str]]]] | None = None

    @property
    def records(self) -> tuple[FactCheck, ...]:
        """The records matched against (false and misleading verdicts only).

        Raises:
            StoreError: the registry could not be read.
            EmbeddingError: the claims could not be embedded.
        """
        return tuple(self._load()[1])

    def _load(self) -> tuple[object, list[FactCheck], Vector, list[tuple[frozenset[str], frozenset[str]]]]:
        if isinstance(self._source, FactCheckRegistry):
            version: object = self._source.version()
            if self._loaded is None or self._loaded[0] != version:
                records = [r for r in self._source.records() if r.verdict in FLAGGING_VERDICTS]
                vectors = self._source.vectors(records, self._embedder) if records else self._empty()
                self._loaded = (version, records, vectors, [key_terms(r.claim) for r in records])
            return self._loaded
        if self._loaded is None:
            keep = [i for i, r in enumerate(self._source) if r.verdict in FLAGGING_VERDICTS]
            records = [self._source[i] for i in keep]
            if not records:
                vectors = self._empty()
            elif self._given_vectors is not None:
                vectors = np.asarray(self._given_vectors, dtype=np.float32)[keep]
            else:
                vectors = self._embedder.embed_queries([r.claim for r in records])
            self._loaded = (None, records, vectors, [key_terms(r.claim) for r in records])
        return self._loaded

    @staticmethod
    def _gated(lexicals: Sequence[float], base_lexical: float, embedding: Vector | None, claims: Vector) -> bool:
        if max(lexicals) - base_lexical >= GATE_LEXICAL:
            return False
        if embedding is None:
            return True
        whole = np.asarray(claims, np.float32) @ np.asarray(embedding, np.float32)
        return float(whole.max() - np.median(whole)) < GATE_COSINE

    def _empty(self) -> Vector:
        return np.zeros((0, self._embedder.dim), dtype=np.float32)

    def evidence(self, title: str, text: str, embedding: Vector | None = None) -> list[Evidence]:
        """Every record's evidence for this item, best first (for evaluation and review).

        Passage embedding is the expensive part, so it is skipped when nothing could
        match: no claim's wording stands out by ``GATE_LEXICAL`` and (when the item's
        whole-text ``embedding`` is given) no claim stands out by ``GATE_COSINE``. Skipped
        items get evidence with no cosine lift, which scores below the suggest tier.

        Raises:
            EmbeddingError: the embedder failed.
            StoreError: the registry could not be read.
        """
        _, records, claim_vectors, terms = self._load()
        if not records:
            return []
        words = _syllables(f"{title}\n{text}")
        cue, in_title = debunk_cue(title, text)
        lexicals = [lexical_overlap(record_terms, words) for record_terms in terms]
        reference = len(records) >= MIN_REFERENCE
        base_lexical = float(np.median(lexicals)) if reference else PRIOR_LEXICAL
        if self._gate and self._gated(lexicals, base_lexical, embedding, claim_vectors):
            cosines = np.full(len(records), PRIOR_COSINE, dtype=np.float32)
        else:
            vectors = self._embedder.embed_passages(passages(title, text))
            cosines = (np.asarray(vectors, np.float32) @ claim_vectors.T).max(axis=0)
        base_cosine = float(np.median(cosines)) if reference else PRIOR_COSINE
        out = [
            Evidence(
                r.claim_id,
                round(float(c), 4),
                round(lx, 4),
                round(base_cosine, 4),
                round(base_lexical, 4),
                cue,
                in_title,
            )
            for r, c, lx in zip(records, cosines, lexicals, strict=True)
        ]
        return sorted(out, key=self.thresholds.score, reverse=True)

    def match(
        self, title: str, text: str, *, embedding: Vector | None = None, published: datetime | None = None
    ) -> tuple[ClaimMatch, ...]:
        """The item's matches, best first: ``auto`` ones may be shown as false with ``url``.

        Args:
            title: the item's title.
            text: its body.
            embedding: the item's whole-text ``passage:`` embedding, if already computed:
                it lets items whose wording matches no claim skip passage embedding when
                their meaning does not stand out either (see ``evidence``).
            published: when the item was published (default: now), for staleness.

        Raises:
            EmbeddingError: the embedder failed.
            StoreError: the registry could not be read.
        """
        by_id = {r.claim_id: r for r in self._load()[1]}
        return decide(
            self.evidence(title, text, embedding),
            by_id,
            chars=len(title.strip()) + len(text.strip()),
            published=published,
            thresholds=self.thresholds,
            max_age=self._max_age,
            max_matches=self._max_matches,
        )


def decide(
    evidence: Sequence[Evidence],
    records: dict[str, FactCheck],
    *,
    chars: int,
    published: datetime | None,
    thresholds: Thresholds,
    max_age: timedelta = DEFAULT_MAX_AGE,
    max_matches: int = 2,
) -> tuple[ClaimMatch, ...]:
    """The tiers for one item's evidence, applying every rule of the module docstring.

    The scores are computed with ``thresholds`` (so the evaluation can try other weights
    on the same evidence). A match after the first must also come within
    ``thresholds.margin`` of the best, so one item does not send an analyst a list of
    loosely related claims.
    """
    if any(e.headline_debunk for e in evidence):
        return ()  # the item is itself a correction of what it mentions
    scored = sorted(((thresholds.score(e), e) for e in evidence), key=lambda p: -p[0])
    out: list[ClaimMatch] = []
    for score, e in scored[:max_matches]:
        if score < thresholds.suggest or (out and score < scored[0][0] - thresholds.margin):
            break
        record = records[e.claim_id]
        may_auto = (
            score >= thresholds.auto
            and e.lexical >= thresholds.auto_lexical
            and not e.debunked
            and chars >= MIN_AUTO_CHARS
            and bool(record.url)
            and not is_stale(record, published, max_age)
        )
        out.append(ClaimMatch(record.claim_id, round(score, 4), AUTO if may_auto else SUGGEST, record.url))
    return tuple(out)


def is_stale(record: FactCheck, published: datetime | None, max_age: timedelta) -> bool:
    """Whether ``record`` is older than ``max_age`` at ``published`` (default now); undated records never are."""
    if record.date is None:
        return False  # undated records (the office's own corrections) do not age out
    when: date = (published or datetime.now(UTC)).date()
    return when - record.date > max_age
