"""Item identity: the id is a hash of the normalised URL, so re-ingesting is an upsert.

The same article reached through two feeds (one with ``?utm_source=rss``, one from
the mobile host) gets one id.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "itm_")
_TRACKING_KEYS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "ref", "ref_src", "cmpid", "zarsrc", "zacc"}
)


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in _TRACKING_KEYS or k.startswith(_TRACKING_PREFIXES)


def normalise_url(url: str) -> str:
    """Return the canonical form of ``url`` used for identity.

    Lower-cases scheme and host, drops ``www.``/``m.`` host prefixes, default ports,
    fragments and tracking parameters, sorts the remaining query, and treats http and
    https as the same page.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in ("www.", "m.", "mobile.", "amp."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)))
    return urlunsplit(("https", netloc, path, query, ""))


def item_id(url: str) -> str:
    """Return the stable item id for ``url``: 20 hex chars of SHA-256 of the normalised URL."""
    return hashlib.sha256(normalise_url(url).encode("utf-8")).hexdigest()[:20]
