"""UI strings of the admin and source-health pages; merged into ``api.i18n.MESSAGES``."""

from __future__ import annotations

from collections.abc import Mapping

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "vi": {},
    "en": {},
}
