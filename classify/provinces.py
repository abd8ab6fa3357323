"""Every Vietnamese province, as data: which locality an item is about, when none is given.

``classify/provinces.json`` lists the 63 provinces and centrally-run cities that existed
before the 1 July 2025 merger, the unit each became part of (34 after), short forms, and
main cities, towns, former districts and well-known places. Coverage and the labelled
dev set still name the pre-2025 units, so those are the names reported.

Each province gets its own ``Gazetteer``: the about-vs-mention cues need to know which
names are *other* places (a list of provinces is a list only if the other entries are
not ours), so one gazetteer holding every province at once would miss lists.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from classify.gazetteer import Document, Gazetteer
from core.locality import FormerUnit, LocalityProfile


@dataclass(frozen=True, slots=True)
class Province:
    """A pre-2025 province: its names and the post-2025 unit it belongs to."""

    name: str
    merged_into: str
    aliases: tuple[str, ...]
    places: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LocalityFound:
    """A province named in an item, whether the item is about it, and how often it is named."""

    name: str
    about: bool
    hits: int


@cache
def _data() -> Mapping[str, object]:
    text = resources.files("classify").joinpath("provinces.json").read_text(encoding="utf-8")
    data: Mapping[str, object] = json.loads(text)
    return data


@cache
def provinces() -> tuple[Province, ...]:
    """The 63 pre-2025 provinces, in the file's order."""
    rows = _data()["provinces"]
    assert isinstance(rows, list)
    return tuple(Province(r["name"], r["merged_into"], tuple(r["aliases"]), tuple(r["places"])) for r in rows)


def not_places() -> tuple[str, ...]:
    """Phrases that contain a place name but name something else ("Vinh danh", "Thái Bình Dương")."""
    names = _data()["not_places"]
    assert isinstance(names, list)
    return tuple(str(n) for n in names)


def current_units() -> dict[str, tuple[str, ...]]:
    """Post-2025 unit → the pre-2025 provinces merged into it."""
    table = _data()["current"]
    assert isinstance(table, dict)
    return {str(k): tuple(v) for k, v in table.items()}


def province_profile(name: str, extra: Sequence[str] = ()) -> LocalityProfile:
    """A profile for one pre-2025 province: its names, short forms and places.

    Args:
        name: the pre-2025 name, as in the labelled set ("Quảng Nam", "TP Hồ Chí Minh").
        extra: more names to add (e.g. from a project's own profile).

    Raises:
        KeyError: ``name`` is not a pre-2025 province; the message lists where to look.
    """
    for province in provinces():
        if province.name == name:
            return LocalityProfile(name=province.name, aliases=(*province.aliases, *extra), places=province.places)
    raise KeyError(f"{name!r} is not a pre-2025 province name; see classify/provinces.json")


def profile_with_former(name: str) -> LocalityProfile:
    """A post-2025 unit with the provinces merged into it as former units."""
    merged = current_units().get(name)
    if merged is None:
        raise KeyError(f"{name!r} is not a post-2025 unit; see 'current' in classify/provinces.json")
    own = next((p for p in provinces() if p.name == name), None)
    former = tuple(
        FormerUnit(p.name, aliases=p.aliases, places=p.places) for p in provinces() if p.name in merged and p is not own
    )
    return LocalityProfile(
        name=name,
        aliases=own.aliases if own else (),
        places=own.places if own else (),
        former=former,
    )


@cache
def _gazetteers() -> tuple[tuple[Province, Gazetteer], ...]:
    return tuple((p, Gazetteer(province_profile(p.name), not_places())) for p in provinces())


def find_localities(title: str, text: str, *, document: Document | None = None) -> list[LocalityFound]:
    """Every province the item names, the ones it is about first, then by how often named.

    The item is tokenised once (``document``, built here when not given) and only the
    provinces with a name among its word sequences are checked in full.
    """
    document = document or Document.of(title, text)
    found = []
    for province, gazetteer in _gazetteers():
        mentions = gazetteer.find_in(document)
        if mentions:
            hits = sum(m.hits for m in mentions)
            found.append(LocalityFound(province.name, any(m.about for m in mentions), hits))
    found.sort(key=lambda f: (not f.about, -f.hits))
    return found


def main_locality(title: str, text: str) -> str | None:
    """The province the item is most about, else the most named, else ``None``."""
    found = find_localities(title, text)
    return found[0].name if found else None
