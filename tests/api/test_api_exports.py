"""The public surface the composition root is written against."""

from __future__ import annotations

import inspect

import api


def test_public_names() -> None:
    assert sorted(api.__all__) == ["AuditEntry", "AuditLog", "create_app"]
    assert list(inspect.signature(api.create_app).parameters) == [
        "settings",
        "store",
        "audit",
        "config",
        "alerts",
        "embedder",
        "saved",
        "accounts",
        "factchecks",
    ]
    assert list(inspect.signature(api.AuditLog.record).parameters) == ["self", "action", "actor", "detail", "at"]
