"""Needs-response routing decisions on the Đà Nẵng profile."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from alerts import route, topic_name
from core import ClaimMatch, Item, ProjectConfig, Stance, Topic, Urgency

MakeItem = Callable[..., Item]


def test_negative_item_about_the_locality_goes_to_the_topic_owner(
    config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    routed = route(make_item(), config, now)

    assert routed is not None
    assert routed.unit_id == "health"
    assert routed.urgency is Urgency.ROUTINE
    assert routed.routed_at == now
    assert routed.reason == "Tin tiêu cực về Đà Nẵng, chủ đề: y tế"


def test_positive_and_neutral_items_need_no_response(config: ProjectConfig, make_item: MakeItem, now: datetime) -> None:
    assert route(make_item(stance=Stance.POSITIVE), config, now) is None
    assert route(make_item(stance=Stance.NEUTRAL), config, now) is None


def test_item_not_about_the_locality_needs_no_response(
    config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    assert route(make_item(about=False), config, now) is None


def test_unclassified_item_is_not_routed(config: ProjectConfig, make_item: MakeItem, now: datetime) -> None:
    assert route(make_item(classified=False), config, now) is None


def test_topic_nobody_owns_goes_to_the_coordinating_office(
    config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    unowned = route(make_item(topic=Topic.AGRICULTURE), replace(config, units=config.units[:2]), now)
    untopical = route(make_item(topic=None), config, now)

    assert unowned is not None and unowned.unit_id == "press-office"
    assert untopical is not None and untopical.unit_id == "press-office"
    assert "chưa xác định" in untopical.reason


def test_auto_tier_claim_match_is_urgent_even_when_not_negative(
    config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    claim = ClaimMatch("fc-0042", score=0.93, tier="auto", url="https://factcheck.example/0042")
    routed = route(make_item(stance=Stance.NEUTRAL, topic=Topic.PUBLIC_SAFETY_CRIME, claims=(claim,)), config, now)

    assert routed is not None
    assert routed.urgency is Urgency.URGENT
    assert routed.unit_id == "police"
    assert "đính chính là sai" in routed.reason
    assert topic_name(Topic.PUBLIC_SAFETY_CRIME) in routed.reason


def test_suggested_claim_match_alone_is_left_to_an_analyst(
    config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    claim = ClaimMatch("fc-0042", score=0.7, tier="suggest")
    assert route(make_item(stance=Stance.NEUTRAL, claims=(claim,)), config, now) is None


def test_routing_settings_are_honoured(config: ProjectConfig, make_item: MakeItem, now: datetime) -> None:
    strict = replace(config, routing=replace(config.routing, min_stance_confidence=0.95))
    off = replace(config, routing=replace(config.routing, negative_needs_response=False))

    assert route(make_item(stance_confidence=0.9), strict, now) is None
    assert route(make_item(stance_confidence=0.95), strict, now) is not None
    assert route(make_item(), off, now) is None
