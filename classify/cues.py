"""Words around a place name that show it names something other than the place.

Guideline examples of a locality that is only *mentioned*: a sports club named after it
("SHB Đà Nẵng", "Quảng Nam FC"), a person's home town ("quê ở Quảng Nam",
"ông Nguyễn Văn A (Quảng Nam)"), one entry in a list of provinces, one end of a route
("đường sắt Hà Nội - Lào Cai"). Each cue is a short list of folded words, kept as data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass

from core.text import fold

_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class Token:
    """A word or punctuation mark: folded form, how it was written, offset in its field."""

    folded: str
    capital: bool
    start: int
    acronym: bool = False

    @property
    def is_word(self) -> bool:
        """Whether the token is a word (not punctuation)."""
        return self.folded[:1].isalnum()


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into words and punctuation marks (``text`` should be NFC)."""
    return [
        Token(fold(word), word[:1].isupper(), m.start(), len(word) > 1 and word.isupper())
        for m in _TOKEN.finditer(text)
        for word in (m.group(),)
    ]


def _phrases(*texts: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(t.folded for t in tokenize(text)) for text in texts)


#: Words of a match report or race: where they crowd the title and lead, place names are club
#: names or stage towns.
MATCH_REPORT_TERMS = _phrases(
    "V-League", "CLB", "câu lạc bộ", "đội bóng", "bàn thắng", "ghi bàn", "HLV", "cầu thủ", "tiền đạo",
    "tiền vệ", "hậu vệ", "thủ môn", "tỷ số", "trận đấu", "giải hạng Nhất", "Cúp Quốc gia", "vòng đấu",
    "sân nhà", "đội khách", "hiệp một", "hiệp hai", "bóng đá",
    # a cycling race: its stage towns are where it passes, not what it is about
    "tay đua", "chặng đua", "cuarơ", "cua-rơ", "áo vàng", "Cup xe đạp",
)  # fmt: skip
#: Words just before a place name that make it a team ("CLB Đà Nẵng", "đội Quảng Nam").
CLUB_BEFORE = _phrases("CLB", "câu lạc bộ", "đội", "đội bóng", "đội tuyển", "FC")
#: Words just after a place name that make it a team ("Quảng Nam FC").
CLUB_AFTER = _phrases("FC", "F.C")
#: Words just before a place name that make it someone's home town ("quê ở Quảng Nam").
HOME_TOWN_BEFORE = _phrases(
    "quê", "quê ở", "quê tại", "quê quán", "quê quán ở", "quê quán tại", "quê hương", "quê nhà", "quê gốc",
    "sinh ra ở", "sinh ra tại", "sinh ra và lớn lên ở", "sinh ra và lớn lên tại", "sinh trưởng ở",
)  # fmt: skip
#: Titles before a person's name; "ông Nguyễn Văn A (Quảng Nam)" gives his home town or constituency.
PERSON_TITLES = _phrases(
    "ông", "bà", "anh", "chị", "em", "cụ", "cháu", "đại biểu", "nhà văn", "nhà thơ", "ca sĩ", "nghệ sĩ",
    "cầu thủ", "VĐV", "vận động viên", "tay đua", "tay vợt", "bị can", "bị cáo",
)  # fmt: skip
#: Family and middle names: a place name right after one is part of a person's name
#: ("Nguyễn Thái Bình", "Trần Thị Hà Giang"), not the place.
PERSON_NAME_BEFORE = frozenset(
    fold(name)
    for name in (
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô",
        "Đào", "Đinh", "Trương", "Trịnh", "Lưu", "Đoàn", "Văn", "Thị", "Tạ", "Lương", "Vương", "Châu",
    )
)  # fmt: skip
#: Marks that join the entries of a list ("Hà Nội, Huế và Đà Nẵng") or the ends of a route.
LIST_JOINERS = frozenset({",", ";", "/", "-", "–", "va"})
ROUTE_JOINERS = frozenset({"-", "–"})
_LONGEST_PHRASE = max(len(p) for p in MATCH_REPORT_TERMS | CLUB_BEFORE | CLUB_AFTER | HOME_TOWN_BEFORE | PERSON_TITLES)


def _ends_with(tokens: Sequence[Token], end: int, phrases: frozenset[tuple[str, ...]]) -> bool:
    words = tuple(t.folded for t in tokens[max(0, end - _LONGEST_PHRASE) : end])
    return any(words[len(words) - n :] in phrases for n in range(1, len(words) + 1))


def _starts_with(tokens: Sequence[Token], start: int, phrases: frozenset[tuple[str, ...]]) -> bool:
    words = tuple(t.folded for t in tokens[start : start + _LONGEST_PHRASE])
    return any(words[:n] in phrases for n in range(1, len(words) + 1))


def is_match_report(title: Sequence[Token], text: Sequence[Token], lead_end: int) -> bool:
    """Whether the title and the part of ``text`` before ``lead_end`` hold two or more distinct match words."""
    words = [t.folded for t in title] + [t.folded for t in text if t.start < lead_end]
    found = {
        tuple(words[i : i + n])
        for i in range(len(words))
        for n in range(1, _LONGEST_PHRASE + 1)
        if tuple(words[i : i + n]) in MATCH_REPORT_TERMS
    }
    return len(found) >= 2


def _names_person(tokens: Sequence[Token], open_paren: int) -> bool:
    """Whether ``tokens[:open_paren]`` ends with a title and a capitalised name ("ông Lê Văn Hồng")."""
    i = open_paren
    while i > 0 and tokens[i - 1].is_word and tokens[i - 1].capital and open_paren - i < 5:
        i -= 1
        if _ends_with(tokens, i, PERSON_TITLES):
            return True
    return False


def _in_person_name(tokens: Sequence[Token], start: int, ours: Set[int]) -> bool:
    """Whether up to three capitalised words before ``start`` hold a family or middle name.

    "Nguyễn Thái Bình" and "ông Nguyễn Quang Vinh" name people; acronyms ("UBND Hà Nội")
    and the profile's own names stop the walk.
    """
    i = start
    while i > 0 and start - i < 3:
        word = tokens[i - 1]
        if i - 1 in ours or not word.is_word or not word.capital or word.acronym:
            return False
        if word.folded in PERSON_NAME_BEFORE:
            return True
        i -= 1
    return False


def _names_organisation(tokens: Sequence[Token], end: int) -> bool:
    """Whether an acronym in brackets follows: "Tập đoàn Xây dựng Hòa Bình (HBC)" names a company."""
    return (
        end + 2 < len(tokens)
        and tokens[end].folded == "("
        and tokens[end + 1].acronym
        and tokens[end + 2].folded == ")"
    )


def _joined_entries(tokens: Sequence[Token], start: int, end: int, ours: Set[int]) -> tuple[list[str], list[str]]:
    """The joiners of other places listed before and after ``tokens[start:end]``.

    An entry is a run of capitalised words; entries covering a token in ``ours`` (the
    profile's own names) are skipped: "Đà Nẵng - Quảng Nam" is still about both.
    """
    before: list[str] = []
    i = start  # walk left: joiner, then a capitalised name ending just before it
    while i >= 2 and tokens[i - 1].folded in LIST_JOINERS and tokens[i - 2].is_word and tokens[i - 2].capital:
        joiner = tokens[i - 1].folded
        i -= 2
        while i > 0 and tokens[i - 1].is_word and tokens[i - 1].capital:
            i -= 1
        if ours.isdisjoint(range(i, start)):
            before.append(joiner)
    after: list[str] = []
    j = end  # walk right: joiner, then a capitalised name
    while j + 1 < len(tokens) and tokens[j].folded in LIST_JOINERS and tokens[j + 1].is_word and tokens[j + 1].capital:
        joiner, entry = tokens[j].folded, j + 1
        j += 2
        while j < len(tokens) and tokens[j].is_word and tokens[j].capital:
            j += 1
        if ours.isdisjoint(range(entry, j)):
            after.append(joiner)
    return before, after


def _listed(tokens: Sequence[Token], start: int, end: int, ours: Set[int]) -> str | None:
    before, after = _joined_entries(tokens, start, end, ours)
    if not after and before and set(before) == {","}:
        return None  # the last link of a comma chain is an address: "thôn Bình An, Hàm Chính, Bình Thuận"
    if len(before) + len(after) >= 2:
        return "list"
    if len(before) + len(after) == 1 and set(before + after) & ROUTE_JOINERS:
        return "route"
    return None


def discount_reason(tokens: Sequence[Token], start: int, end: int, ours: Set[int], *, match_report: bool) -> str | None:
    """Why the place name at ``tokens[start:end]`` names something else, or ``None`` if it names the place.

    Args:
        tokens: the field (title or body) the name was found in.
        start: index of the name's first token.
        end: index just past its last token.
        ours: indices of every token that belongs to one of the profile's names.
        match_report: whether the item reads as a match report (``is_match_report``).

    Returns:
        ``"club"``, ``"home_town"``, ``"person"`` (part of a person's name), ``"organisation"``
        (an acronym in brackets follows), ``"list"`` (joined to two or more other places),
        ``"route"`` (joined to another place by a dash) or ``None``.
    """
    if match_report or _ends_with(tokens, start, CLUB_BEFORE) or _starts_with(tokens, end, CLUB_AFTER):
        return "club"
    if _ends_with(tokens, start, HOME_TOWN_BEFORE) or (
        start > 0 and tokens[start - 1].folded == "(" and _names_person(tokens, start - 1)
    ):
        return "home_town"
    if _in_person_name(tokens, start, ours):
        return "person"
    if _names_organisation(tokens, end):
        return "organisation"
    return _listed(tokens, start, end, ours)
