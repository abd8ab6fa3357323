"""The project config file (TOML): locality profile, sources, units and routing.

Loaded once at start and validated; every problem is reported with the key path and
what to write instead, so an office can fix its own file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.enums import SourceKind, Topic
from core.errors import ConfigError
from core.locality import FormerUnit, LocalityProfile
from core.source import Outlet, Source
from core.unit import Unit


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FormerUnitModel(_Model):
    name: str = Field(min_length=1)
    kind: str = "province"
    until: date | None = None
    aliases: list[str] = []
    places: list[str] = []


class LocalityModel(_Model):
    name: str = Field(min_length=1)
    kind: Literal["city", "province"] = "province"
    aliases: list[str] = []
    foreign: dict[str, list[str]] = {}
    former: list[FormerUnitModel] = []
    places: list[str] = []
    landmarks: list[str] = []
    products: list[str] = []


class SourceModel(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    url: str = Field(pattern=r"^https?://")
    outlet: str = Field(min_length=1)
    kind: SourceKind = SourceKind.FEED
    language: str = "vi"
    country: str = "VN"
    priority: bool = False
    interval_minutes: int = Field(default=30, ge=1, le=24 * 60)


class UnitModel(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    topics: list[Topic] = []
    email: list[str] = []
    webhook: str = ""
    coordinating: bool = False
    digest: Literal["hourly", "daily", "weekly"] = "daily"

    @field_validator("email")
    @classmethod
    def _mailboxes(cls, value: list[str]) -> list[str]:
        for address in value:
            if "@" not in address:
                raise ValueError(f"{address!r} is not an e-mail address; use the unit's shared mailbox")
        return value


class RoutingModel(_Model):
    negative_needs_response: bool = True
    min_stance_confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class ProjectModel(_Model):
    locality: LocalityModel
    sources: list[SourceModel] = []
    units: list[UnitModel] = Field(min_length=1)
    routing: RoutingModel = RoutingModel()

    @model_validator(mode="after")
    def _consistent(self) -> ProjectModel:
        ids = [u.id for u in self.units]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"unit ids must be unique; repeated: {', '.join(dupes)}")
        source_ids = [s.id for s in self.sources]
        dupes = sorted({i for i in source_ids if source_ids.count(i) > 1})
        if dupes:
            raise ValueError(f"source ids must be unique; repeated: {', '.join(dupes)}")
        coordinating = [u.id for u in self.units if u.coordinating]
        if len(coordinating) != 1:
            raise ValueError(
                "exactly one unit must have `coordinating = true` (the office that receives what no "
                f"other unit owns); found {len(coordinating)}"
            )
        return self


@dataclass(frozen=True, slots=True)
class Routing:
    """Which items need a response."""

    negative_needs_response: bool = True
    min_stance_confidence: float = 0.0


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """The validated project config."""

    locality: LocalityProfile
    sources: tuple[Source, ...]
    units: tuple[Unit, ...]
    routing: Routing
    path: Path | None = None

    @property
    def coordinating_unit(self) -> Unit:
        """The office that receives what no other unit owns."""
        return next(u for u in self.units if u.coordinating)

    def unit_for(self, topic: Topic | None) -> Unit:
        """The unit that owns ``topic``, else the coordinating office."""
        if topic is not None:
            for unit in self.units:
                if topic in unit.topics:
                    return unit
        return self.coordinating_unit


def _format_errors(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"  - {where}: {err['msg']}")
    return "\n".join(lines)


def parse_config(data: dict[str, object], path: Path | None = None) -> ProjectConfig:
    """Validate an already-parsed TOML mapping.

    Raises:
        ConfigError: listing every invalid key with the reason.
    """
    where = str(path) if path else "config"
    try:
        model = ProjectModel.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{where} is invalid:\n{_format_errors(exc)}") from exc
    loc = model.locality
    locality = LocalityProfile(
        name=loc.name,
        kind=loc.kind,
        aliases=tuple(loc.aliases),
        foreign={lang: tuple(names) for lang, names in loc.foreign.items()},
        former=tuple(FormerUnit(f.name, f.kind, f.until, tuple(f.aliases), tuple(f.places)) for f in loc.former),
        places=tuple(loc.places),
        landmarks=tuple(loc.landmarks),
        products=tuple(loc.products),
    )
    sources = tuple(
        Source(
            id=s.id,
            url=s.url,
            outlet=Outlet(name=s.outlet, country=s.country, language=s.language),
            kind=s.kind,
            priority=s.priority,
            interval_minutes=s.interval_minutes,
        )
        for s in model.sources
    )
    units = tuple(
        Unit(
            id=u.id,
            name=u.name,
            topics=tuple(u.topics),
            emails=tuple(u.email),
            webhook=u.webhook,
            coordinating=u.coordinating,
            digest=u.digest,
        )
        for u in model.units
    )
    routing = Routing(model.routing.negative_needs_response, model.routing.min_stance_confidence)
    return ProjectConfig(locality=locality, sources=sources, units=units, routing=routing, path=path)


def load_config(path: Path) -> ProjectConfig:
    """Read and validate the TOML config at ``path``.

    Raises:
        ConfigError: the file is missing, is not valid TOML, or fails validation.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read config {path}: {exc.strerror}. Set PRESSDESK_CONFIG to your config file "
            "(see pressdesk/profiles/da_nang.toml for an example)"
        ) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid UTF-8 TOML: {exc}") from exc
    return parse_config(data, path)
