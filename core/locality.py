"""The locality profile: every name by which coverage may refer to the monitored locality.

Vietnam merged provinces and abolished the district level on 1 July 2025, so coverage
names the locality by its current name and by the names of the units merged into it
(e.g. Quảng Nam is now part of Đà Nẵng). Matching is done on folded text, so names
match with and without diacritics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.text import fold


@dataclass(frozen=True, slots=True)
class PlaceName:
    """A name that points at the locality.

    Attributes:
        name: the name as written (Vietnamese with diacritics, or a foreign script).
        canonical: the unit it belongs to: the locality itself or a former unit merged into it.
        kind: ``locality``, ``former``, ``place`` (commune, ward, old district), ``landmark``,
            ``product`` or ``foreign``.
        strong: whether the name alone is evidence the item is about the locality
            (a province name is; a signature product is weaker).
    """

    name: str
    canonical: str
    kind: str
    strong: bool = True


@dataclass(frozen=True, slots=True)
class FormerUnit:
    """An administrative unit merged into the locality, with the date it stopped existing."""

    name: str
    kind: str = "province"
    until: date | None = None
    aliases: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LocalityProfile:
    """Names of the locality, its former units, places, landmarks and products.

    Attributes:
        name: the current official name, e.g. ``"Đà Nẵng"``.
        kind: ``"city"`` (thành phố trực thuộc trung ương) or ``"province"``.
        aliases: other current forms (``"TP Đà Nẵng"``).
        foreign: language code → names in that language (``{"en": ("Da Nang",), "ko": ("다낭",)}``).
        former: units merged into the locality.
        places: communes, wards and former districts of the current unit.
        landmarks: landmarks and attractions.
        products: signature products.
    """

    name: str
    kind: str = "province"
    aliases: tuple[str, ...] = ()
    foreign: dict[str, tuple[str, ...]] = field(default_factory=dict)
    former: tuple[FormerUnit, ...] = ()
    places: tuple[str, ...] = ()
    landmarks: tuple[str, ...] = ()
    products: tuple[str, ...] = ()

    def place_names(self) -> tuple[PlaceName, ...]:
        """Every name to look for, each tagged with the unit it points at."""
        out: list[PlaceName] = [PlaceName(self.name, self.name, "locality")]
        out += [PlaceName(a, self.name, "locality") for a in self.aliases]
        for unit in self.former:
            out.append(PlaceName(unit.name, unit.name, "former"))
            out += [PlaceName(a, unit.name, "former") for a in unit.aliases]
            out += [PlaceName(p, unit.name, "place") for p in unit.places]
        out += [PlaceName(p, self.name, "place") for p in self.places]
        out += [PlaceName(p, self.name, "landmark") for p in self.landmarks]
        out += [PlaceName(p, self.name, "product", strong=False) for p in self.products]
        # Foreign names come last: where one transliterates a Vietnamese name listed above
        # ("Hoi An"), the Vietnamese entry, which knows the former unit, wins the lookup.
        for names in self.foreign.values():
            out += [PlaceName(n, self.name, "foreign") for n in names]
        return tuple(out)

    def canonical_names(self) -> tuple[str, ...]:
        """The locality and its former units, current name first."""
        return (self.name, *(u.name for u in self.former))

    def folded_names(self) -> dict[str, PlaceName]:
        """Folded name → place name, for accent-insensitive lookup (first definition wins)."""
        table: dict[str, PlaceName] = {}
        for place in self.place_names():
            table.setdefault(fold(place.name), place)
        return table
