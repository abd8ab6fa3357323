"""The province gazetteer: complete, consistent with the labelled names, and telling about from mention."""

import json
from pathlib import Path

import pytest

from classify.gazetteer import Gazetteer
from classify.provinces import current_units, find_localities, main_locality, province_profile, provinces

GUIDELINES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "labels" / "GUIDELINES.md"


def test_all_63_former_provinces_and_34_current_units_are_listed() -> None:
    names = [p.name for p in provinces()]
    assert len(names) == 63 == len(set(names))
    units = current_units()
    assert len(units) == 34
    assert sorted(n for merged in units.values() for n in merged) == sorted(names)
    assert set(units["Đà Nẵng"]) == {"Đà Nẵng", "Quảng Nam"}
    assert set(units["TP Hồ Chí Minh"]) == {"TP Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"}


@pytest.mark.skipif(not GUIDELINES.exists(), reason="labelling guidelines not found")
def test_the_names_are_the_ones_labellers_use() -> None:
    text = GUIDELINES.read_text(encoding="utf-8")
    listed = text.split("from this list:", 1)[1].split(". A city", 1)[0]
    labelled = {name.strip() for name in listed.split(",")}
    assert labelled == {p.name for p in provinces()}


def test_no_place_points_at_two_provinces() -> None:
    seen: dict[str, str] = {}
    for province in provinces():
        for place in province.places:
            assert seen.setdefault(place, province.name) == province.name, place


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Phố cổ Hội An lung linh đêm rằm", "Du khách đổ về Hội An thả đèn hoa đăng.", "Quảng Nam"),
        ("Nha Trang đón tàu biển quốc tế", "Cảng Nha Trang hôm qua đón 2.000 khách.", "Khánh Hòa"),
        ("Cháy chợ ở Thu Dau Mot", "Vụ cháy xảy ra tại TP Thủ Dầu Một.", "Bình Dương"),
        (
            "Sài Gòn mưa lớn, nhiều tuyến đường ngập",
            "Mưa lớn chiều qua khiến nhiều nơi ở TP.HCM ngập sâu.",
            "TP Hồ Chí Minh",
        ),
    ],
)
def test_the_main_locality_is_found_by_cities_and_without_diacritics(title: str, text: str, expected: str) -> None:
    assert main_locality(title, text) == expected


def test_a_person_named_after_a_province_is_not_the_province() -> None:
    found = find_localities("Ca sĩ Nguyễn Thái Bình ra mắt album", "Anh Nguyễn Thái Bình vừa phát hành album mới.")
    assert "Thái Bình" not in {f.name for f in found if f.about}


def test_an_honour_is_not_the_city_of_vinh() -> None:
    assert all(
        f.name != "Nghệ An" for f in find_localities("Vinh danh 100 doanh nghiệp", "Lễ vinh danh tổ chức tối qua.")
    )
    assert main_locality("TP Vinh mở rộng đường", "Thành phố Vinh khởi công nâng cấp đường Lê Lợi.") == "Nghệ An"


def test_a_club_a_home_town_and_a_list_are_mentions() -> None:
    da_nang = Gazetteer(province_profile("Đà Nẵng"))
    assert not da_nang.is_about("SHB Đà Nẵng thắng trận thứ ba", "Cầu thủ ghi bàn phút 80, HLV hài lòng.")[0]
    assert not da_nang.is_about("Nhà thơ ra mắt tập thơ mới", "Ông quê ở Đà Nẵng, nay sống ở Hà Nội.")[0]
    assert not da_nang.is_about(
        "Giá vàng tăng", "Giá vàng tại Hà Nội, Huế, Đà Nẵng, Cần Thơ và TP HCM cùng tăng 200.000 đồng."
    )[0]
    assert da_nang.is_about("Đà Nẵng khánh thành cầu mới", "Cầu nối quận Sơn Trà với trung tâm.")[0]


def test_the_data_file_is_valid_json_with_a_note() -> None:
    data = json.loads((Path(__file__).resolve().parents[2] / "classify" / "provinces.json").read_text("utf-8"))
    assert data["_note"]
    assert not set(data["ambiguous"]) & {p for row in data["provinces"] for p in row["places"]}
