"""UI strings of the workspace pages (dashboard, review queue, unit inbox, corrections); merged into the catalogue."""

from __future__ import annotations

from collections.abc import Mapping

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "vi": {},
    "en": {},
}
