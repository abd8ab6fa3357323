"""The query language's contract, written once and run against every store adapter.

A test class inherits ``QueryContract`` and provides a ``store`` fixture returning an
empty store of its own. The items are real Vietnamese press texts (title and sapo of
articles in the baomoi.com TC201805 sample, frozen here) with made-up but plausible
outlets, labels and dates; two dates sit near midnight so that Vietnam days and UTC
days differ.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from core import DAY_FACET, Item, QueryError, SearchQuery, Sort, Stance, Store, Topic
from tests.indexing.store_contract import article

VIETNAM = timezone(timedelta(hours=7))


def press() -> dict[str, Item]:
    """Nine items, by slug (baomoi ids in the comments)."""

    def at(day: str, clock: str) -> datetime:
        return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=VIETNAM)

    disaster = {"topic": Topic.DISASTERS_WEATHER, "unit": "disaster"}
    items = {
        "bao-lu": article(  # 24133573
            "bao-lu",
            "Danh ca Ngọc Sơn trao hơn 300 triệu cho đồng bào vùng bão lũ Quảng Nam",
            "Danh ca Ngọc Sơn cùng học trò Michael Lang đã đến từng nhà, chia sẻ với từng người, mang lại niềm vui "
            "lấp lánh trong đôi mắt của bà con Quảng Nam đang oằn mình chịu nỗi đau sau thiên tai.",
            at("2017-11-20", "09:00"),
            outlet="Thanh Niên",
            stance=Stance.POSITIVE,
            topic=Topic.SOCIETY_WELFARE_LABOUR,
        ),
        "ho-tro": article(  # 21171815
            "ho-tro",
            "Hỗ trợ đồng bào các tỉnh miền Trung gần 4 tỷ đồng",
            "Trước tình hình mưa lũ tiếp tục gây thiệt hại nặng nề về người và tài sản tại các tỉnh miền Nam Trung "
            "Bộ, từ ngày 19 đến ngày 22-12, Hội Chữ thập đỏ Thành phố Hà Nội đã cử đoàn công tác vào thăm hỏi chia "
            "sẻ, hỗ trợ với người dân tại các tỉnh: Bình Định, Phú Yên, Quảng Nam, Quảng Ngãi, Thừa Thiên Huế, "
            "Quảng Trị.",
            at("2016-12-23", "10:00"),
            outlet="Tuổi Trẻ",
            stance=Stance.NEUTRAL,
            topic=Topic.SOCIETY_WELFARE_LABOUR,
        ),
        "phong-chong": article(  # 23802502
            "phong-chong",
            "Phòng chống thiên tai trong Tuần lễ APEC",
            "Thành phố Đà Nẵng và tỉnh Quảng Nam đã xây dựng các phương án ứng phó thời tiết xấu, mưa bão lũ lụt, "
            "sóng thần... trong tuần lễ cấp cao APEC.",
            at("2017-11-01", "07:30"),
            stance=Stance.NEUTRAL,
            **disaster,  # type: ignore[arg-type]
        ),
        "sat-lo": article(  # 23836676
            "sat-lo",
            "Sạt lở núi ở Bắc Trà My, 8 người bị vùi lấp",
            "Mưa lớn kéo dài, một vụ lở núi đã bất ngờ xảy ra tại H.Bắc Trà My (tỉnh Quảng Nam), khiến 8 người "
            "bị vùi lấp.",
            at("2017-11-06", "03:00"),  # 5 November in UTC
            outlet="VnExpress",
            stance=Stance.NEGATIVE,
            **disaster,  # type: ignore[arg-type]
        ),
        "lu-cuon": article(  # 22935589
            "lu-cuon",
            "Vợ khóc ngất khi tìm thấy thi thể chồng bị lũ cuốn trôi",
            "Sau khi lực lượng tìm kiếm cứu nạn tìm thấy thi thể anh Giàng A Hủ, cán bộ Đài phát thanh truyền hình "
            "huyện Mù Cang Chải vợ anh như không tin đó là thi thể chồng mình.",
            at("2017-08-05", "06:00"),  # 4 August in UTC
            outlet="Dân Trí",
            stance=Stance.NEGATIVE,
            topic=Topic.DISASTERS_WEATHER,
        ),
        "tau-bien": article(  # 24476704
            "tau-bien",
            "Đà Nẵng đón chuyến tàu biển du lịch đầu năm mới 2018",
            "Sáng nay (1/1/2018), tại cảng Tiên Sa, thành phố Đà Nẵng đã tổ chức Lễ đón tàu du lịch biển cập cảng "
            "đầu tiên trong năm mới 2018.",
            at("2018-01-01", "08:00"),
            stance=Stance.POSITIVE,
            topic=Topic.TOURISM_CULTURE,
            unit="culture",
        ),
        "khach-san": article(  # 23427552
            "khach-san",
            "Đà Nẵng: Khánh thành tổ hợp khách sạn 5 sao có bể bơi dát vàng lớn nhất thế giới",
            "Sáng 1/10, Tập đoàn Hoà Bình đã khánh thành Tổ hợp khách sạn, căn hộ Hoà Bình Green Đà Nẵng để đưa vào "
            "phục vụ Tuần lễ cấp cao APEC 2017 vào đầu tháng 11, đồng thời xác lập nhiều kỷ lục mới trên thị "
            "trường xây dựng và bất động sản du lịch Việt Nam.",
            at("2017-10-01", "11:00"),
            outlet="Tuổi Trẻ",
            stance=Stance.POSITIVE,
            topic=Topic.INVESTMENT_BUSINESS,
        ),
        "trump": article(  # 23883774
            "trump",
            "Cận cảnh nơi ở của Tổng thống Mỹ Donald Trump dự APEC 2017",
            "Tổng thống Mỹ Donald Trump tham dự hội nghị thượng đỉnh APEC tại Đà Nẵng sẽ ở khu nghỉ dưỡng 5 sao "
            "InterContinental Danang Sun Peninsula Resort.",
            at("2017-11-06", "22:00"),
            outlet="VnExpress",
            stance=Stance.NEUTRAL,
            topic=Topic.FOREIGN_AFFAIRS,
        ),
        "thuyen-vien": article(  # 24657119, not classified yet: no stance
            "thuyen-vien",
            "Cứu thuyền viên người Philipine bị đột quỵ trên biển",
            "Thuyền viên Eliseo Jr. Burton ESTRABON sinh ngày 11/01/1956, quốc tịch Philipine bị đột quỵ, liệt nữa "
            "người bên trái đã được tàu SAR274 cùng ê kíp bác sĩ của Trung tâm cấp cứu y tế thành phố Đà Nẵng vượt "
            "biển trong đêm đưa vào bờ cấp cứu.",
            at("2018-01-11", "23:30"),
            topic=Topic.HEALTH,
        ),
    }
    return items


class QueryContract:
    """The boolean query language as every ``Store`` runs it. Needs a ``store`` fixture (empty)."""

    @pytest.fixture
    def press(self, store: Store) -> dict[str, Item]:
        stored = press()
        store.upsert(list(stored.values()))
        return stored

    def slugs(self, store: Store, press: dict[str, Item], text: str, **options: object) -> set[str]:
        page = store.search(SearchQuery(text=text, limit=100, **options))  # type: ignore[arg-type]
        by_id = {item.id: slug for slug, item in press.items()}
        assert page.total == len(page.hits)
        return {by_id[hit.item.id] for hit in page.hits}

    def test_and_or_not_and_parentheses(self, store: Store, press: dict[str, Item]) -> None:
        assert self.slugs(store, press, 'lũ AND "Quảng Nam"') == {"bao-lu", "ho-tro", "phong-chong"}
        assert self.slugs(store, press, 'lũ "quang nam"') == {"bao-lu", "ho-tro", "phong-chong"}
        assert self.slugs(store, press, 'lũ OR "sạt lở"') == {"bao-lu", "ho-tro", "phong-chong", "lu-cuon", "sat-lo"}
        assert self.slugs(store, press, '"Quảng Nam" NOT lũ') == {"sat-lo"}
        assert self.slugs(store, press, '"Quảng Nam" -lũ') == {"sat-lo"}
        assert self.slugs(store, press, '(lũ OR "sạt lở") AND "Quảng Nam"') == {
            "bao-lu",
            "ho-tro",
            "phong-chong",
            "sat-lo",
        }
        assert self.slugs(store, press, '"Đà Nẵng" NOT (APEC OR cứu)') == {"tau-bien"}
        assert self.slugs(store, press, 'APEC OR NOT "Đà Nẵng"') == {
            "bao-lu",
            "ho-tro",
            "sat-lo",
            "lu-cuon",
            "khach-san",
            "trump",
            "phong-chong",
        }

    def test_phrases_keep_word_order(self, store: Store, press: dict[str, Item]) -> None:
        assert self.slugs(store, press, '"bão lũ"') == {"bao-lu", "phong-chong"}
        assert self.slugs(store, press, '"lũ bão"') == set()

    def test_prefixes(self, store: Store, press: dict[str, Item]) -> None:
        assert self.slugs(store, press, "thuyền*") == {"thuyen-vien"}
        assert self.slugs(store, press, "thien*") == {"bao-lu", "phong-chong", "ho-tro"}  # thiên tai, Thừa Thiên
        assert self.slugs(store, press, "thiên* NOT huế") == {"bao-lu", "phong-chong"}
        assert self.slugs(store, press, "Thiên*", exact=True) == {"bao-lu", "phong-chong", "ho-tro"}
        assert self.slugs(store, press, "thien*", exact=True) == set()

    def test_near_counts_the_words_between_in_either_order(self, store: Store, press: dict[str, Item]) -> None:
        assert self.slugs(store, press, 'lũ NEAR/5 "Quảng Nam"') == {"bao-lu"}
        assert self.slugs(store, press, '"Quảng Nam" NEAR/5 lũ') == {"bao-lu"}
        # In "phong-chong", 13 words stand between "Quảng Nam" and "lũ".
        assert self.slugs(store, press, 'lũ NEAR/12 "Quảng Nam"') == {"bao-lu"}
        assert self.slugs(store, press, 'lũ NEAR/13 "Quảng Nam"') == {"bao-lu", "phong-chong"}
        assert self.slugs(store, press, "thiên* NEAR/1 tai") == {"bao-lu", "phong-chong"}

    def test_fields(self, store: Store, press: dict[str, Item]) -> None:
        assert self.slugs(store, press, 'outlet:"Tuổi Trẻ"') == {"ho-tro", "khach-san"}
        assert self.slugs(store, press, "stance:negative") == {"sat-lo", "lu-cuon"}
        assert self.slugs(store, press, "topic:disasters_weather lũ") == {"phong-chong", "lu-cuon"}
        assert self.slugs(store, press, "unit:disaster OR unit:culture") == {"phong-chong", "sat-lo", "tau-bien"}
        assert self.slugs(store, press, "language:vi") == set(press)
        assert self.slugs(store, press, "lũ OR stance:negative") == {
            "bao-lu",
            "ho-tro",
            "phong-chong",
            "lu-cuon",
            "sat-lo",
        }
        assert self.slugs(store, press, "stance:negative NOT Quảng") == {"lu-cuon"}

    def test_not_a_field_keeps_items_without_a_value(self, store: Store, press: dict[str, Item]) -> None:
        assert self.slugs(store, press, '"Đà Nẵng" NOT stance:positive') == {"phong-chong", "trump", "thuyen-vien"}

    def test_day_ranges_are_vietnam_days(self, store: Store, press: dict[str, Item]) -> None:
        assert self.slugs(store, press, "published:[2017-11-06 TO 2017-11-06]") == {"sat-lo", "trump"}
        assert self.slugs(store, press, "published:2017-08-05") == {"lu-cuon"}  # 4 August in UTC
        assert self.slugs(store, press, "published:[2017-11-01 TO 2017-11-06]") == {"phong-chong", "sat-lo", "trump"}
        assert self.slugs(store, press, "published:[2018-01-01 TO *]") == {"tau-bien", "thuyen-vien"}
        assert self.slugs(store, press, "published:[* TO 2016-12-31]") == {"ho-tro"}
        assert self.slugs(store, press, "lũ published:[2017-01-01 TO *]") == {"bao-lu", "phong-chong", "lu-cuon"}

    def test_request_filters_still_apply(self, store: Store, press: dict[str, Item]) -> None:
        negative = {"stance": ("negative",)}
        assert self.slugs(store, press, 'lũ OR "sạt lở"', filters=negative) == {"sat-lo", "lu-cuon"}
        since = datetime(2017, 11, 6, tzinfo=VIETNAM)
        assert self.slugs(store, press, "APEC OR stance:negative", since=since) == {"sat-lo", "trump"}

    def test_day_facet_counts_every_match_per_vietnam_day(self, store: Store, press: dict[str, Item]) -> None:
        page = store.search(SearchQuery(text='lũ OR "sạt lở" OR APEC', limit=1))
        assert page.total == 7 and len(page.hits) == 1
        assert page.facets[DAY_FACET] == {
            "2016-12-23": 1,
            "2017-08-05": 1,
            "2017-10-01": 1,
            "2017-11-01": 1,
            "2017-11-06": 2,
            "2017-11-20": 1,
        }
        assert list(page.facets[DAY_FACET]) == sorted(page.facets[DAY_FACET])
        assert page.facets["stance"] == {"positive": 2, "neutral": 3, "negative": 2}
        assert store.search(SearchQuery(text="xyzzy")).facets[DAY_FACET] == {}

    def test_relevance_comes_from_the_positive_words(self, store: Store, press: dict[str, Item]) -> None:
        page = store.search(SearchQuery(text="lũ OR stance:negative", sort=Sort.RELEVANCE))
        scores = {hit.item.id: hit.score for hit in page.hits}
        assert scores[press["sat-lo"].id] == 0.0  # matched by its stance alone
        assert all(scores[press[slug].id] > 0 for slug in ("bao-lu", "ho-tro", "phong-chong", "lu-cuon"))
        assert page.hits[-1].item.id == press["sat-lo"].id

    def test_snippets_mark_positive_words_only(self, store: Store, press: dict[str, Item]) -> None:
        (hit,) = store.search(SearchQuery(text='(bão NOT lũ) OR ("Quảng Nam" AND sạt*)')).hits
        assert set(" ".join(re.findall(r"<mark>(.*?)</mark>", hit.snippet)).split()) == {"Quảng", "Nam"}
        near = store.search(SearchQuery(text='lũ NEAR/5 "Quảng Nam"')).hits[0].snippet
        assert "<mark>lũ</mark>" in near and "<mark>Quảng" in near
        # "phong-chong" matches by "Quảng Nam"; its "bão lũ lụt" shows bão marked, never the excluded lũ.
        page = store.search(SearchQuery(text='"Quảng Nam" OR (bão NOT lũ)', filters={"outlet": ("Báo Đà Nẵng",)}))
        (hit,) = page.hits
        assert "<mark>bão</mark> lũ" in hit.snippet

    @pytest.mark.parametrize("text", ["-", ":", "^", '""', "\\", " - "])
    def test_text_of_punctuation_lists_everything(self, store: Store, press: dict[str, Item], text: str) -> None:
        assert self.slugs(store, press, text) == set(press)

    @pytest.mark.parametrize(
        ("text", "position"),
        [("du lịch or văn hóa", 8), ("lũ AND bão OR mưa", 11), ("đà*", 0), ("(lũ", 0), ("author:x", 0), ("NOT lũ", 0)],
    )
    def test_invalid_queries_are_query_errors_with_a_position(self, store: Store, text: str, position: int) -> None:
        with pytest.raises(QueryError) as raised:
            store.search(SearchQuery(text=text))
        assert raised.value.position == position

    def test_engine_syntax_is_never_passed_through(self, store: Store, press: dict[str, Item]) -> None:
        for text in ('"AND" "NOT"', "'; DROP TABLE items; --", "{title}: lũ", '"NEAR(lũ bão, 2)"'):
            assert store.search(SearchQuery(text=text)).total == 0
        assert store.count() == len(press)
