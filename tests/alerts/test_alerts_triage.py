"""Triage rules against the real triage memory (SQLite) and alert book."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from alerts import AlertBook, Sightings, Triage, saved_search_decision
from core import ClaimMatch, Item, ProjectConfig, Stance, Topic, Urgency

MakeItem = Callable[..., Item]


def _in_cluster(item: Item, cluster: str, outlet: str, language: str = "vi") -> Item:
    assert item.classified is not None and item.extracted is not None
    return replace(
        item,
        fetched=replace(item.fetched, outlet=outlet),
        extracted=replace(item.extracted, language=language),
        classified=replace(item.classified, cluster_id=cluster),
    )


def test_auto_tier_false_claim_is_urgent_with_its_evidence(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    claim = ClaimMatch("fc-1", 0.93, "auto", "https://factcheck.example/fc-1")
    weak = make_item(url="https://b.example/2", claims=(ClaimMatch("fc-2", 0.6, "suggest", "https://x.example"),))
    strong = make_item(url="https://b.example/1", stance=Stance.NEUTRAL, claims=(claim,))
    decided = Triage(config, Sightings(tmp_path / "t.db")).decide([strong, weak], now)
    (first,) = decided[strong.id]
    assert first.trigger == "false_claim"
    assert first.routed.urgency is Urgency.URGENT
    assert first.evidence_url == "https://factcheck.example/fc-1"
    assert first.routed.unit_id == "health"
    # A suggest-tier match is for an analyst: the item is routed only for being negative.
    assert [d.trigger for d in decided[weak.id]] == ["negative"]
    assert decided[weak.id][0].routed.urgency is Urgency.ROUTINE


def test_one_alert_per_story_updated_as_it_spreads(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    triage = Triage(config, Sightings(tmp_path / "t.db"))
    book = AlertBook(tmp_path / "alerts.db")
    outlets = ["Báo Mới", "Tuổi Trẻ", "VnExpress", "Thanh Niên"]
    triggers = []
    for n, outlet in enumerate(outlets):
        item = _in_cluster(make_item(url=f"https://site{n}.example/a"), "story-1", outlet)
        (decision,) = triage.decide([item], now + timedelta(minutes=n))[item.id]
        triggers.append(decision.trigger)
        book.record(item, decision.routed, cluster_id=decision.cluster_id, trigger=decision.trigger)
    # Wide reach from the third outlet on (routing.wide_reach_outlets = 3).
    assert triggers == ["negative", "negative", "wide_reach", "wide_reach"]
    (alert,) = book.listing()
    assert alert.cluster_id == "story-1"
    assert alert.spread == 4
    assert set(alert.outlets) == set(outlets)
    assert alert.urgency is Urgency.URGENT
    assert "lan rộng" in alert.reason
    assert alert.updated_at is not None


def test_a_story_already_digested_goes_back_in_the_queue_when_it_spreads(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    triage = Triage(config, Sightings(tmp_path / "t.db"))
    book = AlertBook(tmp_path / "alerts.db")
    first = _in_cluster(make_item(url="https://a.example/1"), "story-2", "Báo Mới")
    (d,) = triage.decide([first], now)[first.id]
    alert = book.record(first, d.routed, cluster_id=d.cluster_id)
    book.mark_digested([alert.id], "k1", now)
    assert book.pending("health") == []
    again = _in_cluster(make_item(url="https://a.example/1-copy"), "story-2", "Báo Mới")
    (d,) = triage.decide([again], now)[again.id]
    book.record(again, d.routed, cluster_id=d.cluster_id)
    assert book.pending("health") == []  # the same outlet again is no news
    wider = _in_cluster(make_item(url="https://b.example/1"), "story-2", "Tuổi Trẻ")
    (d,) = triage.decide([wider], now)[wider.id]
    book.record(wider, d.routed, cluster_id=d.cluster_id)
    (pending,) = book.pending("health")
    assert pending.id == alert.id and pending.spread == 2


def test_negative_foreign_coverage_is_copied_to_foreign_affairs(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    item = _in_cluster(make_item(url="https://news.example/en"), "", "Example Daily", language="en")
    decisions = Triage(config, Sightings(tmp_path / "t.db")).decide([item], now)[item.id]
    assert [(d.routed.unit_id, d.trigger) for d in decisions] == [
        ("health", "negative"),
        ("foreign-affairs", "foreign_negative"),
    ]
    assert "tiếng Anh" in decisions[1].routed.reason
    positive = make_item(url="https://news.example/en2", stance=Stance.POSITIVE)
    assert Triage(config, Sightings(tmp_path / "t.db")).decide([positive], now) == {}


def _topic_items(make_item: MakeItem, day: datetime, count: int, tag: str) -> list[Item]:
    items = []
    for n in range(count):
        item = make_item(url=f"https://spike.example/{tag}/{n}", stance=Stance.NEUTRAL, topic=Topic.EDUCATION)
        assert item.extracted is not None
        items.append(replace(item, extracted=replace(item.extracted, published=day + timedelta(minutes=n))))
    return items


def test_spike_is_today_against_the_trailing_mean_plus_k_sd(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    triage = Triage(config, Sightings(tmp_path / "t.db"))
    # Fourteen days of history with 1 or 2 education items a day: mean 1.5, sd 0.5 → threshold max(5, 3.0).
    for back in range(14, 0, -1):
        day = now - timedelta(days=back)
        triage.decide(_topic_items(make_item, day, 1 + back % 2, f"h{back}"), day)
    quiet = triage.decide(_topic_items(make_item, now, 4, "today-a"), now)
    assert quiet == {}, "4 items stay under the floor of spike_min_items = 5"
    loud = triage.decide(_topic_items(make_item, now, 2, "today-b"), now)
    spikes = [d for decisions in loud.values() for d in decisions if d.trigger == "spike"]
    assert len(spikes) == 1
    spike = triage.spike(Topic.EDUCATION, (now + timedelta(hours=7)).date())
    assert spike is not None and spike.count == 6
    assert spike.mean == 1.5 and spike.sd == 0.5
    assert spikes[0].routed.unit_id == "education"
    assert spikes[0].cluster_id == f"spike:education:{spike.day.isoformat()}"
    assert "vượt ngưỡng 5.0" in spikes[0].routed.reason


def test_no_spike_before_the_memory_covers_the_baseline(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    triage = Triage(config, Sightings(tmp_path / "t.db"))
    assert triage.decide(_topic_items(make_item, now, 30, "burst"), now) == {}


def test_saved_search_match_becomes_a_routine_alert_for_the_chosen_unit(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    item = make_item(stance=Stance.POSITIVE)
    decision = saved_search_decision("Cầu Rồng", "culture-tourism", item.classified, now)
    alert = AlertBook(tmp_path / "a.db").record(item, decision.routed, cluster_id="", trigger=decision.trigger)
    assert alert.unit_id == "culture-tourism"
    assert alert.trigger == "saved_search"
    assert "Cầu Rồng" in alert.reason
