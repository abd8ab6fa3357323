"""The gazetteer: finding the locality's names and telling an item about it from a mention."""

import pytest

from classify import Gazetteer
from classify.gazetteer import Document
from classify.provinces import province_profile
from core.item import LocalityMention
from core.locality import LocalityProfile

FILLER = (
    "Theo báo cáo của cơ quan chức năng, tình hình kinh tế xã hội trong tháng tiếp tục ổn định. "
    "Nhiều chỉ tiêu quan trọng đạt và vượt kế hoạch đề ra, đời sống người dân cơ bản được bảo đảm.\n\n"
)


@pytest.fixture(scope="module")
def gazetteer(da_nang: LocalityProfile) -> Gazetteer:
    return Gazetteer(da_nang)


def mention(gazetteer: Gazetteer, unit: str, title: str, text: str = "") -> LocalityMention | None:
    return next((m for m in gazetteer.find(title, text) if m.name == unit), None)


def test_names_match_with_and_without_diacritics(gazetteer: Gazetteer) -> None:
    found = mention(gazetteer, "Quảng Nam", "Quảng Nam và Quang Nam: hai cách viết", "QUẢNG NAM")
    assert found is not None
    assert found.hits == 3


def test_all_lowercase_text_still_matches(gazetteer: Gazetteer) -> None:
    assert mention(gazetteer, "Đà Nẵng", "", "đi du lịch da nang dịp hè") is not None


def test_former_units_and_their_places_map_to_the_unit(gazetteer: Gazetteer) -> None:
    mentions = gazetteer.find("Phố cổ Hội An đón khách", "Du khách từ Tam Kỳ và tỉnh Quảng Nam đổ về.")
    assert [m.name for m in mentions] == ["Đà Nẵng", "Quảng Nam"]  # "phố cổ Hội An" is a landmark of the city
    assert mentions[1].hits == 2


def test_aliases_and_foreign_names_map_to_the_locality(gazetteer: Gazetteer) -> None:
    mentions = gazetteer.find("TP. Đà Nẵng", "Danang City and 岘港 and 다낭에서")
    assert mentions == (LocalityMention("Đà Nẵng", about=True, hits=4),)


def test_a_foreign_spelling_of_a_former_unit_maps_to_that_unit(gazetteer: Gazetteer) -> None:
    assert [m.name for m in gazetteer.find("Floods in Quang Nam", "")] == ["Quảng Nam"]


def test_the_longest_name_wins(gazetteer: Gazetteer) -> None:
    found = mention(gazetteer, "Đà Nẵng", "Ủy ban nhân dân thành phố Đà Nẵng họp báo")
    assert found is not None
    assert found.hits == 1


def test_short_names_do_not_match_inside_other_words(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("Hội Anh em tình nguyện", "Cửa hàng Sơn Tràng An bán sơn nước") == ()


def test_capitalised_names_must_be_capitalised_in_edited_text() -> None:
    gazetteer = Gazetteer(LocalityProfile(name="Hòa Bình"))
    assert gazetteer.find("Giải Âm nhạc Hòa bình thế giới", "Vì một thế giới hòa bình.") == ()
    assert gazetteer.find("Mưa lớn ở tỉnh Hòa Bình", "") != ()


def test_a_phrase_that_contains_a_name_hides_it() -> None:
    assert Gazetteer(LocalityProfile(name="Thái Bình")).find("Hội nghị châu Á - Thái Bình Dương", "") == ()


def test_unrelated_item_has_no_mentions(gazetteer: Gazetteer) -> None:
    assert gazetteer.is_about("Hà Nội công bố giá đất mới", "Giá đất tại Hà Nội tăng.") == (False, ())


def test_a_name_in_the_title_makes_the_item_about(gazetteer: Gazetteer) -> None:
    about, mentions = gazetteer.is_about("Đà Nẵng đón 8 triệu lượt khách", FILLER)
    assert about
    assert mentions == (LocalityMention("Đà Nẵng", about=True, hits=1),)


def test_a_name_in_the_lead_makes_the_item_about(gazetteer: Gazetteer) -> None:
    lead = "Sáng nay, tại huyện Hòa Vang, cầu mới chính thức thông xe."
    assert gazetteer.is_about("Khánh thành cây cầu mới", lead)[0]


def test_a_landmark_in_the_first_paragraph_makes_the_item_about(gazetteer: Gazetteer) -> None:
    about, mentions = gazetteer.is_about("Mùa hè sôi động", "Bãi biển Mỹ Khê kín người tắm biển.\n\n" + FILLER)
    assert about
    assert mentions[0].name == "Đà Nẵng"


def test_one_mention_deep_in_a_long_text_is_only_a_mention(gazetteer: Gazetteer) -> None:
    text = FILLER * 3 + "Đoàn công tác cũng ghé thăm Đà Nẵng trước khi về nước.\n\n" + FILLER
    assert gazetteer.is_about("Kinh tế tháng 5 tiếp tục ổn định", text) == (
        False,
        (LocalityMention("Đà Nẵng", about=False, hits=1),),
    )


def test_several_mentions_deep_in_the_text_make_the_item_about(gazetteer: Gazetteer) -> None:
    text = FILLER * 2 + "Đà Nẵng dẫn đầu, sau đó là Hội An. Đà Nẵng và quận Sơn Trà cũng tăng trưởng mạnh.\n\n"
    about, mentions = gazetteer.is_about("Kinh tế tháng 5 tiếp tục ổn định", text)
    assert about
    assert mentions == (  # each unit is judged on its own hits
        LocalityMention("Đà Nẵng", about=True, hits=3),
        LocalityMention("Quảng Nam", about=False, hits=1),
    )


def test_a_match_report_names_clubs_not_the_place(gazetteer: Gazetteer) -> None:
    about, mentions = gazetteer.is_about(
        "SHB Đà Nẵng thắng Quảng Nam 2-1",
        "Hai bàn thắng trong hiệp hai giúp đội chủ nhà giành trọn 3 điểm ở vòng 5 V-League.",
    )
    assert not about
    assert {m.name for m in mentions} == {"Đà Nẵng", "Quảng Nam"}


def test_club_words_next_to_the_name_make_it_a_club(gazetteer: Gazetteer) -> None:
    assert gazetteer.is_about("Quảng Nam FC chia tay huấn luyện viên", "")[0] is False
    assert gazetteer.is_about("CLB Đà Nẵng có chủ tài trợ mới", "")[0] is False


def test_a_home_town_is_only_a_mention(gazetteer: Gazetteer) -> None:
    assert not gazetteer.is_about("Ca sĩ ra mắt album mới", "Nam ca sĩ quê ở Quảng Nam vừa ra mắt album tại Hà Nội.")[0]
    assert not gazetteer.is_about("Đề xuất sửa luật", "Đại biểu Nguyễn Văn Hùng (Quảng Nam) đề nghị sửa luật.")[0]


def test_one_of_many_provinces_is_only_a_mention(gazetteer: Gazetteer) -> None:
    lead = "Mưa lớn kéo dài ở Thừa Thiên Huế, Đà Nẵng, Quảng Ngãi và Bình Định trong hai ngày tới."
    assert gazetteer.is_about("Miền Trung mưa lớn", lead) == (False, (LocalityMention("Đà Nẵng", about=False),))


def test_our_own_units_listed_together_stay_about(gazetteer: Gazetteer) -> None:
    about, mentions = gazetteer.is_about("Đà Nẵng - Quảng Nam phối hợp phát triển du lịch", "")
    assert about
    assert all(m.about for m in mentions)


def test_one_end_of_a_route_is_only_a_mention(gazetteer: Gazetteer) -> None:
    assert not gazetteer.is_about("Đường sắt Hà Nội - Đà Nẵng xuống cấp", "")[0]


def test_a_product_alone_is_not_enough(gazetteer: Gazetteer) -> None:
    about, mentions = gazetteer.is_about("Mì Quảng lọt top món ngon", "")
    assert not about
    assert mentions == (LocalityMention("Đà Nẵng", about=False),)


def test_one_prepared_document_gives_every_gazetteer_the_same_answer_as_its_own_tokenising(
    gazetteer: Gazetteer,
) -> None:
    title, text = "Đà Nẵng đón khách dịp lễ", "Du khách từ Hà Nội và Huế đổ về Hội An, Tam Kỳ.\n\nSHB Đà Nẵng thắng."
    document = Document.of(title, text)
    others = [Gazetteer(province_profile(name)) for name in ("Hà Nội", "Thừa Thiên Huế", "Cần Thơ")]
    for g in (gazetteer, *others):
        assert g.find_in(document) == g.find(title, text)
        assert g.is_about_in(document) == g.is_about(title, text)
    assert gazetteer.find_in(document)[0].hits == 2
    assert others[2].find_in(document) == ()  # Cần Thơ is not named


def test_the_quick_check_skips_only_items_that_cannot_name_the_place(gazetteer: Gazetteer) -> None:
    assert not gazetteer.may_name(Document.of("Giá vàng tăng", "Giá vàng tại Hà Nội tăng 200.000 đồng."))
    assert gazetteer.may_name(Document.of("", "đi du lịch da nang dịp hè"))  # folded, lower-case
    assert gazetteer.may_name(Document.of("岘港旅游", ""))  # a name without spaces, searched in the folded text
