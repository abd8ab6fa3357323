"""Outbound fetch safety: a source URL typed by a user must not turn the server against its own network.

Sources are added by analysts, so a URL such as ``http://169.254.169.254/latest/meta-data/``
(a cloud metadata service), ``http://localhost:9200/`` (our own Elasticsearch) or a public
name that resolves to ``10.0.0.5`` would otherwise make the crawler fetch internal
services for them (server-side request forgery). The guard refuses, unless the operator
names the host in ``PRESSDESK_FETCH_ALLOW_HOSTS``:

- schemes other than ``http`` and ``https``;
- addresses that are not globally routable: loopback, private, link-local, shared
  (carrier-grade NAT), multicast, reserved, unspecified, and IPv6 forms that embed such an
  IPv4 address (IPv4-mapped ``::ffff:127.0.0.1``, 6to4, Teredo, NAT64).

The check is made where the connection is opened, for every connection, so redirects
(each hop opens its own connection) and robots.txt reads are covered. A name is resolved
once, every address it resolves to is checked, and the socket connects to one of those
checked addresses: a DNS server that answers "public" to the check and "private" to the
connect (DNS rebinding) has nobody left to fool. TLS still verifies the certificate
against the name in the URL.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from core.errors import ForbiddenAddress

#: ``(host, port) -> addresses``: how names are resolved (a stub in tests, getaddrinfo otherwise).
Resolver = Callable[[str, int], list[str]]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_SCHEMES = ("http", "https")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``, in its order of preference."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:  # a label the IDNA codec refuses: as unresolvable as a gaierror
        raise OSError(f"cannot resolve {host}: {exc}") from exc
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


def forbidden_reason(address: IPAddress) -> str:
    """Why ``address`` may not be fetched, or ``""`` when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner = forbidden_reason(embedded)
            return f"{inner} (inside the IPv6 address {address})" if inner else ""
    for name, flag in (
        ("loopback", address.is_loopback),
        ("private", address.is_private),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
    ):
        if flag:
            return f"{address} is a {name} address"
    if not address.is_global:
        return f"{address} is not a public address"
    return ""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


@dataclass(frozen=True)
class NetGuard:
    """Which destinations the fetcher may connect to.

    Args:
        allow_hosts: host names or IP literals the operator trusts although they are
            internal (e.g. ``127.0.0.1`` for the demo's own replay server). Matched exactly,
            case-insensitively, against the host of the URL.
        resolver: how names are resolved; the default is the system resolver.
    """

    allow_hosts: frozenset[str] = frozenset()
    resolver: Resolver = field(default=system_resolver, compare=False)

    @classmethod
    def allowing(cls, hosts: Iterable[str], resolver: Resolver = system_resolver) -> NetGuard:
        """A guard that trusts ``hosts`` (normalised: lower case, no brackets, no blanks)."""
        return cls(frozenset(h.strip().strip("[]").lower().rstrip(".") for h in hosts if h.strip()), resolver)

    def allowed_host(self, host: str) -> bool:
        """Whether the operator trusts ``host`` by name (then it is neither checked nor pinned)."""
        return host.strip("[]").lower().rstrip(".") in self.allow_hosts

    def check_url(self, url: str) -> None:
        """Refuse ``url`` early when its scheme or literal address is not allowed (no DNS here).

        Raises:
            ForbiddenAddress: the scheme is not http(s), or the host is a literal internal address.
        """
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            return  # the fetcher reports an invalid URL in its own words
        if parts.scheme.lower() not in _SCHEMES:
            raise ForbiddenAddress(url, f"scheme {parts.scheme or '(none)'}: is not allowed; use http or https")
        if not host or self.allowed_host(host):
            return
        literal = _literal(host)
        reason = forbidden_reason(literal) if literal is not None else ""
        if reason:
            raise ForbiddenAddress(url, self._refusal(host, reason))

    def addresses(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` once and return its addresses, all of them checked.

        Raises:
            ForbiddenAddress: any address the name resolves to is internal (one bad answer
                is enough: a name that mixes public and private answers is a trick).
            OSError: the name does not resolve (``socket.gaierror`` from the system resolver).
        """
        literal = _literal(host)
        answers = [str(literal)] if literal is not None else self.resolver(host, port)
        if not answers:
            raise OSError(f"{host} resolves to no address")
        for answer in answers:
            address = _literal(answer)
            reason = forbidden_reason(address) if address is not None else f"{answer!r} is not an IP address"
            if reason:
                raise ForbiddenAddress(host, self._refusal(host, reason))
        return answers

    def transport(self) -> httpx.HTTPTransport:
        """An httpx transport whose every connection goes through this guard."""
        return _GuardedTransport(self)

    def _refusal(self, host: str, reason: str) -> str:
        return (
            f"address not allowed: {host}: {reason}; fetching internal addresses is refused "
            "(an operator can trust a host with PRESSDESK_FETCH_ALLOW_HOSTS)"
        )


class _GuardedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses the guard has checked (pinned: no second lookup)."""

    def __init__(self, guard: NetGuard) -> None:
        self._guard = guard
        self._system = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if self._guard.allowed_host(host):
            return self._system.connect_tcp(host, port, timeout, local_address, socket_options)
        try:
            addresses = self._guard.addresses(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return self._system.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # addresses() never returns an empty list
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._system.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport with the guarded network backend under its connection pool.

    httpx offers no public hook for the network backend, so the pool is rebuilt with the
    same TLS context; tests in ``tests/crawlers/test_crawl_netguard.py`` fail if an httpx
    upgrade stops routing connections through it.
    """

    def __init__(self, guard: NetGuard) -> None:
        super().__init__()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(guard),
        )
