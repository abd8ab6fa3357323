"""The project config file (TOML): locality profile, sources, units and routing.

Loaded once at start and validated; every problem is reported with the key path and
what to write instead, so an office can fix its own file.
"""

from __future__ import annotations

import re
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

#: A local clock time, ``HH:MM`` (24-hour).
_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _within(clock: str, start: str, end: str) -> bool:
    """Whether ``clock`` lies in the quiet window ``[start, end)``, which may wrap past midnight."""
    return start <= clock < end if start <= end else clock >= start or clock < end


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
    # Listing sources (kind = "listing"): pages whose links the spiders follow to articles.
    listing_urls: list[str] = []
    article_pattern: str = ""
    article_css: str = ""
    delay_seconds: float | None = Field(default=None, gt=0, le=3600)

    @field_validator("listing_urls")
    @classmethod
    def _listing_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not re.match(r"^https?://", url):
                raise ValueError(f"{url!r} is not a web address; write full http(s):// URLs of listing pages")
        return value

    @field_validator("article_pattern")
    @classmethod
    def _article_pattern(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"{value!r} is not a regular expression ({exc}); e.g. '/[a-z0-9-]+-\\d+\\.html$'") from exc
        return value

    @field_validator("article_css")
    @classmethod
    def _article_css(cls, value: str) -> str:
        if value:
            # cssselect comes with Scrapy (through parsel); imported here only when a selector is set.
            from cssselect import GenericTranslator, SelectorError  # noqa: PLC0415

            try:
                GenericTranslator().css_to_xpath(value)
            except SelectorError as exc:
                raise ValueError(f"{value!r} is not a CSS selector ({exc}); e.g. 'h3.title a'") from exc
        return value

    @model_validator(mode="after")
    def _listing(self) -> SourceModel:
        listing_keys = [key for key in ("listing_urls", "article_pattern", "article_css") if getattr(self, key)]
        if self.kind is SourceKind.LISTING and not (self.article_pattern or self.article_css):
            raise ValueError(
                'kind = "listing" needs article_pattern (a regular expression article URLs match) or '
                "article_css (a CSS selector for the article links), so the spider can tell articles from menus"
            )
        if self.kind is not SourceKind.LISTING and listing_keys:
            raise ValueError(f'{", ".join(listing_keys)} only apply to kind = "listing"; remove them or set the kind')
        return self


class AckHoursModel(_Model):
    urgent: float = Field(default=4.0, gt=0, le=24 * 30)
    routine: float = Field(default=48.0, gt=0, le=24 * 30)


class UnitModel(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    topics: list[Topic] = []
    email: list[str] = []
    webhook: str = ""
    coordinating: bool = False
    digest: Literal["hourly", "daily", "weekly"] = "daily"
    webhook_secret_env: str = Field(default="", pattern=r"^([A-Z][A-Z0-9_]*)?$")
    digest_at: str = Field(default="08:00", pattern=_CLOCK)
    quiet_hours: list[str] = []
    ack_hours: AckHoursModel = AckHoursModel()
    escalate_to: str = ""

    @field_validator("webhook")
    @classmethod
    def _webhook(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not a web address; write the receiver's https:// URL or leave it empty")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: list[str]) -> list[str]:
        if value and (len(value) != 2 or not all(re.fullmatch(_CLOCK, v) for v in value)):
            raise ValueError('write quiet hours as two local times, e.g. ["22:00", "06:30"], or leave them out')
        return value

    @model_validator(mode="after")
    def _channels(self) -> UnitModel:
        if self.webhook and not self.webhook_secret_env:
            raise ValueError(
                "a webhook needs `webhook_secret_env`, the name of the environment variable holding its "
                'signing secret (e.g. "PRESSDESK_WEBHOOK_SECRET_HEALTH")'
            )
        if self.quiet_hours and self.digest != "hourly" and _within(self.digest_at, *self.quiet_hours):
            raise ValueError(
                f"digest_at {self.digest_at} falls inside quiet_hours {self.quiet_hours[0]}–{self.quiet_hours[1]}; "
                "move the digest or the quiet hours"
            )
        return self

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
    wide_reach_outlets: int = Field(default=3, ge=2)
    spike_baseline_days: int = Field(default=14, ge=3, le=90)
    spike_sd: float = Field(default=3.0, gt=0)
    spike_min_items: int = Field(default=5, ge=1)
    foreign_negative: bool = True


class ReportModel(_Model):
    parent: str = "ỦY BAN NHÂN DÂN THÀNH PHỐ"
    issuer: str = "CƠ QUAN THEO DÕI THÔNG TIN"
    number_code: str = "BC"
    place: str = ""
    signer_title: str = "THỦ TRƯỞNG CƠ QUAN"
    recipients: list[str] = ["Lưu: VT."]


class ProjectModel(_Model):
    locality: LocalityModel
    sources: list[SourceModel] = []
    units: list[UnitModel] = Field(min_length=1)
    routing: RoutingModel = RoutingModel()
    report: ReportModel = ReportModel()

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
        for n, unit in enumerate(self.units):
            if unit.escalate_to and unit.escalate_to not in ids:
                raise ValueError(
                    f"units.{n}.escalate_to: no unit {unit.escalate_to!r}; use one of {', '.join(ids)} "
                    "or leave it empty for the coordinating office"
                )
        return self


@dataclass(frozen=True, slots=True)
class Routing:
    """Which items need a response, and the triage thresholds (see docs/alerts.md).

    Attributes:
        wide_reach_outlets: a negative story carried by at least this many outlets is urgent.
        spike_baseline_days: days of history the topic volume baseline is taken over.
        spike_sd: a day is a spike above mean + ``spike_sd`` standard deviations of the baseline.
        spike_min_items: and only with at least this many items (a quiet topic going 0 → 2 is no spike).
        foreign_negative: negative foreign-language coverage also goes to the foreign-affairs unit.
    """

    negative_needs_response: bool = True
    min_stance_confidence: float = 0.0
    wide_reach_outlets: int = 3
    spike_baseline_days: int = 14
    spike_sd: float = 3.0
    spike_min_items: int = 5
    foreign_negative: bool = True


@dataclass(frozen=True, slots=True)
class ReportHeading:
    """What the administrative report's heading says (Decree 30/2020/NĐ-CP): who issues it, to whom."""

    parent: str = "ỦY BAN NHÂN DÂN THÀNH PHỐ"
    issuer: str = "CƠ QUAN THEO DÕI THÔNG TIN"
    number_code: str = "BC"
    place: str = ""
    signer_title: str = "THỦ TRƯỞNG CƠ QUAN"
    recipients: tuple[str, ...] = ("Lưu: VT.",)


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """The validated project config."""

    locality: LocalityProfile
    sources: tuple[Source, ...]
    units: tuple[Unit, ...]
    routing: Routing
    path: Path | None = None
    report: ReportHeading = ReportHeading()

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

    def unit(self, unit_id: str) -> Unit | None:
        """The unit with this id, or ``None``."""
        return next((u for u in self.units if u.id == unit_id), None)

    def escalation_unit(self, unit: Unit) -> Unit:
        """Where ``unit``'s overdue alerts go: its ``escalate_to``, else the coordinating office."""
        target = self.unit(unit.escalate_to) if unit.escalate_to else None
        return target or self.coordinating_unit


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
            listing_urls=tuple(s.listing_urls),
            article_pattern=s.article_pattern,
            article_css=s.article_css,
            delay_seconds=s.delay_seconds,
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
            webhook_secret_env=u.webhook_secret_env,
            digest_at=u.digest_at,
            quiet_hours=(u.quiet_hours[0], u.quiet_hours[1]) if u.quiet_hours else None,
            ack_urgent_hours=u.ack_hours.urgent,
            ack_routine_hours=u.ack_hours.routine,
            escalate_to=u.escalate_to,
        )
        for u in model.units
    )
    r = model.routing
    routing = Routing(
        r.negative_needs_response,
        r.min_stance_confidence,
        wide_reach_outlets=r.wide_reach_outlets,
        spike_baseline_days=r.spike_baseline_days,
        spike_sd=r.spike_sd,
        spike_min_items=r.spike_min_items,
        foreign_negative=r.foreign_negative,
    )
    h = model.report
    report = ReportHeading(
        parent=h.parent,
        issuer=h.issuer,
        number_code=h.number_code,
        place=h.place or loc.name,
        signer_title=h.signer_title,
        recipients=tuple(h.recipients),
    )
    return ProjectConfig(locality=locality, sources=sources, units=units, routing=routing, path=path, report=report)


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
    except RecursionError as exc:  # tomllib recurses once per nested array or inline table
        raise ConfigError(f"{path} nests arrays or inline tables too deeply to read; flatten them") from exc
    return parse_config(data, path)
