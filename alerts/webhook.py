"""Signed JSON webhooks into a unit's own system, with retries.

How a receiver verifies a delivery (also in docs/alerts.md):

* ``X-Pressdesk-Timestamp``: Unix seconds when the request was signed.
* ``X-Pressdesk-Signature``: ``sha256=`` + hex HMAC-SHA256 over ``b"<timestamp>." + body``,
  keyed with the shared secret (the value of the unit's ``webhook_secret_env`` variable).
* ``X-Pressdesk-Delivery``: the delivery id; a retry carries the same id, so a receiver
  that has seen it can answer 200 and do nothing.

Reject a request whose timestamp is more than ``REPLAY_WINDOW_SECONDS`` from your clock
(a replayed capture) or whose signature differs (compare with ``hmac.compare_digest``).
``verify_signature`` does exactly this and is what our own tests use as the receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import orjson

from core.errors import DeliveryError

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Pressdesk-Timestamp"
SIGNATURE_HEADER = "X-Pressdesk-Signature"
DELIVERY_HEADER = "X-Pressdesk-Delivery"
#: How far a receiver should accept a timestamp from its own clock.
REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: str, timestamp: str, signature: str, body: bytes, *, now: float | None = None) -> bool:
    """Whether a received webhook is authentic and fresh (within the replay window)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    clock = time.time() if now is None else now
    if abs(clock - sent) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature)


@dataclass(frozen=True, slots=True)
class WebhookResult:
    """What one delivery took: the attempts made and the final HTTP status."""

    attempts: int
    status: int


class WebhookSender:
    """Posts signed JSON, retrying connection errors, 429 and 5xx with exponential back-off.

    Args:
        user_agent: sent on every request, so the receiver knows who calls.
        attempts: tries per delivery (the first one included).
        backoff: seconds before the first retry; doubled each time.
        timeout: seconds per request.
        sleep: how to wait between tries (tests keep the real one with a short back-off).

    The constructor does no I/O; each delivery opens its own connection.
    """

    def __init__(
        self,
        user_agent: str,
        *,
        attempts: int = 4,
        backoff: float = 2.0,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.user_agent = user_agent
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout
        self._sleep = sleep

    def deliver(self, url: str, secret: str, payload: dict[str, object], delivery_id: str) -> WebhookResult:
        """Post ``payload`` to ``url`` signed with ``secret``.

        Returns:
            the number of attempts and the accepting status (2xx).

        Raises:
            DeliveryError: no secret, a 4xx refusal (not retried: the request itself is wrong),
                or every attempt failed; the message says which and what to check.
        """
        if not secret:
            raise DeliveryError(f"no signing secret for webhook {url}; set the unit's webhook_secret_env variable")
        body = orjson.dumps(payload)
        problem = ""
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                self._sleep(self.backoff * 2 ** (attempt - 2))
            stamp = int(time.time())
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": self.user_agent,
                TIMESTAMP_HEADER: str(stamp),
                SIGNATURE_HEADER: sign(secret, stamp, body),
                DELIVERY_HEADER: delivery_id,
            }
            try:
                # Only the status matters: the body is never read, so a receiver cannot make
                # the sender hold a large or endless answer in memory.
                with httpx.stream("POST", url, content=body, headers=headers, timeout=self.timeout) as response:
                    status = response.status_code
            except httpx.HTTPError as exc:
                problem = f"cannot reach {url}: {exc}"
                log.info("webhook attempt %d/%d failed: %s", attempt, self.attempts, problem)
                continue
            if 200 <= status < 300:
                return WebhookResult(attempts=attempt, status=status)
            problem = f"{url} answered {status}"
            if status != 429 and status < 500:
                raise DeliveryError(f"{problem}; the receiver refused the request, check its URL and secret")
            log.info("webhook attempt %d/%d failed: %s", attempt, self.attempts, problem)
        raise DeliveryError(f"{problem} after {self.attempts} attempts; it will be retried on the next run")
