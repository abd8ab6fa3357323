"""Claim matching: text cleaning, evidence, the tier rules, and matching against a real registry."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from classify.claims import (
    AUTO,
    MIN_AUTO_CHARS,
    SUGGEST,
    ClaimMatcher,
    Evidence,
    Thresholds,
    clean,
    debunk_cue,
    decide,
    key_terms,
    lexical_overlap,
    passages,
)
from classify.factchecks import FactCheck, FactCheckRegistry
from core.text import fold
from tests.classify.conftest import CountingEmbedder

RUMOUR = FactCheck(
    "d1",
    "Bãi biển Mỹ Khê ở Đà Nẵng bị cấm tắm biển vô thời hạn vì nước biển nhiễm độc.",
    "false",
    explanation="Sở Tài nguyên và Môi trường khẳng định nước biển đạt chuẩn.",
    url="https://danang.gov.vn/dinh-chinh-my-khe",
    date=date(2026, 11, 20),
)
OTHER = FactCheck("d2", "Cầu Rồng sẽ bị tháo dỡ để xây cầu mới trong năm 2027.", "false", url="https://example.org/d2")
TRUE_ONE = FactCheck("d3", "Đà Nẵng có bãi biển Mỹ Khê.", "true", url="https://example.org/d3")

REPEAT_TITLE = "Cấm tắm biển Mỹ Khê vô thời hạn vì nước biển nhiễm độc"
REPEAT_TEXT = (
    "Nhiều tài khoản mạng xã hội chia sẻ thông tin bãi biển Mỹ Khê ở Đà Nẵng bị cấm tắm biển vô thời hạn "
    "vì nước biển nhiễm độc, kèm hình ảnh bãi biển vắng người. Bài đăng cho rằng chính quyền đã ra lệnh cấm "
    "từ tuần trước và khuyên du khách không nên đến Đà Nẵng trong mùa này. Theo bài viết, nước biển có màu "
    "lạ và nhiều người bị ngứa sau khi tắm, nên thành phố phải đóng cửa bãi biển."
)
DEBUNK_TITLE = "Không có chuyện cấm tắm biển Mỹ Khê vì nước biển nhiễm độc"


def test_clean_maps_look_alike_letters_and_drops_decorative_marks() -> None:
    assert clean("Bɑ Lɑn đe Ԁọɑ ѕẽ ƅắṅ") == "Ba Lan đe Dọa sẽ bắn"
    assert clean("N̲gh̲i v̲ấn") == "Nghi vấn"  # combining underline removed, Vietnamese marks kept
    assert clean("тнảм cảnн") == "thảm cảnh"


def test_passages_start_with_the_title_and_stay_short() -> None:
    out = passages("Tiêu đề", "Câu một. " * 200)
    assert out[0] == "Tiêu đề"
    assert all(len(p) <= 360 for p in out[1:])
    assert sum(len(p) for p in out) <= 2100  # only the head of a long article is read


def test_lexical_overlap_reads_folded_text() -> None:
    terms = key_terms(RUMOUR.claim)
    assert lexical_overlap(terms, fold(clean(REPEAT_TEXT)).split()) > 0.5
    assert lexical_overlap(terms, fold("Giá vàng hôm nay tăng mạnh").split()) < 0.1


def test_debunk_cues_in_the_title_and_in_the_lead() -> None:
    assert debunk_cue(DEBUNK_TITLE, REPEAT_TEXT) == ("khong co chuyen", True)
    assert debunk_cue("Mỹ Khê", "Thông tin trên là tin đồn thất thiệt, sở khẳng định.") == ("tin don", False)
    assert debunk_cue(REPEAT_TITLE, REPEAT_TEXT) == ("", False)


def _evidence(claim_id: str, cosine: float, lexical: float, **extra: object) -> Evidence:
    return Evidence(claim_id, cosine, lexical, 0.82, 0.16, **extra)  # type: ignore[arg-type]


RECORDS = {r.claim_id: r for r in (RUMOUR, OTHER)}
LONG = MIN_AUTO_CHARS + 100
PUBLISHED = datetime(2026, 12, 1, tzinfo=UTC)


def test_tiers_follow_the_score_and_the_rules() -> None:
    t = Thresholds()
    strong = _evidence("d1", 0.93, 0.70)
    weak = _evidence("d1", 0.87, 0.38)
    assert t.score(strong) >= t.auto and t.suggest <= t.score(weak) < t.auto
    assert [m.tier for m in decide([strong], RECORDS, chars=LONG, published=PUBLISHED, thresholds=t)] == [AUTO]
    assert decide([strong], RECORDS, chars=LONG, published=PUBLISHED, thresholds=t)[0].url == RUMOUR.url
    assert [m.tier for m in decide([weak], RECORDS, chars=LONG, published=PUBLISHED, thresholds=t)] == [SUGGEST]
    assert decide([_evidence("d1", 0.83, 0.2)], RECORDS, chars=LONG, published=PUBLISHED, thresholds=t) == ()


@pytest.mark.parametrize(
    ("why", "evidence", "chars", "published"),
    [
        ("short text", _evidence("d1", 0.93, 0.7), MIN_AUTO_CHARS - 1, PUBLISHED),
        ("debunking cue in the lead", _evidence("d1", 0.93, 0.7, debunked="bac bo"), LONG, PUBLISHED),
        ("stale fact-check", _evidence("d1", 0.93, 0.7), LONG, PUBLISHED + timedelta(days=5 * 365)),
        ("no link on record", _evidence("d2", 0.93, 0.7), LONG, PUBLISHED),
        ("vector evidence alone", _evidence("d1", 0.99, 0.30), LONG, PUBLISHED),
    ],
)
def test_strong_pairs_that_are_never_auto_flagged(
    why: str, evidence: Evidence, chars: int, published: datetime
) -> None:
    records = {**RECORDS, "d2": FactCheck("d2", OTHER.claim, "false")}  # d2 without url
    matches = decide([evidence], records, chars=chars, published=published, thresholds=Thresholds())
    assert [m.tier for m in matches] == [SUGGEST], why


def test_a_headline_that_debunks_gets_no_match_and_a_second_match_must_be_close() -> None:
    t = Thresholds()
    debunk = _evidence("d1", 0.95, 0.8, debunked="khong co chuyen", headline_debunk=True)
    assert decide([debunk], RECORDS, chars=LONG, published=PUBLISHED, thresholds=t) == ()
    first, close, far = _evidence("d1", 0.93, 0.7), _evidence("d2", 0.93, 0.68), _evidence("d2", 0.87, 0.4)
    assert [m.claim_id for m in decide([first, close], RECORDS, chars=LONG, published=None, thresholds=t)] == [
        "d1",
        "d2",
    ]
    assert [m.claim_id for m in decide([first, far], RECORDS, chars=LONG, published=None, thresholds=t)] == ["d1"]


@pytest.mark.slow
def test_matching_against_a_real_registry(tmp_path: Path, counting: CountingEmbedder) -> None:
    registry = FactCheckRegistry(tmp_path / "factchecks.db")
    matcher = ClaimMatcher(registry, counting)
    assert not (tmp_path / "factchecks.db").exists()  # nothing read before the first match
    assert matcher.match(REPEAT_TITLE, REPEAT_TEXT) == ()  # empty registry: nothing to match
    registry.add([RUMOUR, OTHER, TRUE_ONE])
    assert {r.claim_id for r in matcher.records} == {"d1", "d2"}  # re-read after the add; "true" is never matched
    matches = matcher.match(REPEAT_TITLE, REPEAT_TEXT, published=PUBLISHED)
    assert [(m.claim_id, m.tier, m.url) for m in matches] == [("d1", AUTO, RUMOUR.url)]
    stale = matcher.match(REPEAT_TITLE, REPEAT_TEXT, published=PUBLISHED + timedelta(days=4 * 365))
    assert [(m.claim_id, m.tier) for m in stale] == [("d1", SUGGEST)]
    debunk_text = "Sở Tài nguyên và Môi trường bác bỏ tin đồn. " + REPEAT_TEXT
    assert matcher.match(DEBUNK_TITLE, debunk_text, published=PUBLISHED) == ()
    calls = counting.passage_calls
    unrelated = matcher.match("Giá vàng hôm nay", "Giá vàng trong nước tăng 200.000 đồng mỗi lượng. " * 8)
    assert unrelated == ()
    assert counting.passage_calls == calls  # nothing could match: its passages were not embedded
