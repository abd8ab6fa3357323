"""The item view shows how far its story went: outlets, item count, and the other items of it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from classify.stories import StoryIndex
from core import Item, Store
from core.identity import item_id
from core.item import Fetched


def test_an_item_shows_its_storys_outlets_and_other_items(
    client: TestClient, api_client: TestClient, store: Store, items: list[Item], tmp_path: Path
) -> None:
    hospital = items[0]
    assert hospital.classified is not None and hospital.published is not None
    url = "https://nld.example/benh-vien-da-nang-qua-tai.html"
    copy = replace(
        hospital,
        id=item_id(url),
        fetched=Fetched(url=url, source_id="nld", outlet="Người Lao Động", fetched_at=hospital.fetched.fetched_at),
    )
    stories = StoryIndex(tmp_path / "stories.db")
    first = stories.assign(hospital.id, hospital.title, hospital.text, outlet="Tuổi Trẻ", seen=hospital.published)
    second = stories.assign(
        copy.id, copy.title, copy.text, outlet="Người Lao Động", seen=hospital.published + timedelta(hours=3)
    )
    stories.close()
    assert first == second == hospital.id  # the re-publication joined the first item's story
    store.upsert(
        [
            hospital.with_classified(replace(hospital.classified, cluster_id=first)),
            copy.with_classified(replace(hospital.classified, cluster_id=first)),
        ]
    )

    page = client.get(f"/items/{hospital.id}")
    assert page.status_code == 200
    assert "Cùng một câu chuyện" in page.text
    assert "2 nguồn tin, 2 tin" in page.text
    assert "Người Lao Động, Tuổi Trẻ" in page.text
    assert f'href="/items/{copy.id}"' in page.text

    detail = api_client.get(f"/api/items/{copy.id}").json()
    assert detail["story"]["cluster_id"] == first
    assert detail["story"]["items"] == [hospital.id, copy.id]
    assert detail["story"]["outlets"] == ["Người Lao Động", "Tuổi Trẻ"]


def test_an_item_in_no_story_shows_none_and_no_index_is_created(
    client: TestClient, api_client: TestClient, items: list[Item], tmp_path: Path
) -> None:
    tourists = items[1]
    page = client.get(f"/items/{tourists.id}")
    assert page.status_code == 200 and "Cùng một câu chuyện" not in page.text
    assert api_client.get(f"/api/items/{tourists.id}").json()["story"] is None
    assert not (tmp_path / "stories.db").exists()
