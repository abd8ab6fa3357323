"""The public surface the composition root is written against."""

from __future__ import annotations

import dataclasses
import inspect

import alerts


def test_every_exported_name_exists_and_is_documented() -> None:
    for name in alerts.__all__:
        obj = getattr(alerts, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"alerts.{name} has no docstring"


def test_contract_signatures() -> None:
    assert list(inspect.signature(alerts.route).parameters) == ["item", "config", "now"]
    assert list(inspect.signature(alerts.compose_digest).parameters) == ["unit", "alerts", "public_url", "now"]
    digests = inspect.signature(alerts.send_digests).parameters
    assert list(digests)[:5] == ["book", "config", "notifier", "public_url", "now"]
    # Later additions are keyword-only, so existing callers keep working.
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(digests.values())[5:])
    assert list(inspect.signature(alerts.SmtpNotifier).parameters) == [
        "host",
        "port",
        "sender",
        "username",
        "password",
        "starttls",
        "timeout",
    ]
    assert [f.name for f in dataclasses.fields(alerts.Alert)][:14] == [
        "id",
        "item_id",
        "unit_id",
        "title",
        "url",
        "outlet",
        "published",
        "stance",
        "topic",
        "reason",
        "urgency",
        "created_at",
        "status",
        "digest_key",
    ]
