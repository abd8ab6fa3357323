"""The ``core.ports.Store`` contract, written once and run against every adapter.

A test class inherits ``StoreContract`` and provides a ``store`` fixture returning an
empty store of its own. The items are small but real: Vietnamese press sentences
(baomoi.com TC201805 sample, VnExpress headlines) with their diacritics, plus an
English item of foreign coverage.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from core import (
    DAY_FACET,
    FACET_FIELDS,
    ClaimMatch,
    Classified,
    Extracted,
    Fetched,
    Item,
    LocalityMention,
    QueryError,
    Routed,
    SearchQuery,
    Sort,
    Stance,
    Store,
    Topic,
    UpsertResult,
    Urgency,
    Vector,
    fold,
    item_id,
)

DIM = 384  # the Elasticsearch mapping's dense_vector size (multilingual-e5-small)
VIETNAM = timezone(timedelta(hours=7))
_QUERY = np.random.default_rng(2018).standard_normal(DIM).astype(np.float32)
QUERY_VECTOR: Vector = _QUERY / np.linalg.norm(_QUERY)


def vector_at(cosine: float, seed: int) -> Vector:
    """A unit vector whose cosine with ``QUERY_VECTOR`` is exactly ``cosine``."""
    noise = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    noise -= noise.dot(QUERY_VECTOR) * QUERY_VECTOR
    noise /= np.linalg.norm(noise)
    vector: Vector = (cosine * QUERY_VECTOR + np.sqrt(1.0 - cosine**2) * noise).astype(np.float32)
    return vector / np.linalg.norm(vector)


def article(
    slug: str,
    title: str,
    text: str,
    published: datetime,
    *,
    outlet: str = "Báo Đà Nẵng",
    language: str = "vi",
    stance: Stance | None = None,
    topic: Topic | None = None,
    unit: str = "",
    cosine: float | None = None,
) -> Item:
    """An extracted, classified (and maybe routed and embedded) item."""
    url = f"https://example.vn/{slug}.html"
    fetched = Fetched(url=url, source_id="test", outlet=outlet, fetched_at=published + timedelta(hours=1))
    item = Item(
        id=item_id(url),
        fetched=fetched,
        extracted=Extracted(title=title, text=text, published=published, language=language),
        classified=Classified(about=True, stance=stance, topic=topic),
        routed=Routed(unit_id=unit, reason="test") if unit else None,
    )
    return replace(item, embedding=None if cosine is None else vector_at(cosine, seed=len(slug)))


def corpus() -> dict[str, Item]:
    """Eight items, by slug; five carry an embedding."""
    items = [
        article(
            "tau-bien",
            "Đà Nẵng đón chuyến tàu biển du lịch đầu năm mới 2018",
            "Sáng nay (1/1/2018), tại cảng Tiên Sa, thành phố Đà Nẵng đã tổ chức Lễ đón tàu du lịch biển "
            "cập cảng đầu tiên trong năm mới 2018.",
            datetime(2018, 1, 1, 8, 0, tzinfo=UTC),
            stance=Stance.POSITIVE,
            topic=Topic.TOURISM_CULTURE,
            unit="culture",
            cosine=0.95,
        ),
        article(
            "xe-buyt",
            "Đà Nẵng đưa vào hoạt động thêm 2 tuyến xe buýt trợ giá",
            "Sở Giao thông Vận tải Đà Nẵng cho biết vừa tăng thêm 2 tuyến xe buýt trợ giá (tuyến số 8 và số 12) "
            "vào hoạt động phục vụ nhu cầu đi lại của nhân dân và du khách.",
            datetime(2018, 2, 10, 9, 30, tzinfo=UTC),
            outlet="Tuổi Trẻ",
            stance=Stance.NEUTRAL,
            topic=Topic.INFRASTRUCTURE_TRANSPORT,
            unit="transport",
            cosine=0.7,
        ),
        article(
            "phao-hoa",
            "Giá vé Lễ hội pháo hoa quốc tế Đà Nẵng 2017",
            "Ngày 1-3, thông tin chính thức từ Ban tổ chức Lễ hội pháo hoa quốc tế Đà Nẵng 2017 (DIFF 2017) "
            "cho biết: Vé xem lễ hội pháo hoa Đà Nẵng 2017 đã bắt đầu được bán ra cuối tháng 2 đầu tháng 3-2017. "
            "Năm nay giá vé không thay đổi so với năm 2015.",
            datetime(2017, 3, 1, 7, 0, tzinfo=UTC),
            outlet="VnExpress",
            stance=Stance.POSITIVE,
            topic=Topic.TOURISM_CULTURE,
            cosine=0.4,
        ),
        article(
            "bac-giang",
            "Công an kiểm tra 18 điểm kinh doanh của F88 tại Bắc Giang",
            "",
            datetime(2018, 3, 5, 2, 0, tzinfo=UTC),
            outlet="VnExpress",
            stance=Stance.NEGATIVE,
            topic=Topic.PUBLIC_SAFETY_CRIME,
            unit="police",
        ),
        article(
            "bac-lieu",
            "Những mùa tôm thăng trầm",
            "Bạc Liêu là tỉnh duy nhất của cả nước được Thủ tướng Chính phủ quy hoạch trở thành “thủ phủ” tôm "
            "Việt Nam.",
            datetime(2018, 4, 20, 3, 0, tzinfo=UTC),
            outlet="Thanh Niên",
            stance=Stance.NEUTRAL,
            topic=Topic.AGRICULTURE,
        ),
        article(
            "hoa-binh",
            "Hòa Bình trúng thầu D&B dự án Gang thép Hòa Phát Dung Quất",
            "CTCP Tập đoàn Xây dựng Hòa Bình (mã:HBC) vừa trúng gói thầu Dự án Khu liên hợp sản xuất gang thép "
            "Hòa Phát Dung Quất do Tập đoàn Hoà Phát (mã: HPG) đầu tư.",
            datetime(2018, 5, 2, 4, 0, tzinfo=UTC),
            outlet="Tuổi Trẻ",
            stance=Stance.NEUTRAL,
            topic=Topic.INVESTMENT_BUSINESS,
            cosine=0.1,
        ),
        article(
            "apec-en",
            "Da Nang and Hoi An draw record visitors",
            "Tourism AND culture: Da Nang welcomed <b>record</b> numbers of visitors after APEC 2017, officials said.",
            datetime(2018, 6, 15, 5, 0, tzinfo=UTC),
            outlet="VnExpress International",
            language="en",
            stance=Stance.POSITIVE,
            topic=Topic.TOURISM_CULTURE,
            cosine=-0.2,
        ),
    ]
    feed_url = "https://example.vn/mua-lon.html"
    items.append(
        Item(
            id=item_id(feed_url),
            fetched=Fetched(
                url=feed_url,
                source_id="test",
                outlet="Báo Đà Nẵng",
                fetched_at=datetime(2018, 7, 1, 6, 0, tzinfo=UTC),
                feed_title="Đà Nẵng: mưa lớn gây ngập nhiều tuyến đường",
                feed_summary="Mưa lớn kéo dài khiến nhiều tuyến đường ở Đà Nẵng ngập sâu.",
            ),
        )
    )
    slugs = ["tau-bien", "xe-buyt", "phao-hoa", "bac-giang", "bac-lieu", "hoa-binh", "apec-en", "mua-lon"]
    return dict(zip(slugs, items, strict=True))


def full_item() -> Item:
    """An item with every field of every stage set to a non-default value."""
    url = "https://example.vn/day-du.html?utm_source=rss"
    return Item(
        id=item_id(url),
        fetched=Fetched(
            url=url,
            source_id="baodanang-rss",
            outlet="Báo Đà Nẵng",
            fetched_at=datetime(2025, 7, 2, 9, 15, 30, 123456, tzinfo=VIETNAM),
            feed_title="Đà Nẵng sau sáp nhập",
            feed_summary="Tóm tắt từ nguồn cấp tin.",
            feed_published=datetime(2025, 7, 2, 8, 0, tzinfo=VIETNAM),
        ),
        extracted=Extracted(
            title="Đà Nẵng và Quảng Nam chính thức hợp nhất",
            text="Từ ngày 1/7/2025, tỉnh Quảng Nam nhập vào thành phố Đà Nẵng.\n\nĐoạn thứ hai.",
            lead="Từ ngày 1/7/2025",
            published=datetime(2025, 7, 2, 7, 45, tzinfo=VIETNAM),
            language="vi",
            canonical_url="https://example.vn/day-du.html",
            image_url="https://example.vn/anh.jpg",
        ),
        classified=Classified(
            localities=(
                LocalityMention("Đà Nẵng", about=True, hits=3),
                LocalityMention("Quảng Nam", about=True, hits=2),
            ),
            about=True,
            stance=Stance.POSITIVE,
            stance_confidence=0.875,
            topic=Topic.GOVERNMENT_ADMINISTRATION,
            topic_confidence=0.5,
            cluster_id="cluster-7",
            claims=(ClaimMatch("claim-1", 0.91, "auto", "https://example.vn/dinh-chinh"),),
            model_version="e5-small/2025-07",
        ),
        routed=Routed(
            unit_id="home-affairs",
            reason="government_administration",
            urgency=Urgency.URGENT,
            routed_at=datetime(2025, 7, 2, 10, 0, tzinfo=VIETNAM),
        ),
        embedding=vector_at(0.3, seed=99),
    )


def _ids(page_items: list[Item] | tuple[Item, ...]) -> set[str]:
    return {item.id for item in page_items}


class StoreContract:
    """Behaviour every ``Store`` adapter owes its callers. Needs a ``store`` fixture (empty)."""

    @pytest.fixture
    def items(self, store: Store) -> dict[str, Item]:
        stored = corpus()
        store.upsert(list(stored.values()))
        return stored

    def found(self, store: Store, text: str = "", **options: object) -> set[str]:
        page = store.search(SearchQuery(text=text, limit=100, **options))  # type: ignore[arg-type]
        return _ids([hit.item for hit in page.hits])

    def test_store_satisfies_the_protocol(self, store: Store) -> None:
        assert isinstance(store, Store)

    def test_upsert_twice_stores_one_item(self, store: Store) -> None:
        item = corpus()["tau-bien"]
        assert store.upsert([item]) == UpsertResult(added=1, updated=0)
        assert item.extracted is not None
        retitled = replace(item, extracted=replace(item.extracted, title="Đà Nẵng khai trương cảng tàu khách"))
        assert store.upsert([retitled]) == UpsertResult(added=0, updated=1)
        assert store.count() == 1
        stored = store.get(item.id)
        assert stored is not None and stored.title == retitled.title
        # The full-text index follows the replacement: old words are gone, new ones found.
        assert self.found(store, "chuyến") == set()
        assert self.found(store, "khai trương") == {item.id}

    def test_upsert_counts_added_and_replaced(self, store: Store) -> None:
        items = list(corpus().values())
        assert store.upsert(items) == UpsertResult(added=len(items), updated=0)
        assert store.upsert(items) == UpsertResult(added=0, updated=len(items))
        assert store.upsert([]) == UpsertResult(added=0, updated=0)
        assert store.count() == len(items)

    def test_get_round_trips_every_field(self, store: Store) -> None:
        item = full_item()
        store.upsert([item])
        stored = store.get(item.id)
        assert stored == item
        assert stored is not None and stored.embedding is not None and item.embedding is not None
        assert stored.embedding.dtype == np.float32
        np.testing.assert_array_equal(stored.embedding, item.embedding)
        assert stored.fetched.fetched_at.utcoffset() == timedelta(hours=7)

    def test_get_unknown_id_is_none(self, store: Store, items: dict[str, Item]) -> None:
        assert store.get("0" * 20) is None

    def test_item_without_embedding_comes_back_without(self, store: Store, items: dict[str, Item]) -> None:
        stored = store.get(items["bac-giang"].id)
        assert stored == items["bac-giang"]
        assert stored is not None and stored.embedding is None

    def test_existing_returns_the_stored_subset(self, store: Store, items: dict[str, Item]) -> None:
        asked = [items["tau-bien"].id, "f" * 20, items["mua-lon"].id, items["tau-bien"].id]
        assert store.existing(asked) == {items["tau-bien"].id, items["mua-lon"].id}
        assert store.existing([]) == set()

    def test_search_ignores_diacritics_and_folds_d(self, store: Store, items: dict[str, Item]) -> None:
        da_nang = {items[s].id for s in ("tau-bien", "xe-buyt", "phao-hoa", "apec-en", "mua-lon")}
        assert self.found(store, "da nang") == da_nang
        assert self.found(store, "Đà Nẵng") == da_nang
        assert self.found(store, "DA NANG") == da_nang
        assert self.found(store, "bac giang") == {items["bac-giang"].id}
        assert self.found(store, "bac") == {items["bac-giang"].id, items["bac-lieu"].id}

    def test_exact_search_keeps_diacritics(self, store: Store, items: dict[str, Item]) -> None:
        assert self.found(store, "Bạc", exact=True) == {items["bac-lieu"].id}
        assert self.found(store, "Bắc", exact=True) == {items["bac-giang"].id}
        exact = self.found(store, "đà nẵng", exact=True)
        assert items["tau-bien"].id in exact
        assert items["apec-en"].id not in exact  # "Da Nang" lacks the diacritics

    def test_phrase_must_appear_word_for_word(self, store: Store, items: dict[str, Item]) -> None:
        assert self.found(store, '"tàu biển"') == {items["tau-bien"].id}
        assert self.found(store, '"tau bien"') == {items["tau-bien"].id}
        assert self.found(store, '"biển tàu"') == set()
        assert self.found(store, "biển tàu") == {items["tau-bien"].id}  # unquoted words: any order

    @pytest.mark.parametrize("text", ["-", ":", "^", '""', "- : ^", "\\"])
    def test_text_without_words_matches_everything(self, store: Store, items: dict[str, Item], text: str) -> None:
        assert self.found(store, text) == _ids(list(items.values()))

    def test_filters_accept_any_listed_value_and_combine_fields(self, store: Store, items: dict[str, Item]) -> None:
        def ids(*slugs: str) -> set[str]:
            return {items[s].id for s in slugs}

        assert self.found(store, filters={"stance": ("positive",)}) == ids("tau-bien", "phao-hoa", "apec-en")
        both = {"stance": ("positive", "negative")}
        assert self.found(store, filters=both) == ids("tau-bien", "phao-hoa", "apec-en", "bac-giang")
        two_fields = {"topic": ("tourism_culture",), "outlet": ("VnExpress",)}
        assert self.found(store, filters=two_fields) == ids("phao-hoa")
        assert self.found(store, filters={"language": ("en",)}) == ids("apec-en")
        assert self.found(store, filters={"unit": ("police",)}) == ids("bac-giang")
        assert self.found(store, "da nang", filters={"stance": ("neutral",)}) == ids("xe-buyt")
        assert self.found(store, filters={"stance": ()}) == _ids(list(items.values()))  # no values: no filter

    def test_unknown_filter_field_is_a_query_error(self, store: Store) -> None:
        with pytest.raises(QueryError, match="author"):
            store.search(SearchQuery(filters={"author": ("someone",)}))

    def test_negative_paging_is_a_query_error(self, store: Store) -> None:
        with pytest.raises(QueryError):
            store.search(SearchQuery(limit=-1))

    def test_facets_count_every_match_not_just_the_page(self, store: Store, items: dict[str, Item]) -> None:
        page = store.search(SearchQuery(text="da nang", limit=1))
        assert page.total == 5
        assert len(page.hits) == 1
        assert set(page.facets) == {*FACET_FIELDS, DAY_FACET}
        assert page.facets["stance"] == {"positive": 3, "neutral": 1}
        assert page.facets["language"] == {"vi": 3, "en": 1}
        assert page.facets["outlet"] == {
            "Báo Đà Nẵng": 2,
            "Tuổi Trẻ": 1,
            "VnExpress": 1,
            "VnExpress International": 1,
        }
        assert page.facets["unit"] == {"culture": 1, "transport": 1}
        assert store.search(SearchQuery(text="da nang", facets=False)).facets == {}

    def test_date_range_includes_since_and_excludes_until(self, store: Store, items: dict[str, Item]) -> None:
        first = datetime(2018, 1, 1, 8, 0, tzinfo=UTC)  # "tau-bien" was published then
        spring = {items[s].id for s in ("tau-bien", "xe-buyt", "bac-giang")}
        assert self.found(store, since=first, until=datetime(2018, 4, 1, tzinfo=UTC)) == spring
        assert items["tau-bien"].id not in self.found(store, until=first)
        # The same instant written in Vietnam time.
        assert (
            self.found(store, since=first.astimezone(VIETNAM), until=datetime(2018, 4, 1, 7, tzinfo=VIETNAM)) == spring
        )
        # An item known only from its feed is dated by when it was fetched.
        assert self.found(store, since=datetime(2018, 6, 30, tzinfo=UTC)) == {items["mua-lon"].id}

    def test_empty_text_lists_everything_newest_first(self, store: Store, items: dict[str, Item]) -> None:
        page = store.search(SearchQuery(limit=100))
        newest_first = ["mua-lon", "apec-en", "hoa-binh", "bac-lieu", "bac-giang", "xe-buyt", "tau-bien", "phao-hoa"]
        assert [hit.item.id for hit in page.hits] == [items[s].id for s in newest_first]
        oldest = store.search(SearchQuery(sort=Sort.OLDEST, limit=100))
        assert [hit.item.id for hit in oldest.hits] == [items[s].id for s in reversed(newest_first)]

    def test_sort_by_date_applies_to_text_searches(self, store: Store, items: dict[str, Item]) -> None:
        page = store.search(SearchQuery(text="da nang", sort=Sort.NEWEST))
        expected = ["mua-lon", "apec-en", "xe-buyt", "tau-bien", "phao-hoa"]
        assert [hit.item.id for hit in page.hits] == [items[s].id for s in expected]
        assert all(hit.score > 0 for hit in page.hits)  # each hit's relevance, though the order is by date

    def test_a_date_ordered_page_can_skip_its_scores(self, store: Store, items: dict[str, Item]) -> None:
        query = SearchQuery(text="da nang", sort=Sort.NEWEST, facets=True)
        scored, unscored = store.search(query), store.search(replace(query, scored=False))
        assert len(scored.hits) == 5 and all(hit.score > 0 for hit in scored.hits)
        assert [hit.item.id for hit in unscored.hits] == [hit.item.id for hit in scored.hits]
        assert [hit.score for hit in unscored.hits] == [0.0] * len(scored.hits)
        assert (unscored.total, unscored.facets) == (scored.total, scored.facets)
        assert [hit.snippet for hit in unscored.hits] == [hit.snippet for hit in scored.hits]
        relevance = store.search(replace(query, sort=Sort.RELEVANCE, scored=False))
        assert all(hit.score > 0 for hit in relevance.hits)  # relevance order always scores

    def test_relevance_ranks_the_item_most_about_the_words_first(self, store: Store) -> None:
        when = datetime(2018, 9, 1, tzinfo=UTC)
        filler = " ".join(["Bản tin tổng hợp các địa phương trong ngày."] * 8)
        often = article("nhieu-lan", "Đà Nẵng hôm nay", "Đà Nẵng mưa nhẹ. Đà Nẵng đón khách. Đà Nẵng về đêm.", when)
        once = article("mot-lan", "Tin trong nước", f"{filler} Đà Nẵng. {filler}", when)
        twice = article("hai-lan", "Tin miền Trung", f"{filler} Đà Nẵng và Đà Nẵng.", when)
        store.upsert([once, often, twice])
        page = store.search(SearchQuery(text="đà nẵng", sort=Sort.RELEVANCE))
        assert [hit.item.id for hit in page.hits] == [often.id, twice.id, once.id]
        scores = [hit.score for hit in page.hits]
        assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]

    def test_paging_is_stable_and_complete(self, store: Store) -> None:
        # Twelve ties: same words, same date. Only the id can order them.
        when = datetime(2018, 9, 2, tzinfo=UTC)
        clones = [
            article(f"giao-thong-{n:02d}", "Giao thông Đà Nẵng", "Tuyến đường mới ở Đà Nẵng thông xe.", when)
            for n in range(12)
        ]
        store.upsert(clones)
        for sort in Sort:
            whole = store.search(SearchQuery(text="giao thông", sort=sort, limit=100))
            pages = [store.search(SearchQuery(text="giao thông", sort=sort, limit=5, offset=o)) for o in (0, 5, 10)]
            paged = [hit.item.id for page in pages for hit in page.hits]
            assert paged == [hit.item.id for hit in whole.hits]
            assert sorted(paged) == sorted(item.id for item in clones)
            assert all(page.total == 12 for page in pages)
        beyond = store.search(SearchQuery(text="giao thông", offset=50))
        assert beyond.hits == () and beyond.total == 12

    def test_snippet_marks_matches_and_escapes_html(self, store: Store, items: dict[str, Item]) -> None:
        page = store.search(SearchQuery(text="da nang", filters={"language": ("en",)}))
        (hit,) = page.hits
        assert "<mark>" in hit.snippet
        assert "<b>" not in hit.snippet
        assert "&lt;b&gt;" in hit.snippet
        vietnamese = store.search(SearchQuery(text="da nang", filters={"outlet": ("Tuổi Trẻ",)}))
        marked = re.findall(r"<mark>(.*?)</mark>", vietnamese.hits[0].snippet)
        assert "Đà" in " ".join(marked)  # the original spelling, not the folded one
        assert {"da", "nang"} <= set(fold(" ".join(marked)).split())

    def test_hits_carry_the_stored_item(self, store: Store, items: dict[str, Item]) -> None:
        (hit,) = store.search(SearchQuery(text="tàu biển")).hits
        assert hit.item == items["tau-bien"]
        assert hit.item.embedding is not None and hit.score > 0

    def test_nearest_orders_by_cosine_and_skips_items_without_vectors(
        self, store: Store, items: dict[str, Item]
    ) -> None:
        top = store.nearest(QUERY_VECTOR, k=3)
        assert [item_id for item_id, _ in top] == [items[s].id for s in ("tau-bien", "xe-buyt", "phao-hoa")]
        for (_, score), cosine in zip(top, (0.95, 0.7, 0.4), strict=True):
            assert score == pytest.approx(cosine, abs=0.02)  # Elasticsearch quantises vectors to int8
        everything = store.nearest(QUERY_VECTOR, k=50)
        with_vectors = {items[s].id for s in ("tau-bien", "xe-buyt", "phao-hoa", "hoa-binh", "apec-en")}
        assert {item_id for item_id, _ in everything} == with_vectors
        assert store.nearest(QUERY_VECTOR, k=0) == []

    def test_count(self, store: Store) -> None:
        assert store.count() == 0
        store.upsert(list(corpus().values()))
        assert store.count() == 8

    def test_search_of_an_empty_store(self, store: Store) -> None:
        page = store.search(SearchQuery(text="da nang"))
        assert page.total == 0 and page.hits == ()
        assert page.facets == {name: {} for name in (*FACET_FIELDS, DAY_FACET)}
        assert store.nearest(QUERY_VECTOR) == []

    def test_close_then_reuse(self, store: Store) -> None:
        store.upsert([corpus()["tau-bien"]])
        store.close()
        store.close()  # closing twice is harmless
        assert store.count() == 1
        assert self.found(store, "tàu biển") == {corpus()["tau-bien"].id}
