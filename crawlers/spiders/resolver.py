"""The spiders' DNS resolver: the address a connection goes to is the address the guard checked.

``HostPoliteness`` refuses a request whose host resolves to an internal address, but it
cannot pin what it saw: Twisted resolves the name a second time when it opens the
connection. A DNS server that answers "public" to the first question and "127.0.0.1" to
the second (DNS rebinding) would slip through that gap. Installed as Scrapy's
``TWISTED_DNS_RESOLVER``, this resolver closes it: every lookup a connection makes goes
through ``NetGuard.addresses``, which refuses the whole answer when any address in it is
internal, so the only addresses a connection can use are checked ones.

Only the operator's trusted hosts (``PRESSDESK_ALLOW_HOSTS``, e.g. the demo's replay
server) are resolved without the check, as the httpx fetcher does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer  # type: ignore[import-untyped]

from core.errors import ForbiddenAddress
from crawlers.netguard import NetGuard, system_resolver


def checked_ipv4(guard: NetGuard, name: str) -> str:
    """The IPv4 address a connection to ``name`` may use, after the guard checked every answer.

    Twisted's TCP client connects over IPv4 to what a simple resolver returns, so the
    first IPv4 answer is taken; every answer (IPv6 included) must pass the guard first.

    Raises:
        DNSLookupError: the name does not resolve, resolves to no IPv4 address, or
            resolves to an address the guard refuses (the message says which and why).
    """
    try:
        answers = system_resolver(name, 0) if guard.allowed_host(name) else guard.addresses(name, 0)
    except ForbiddenAddress as exc:
        raise DNSLookupError(f"forbidden_address: {exc.reason}") from exc
    except OSError as exc:
        raise DNSLookupError(f"cannot resolve {name}: {exc}") from exc
    for answer in answers:
        try:
            if isinstance(ipaddress.ip_address(answer), ipaddress.IPv4Address):
                return answer
        except ValueError:
            continue
    raise DNSLookupError(f"{name} has no IPv4 address (answers: {', '.join(answers)})")


@implementer(IResolverSimple)
class GuardedResolver:
    """Scrapy's resolver for the spiders: lookups in a thread, each answer checked by the guard."""

    def __init__(self, reactor: Any, guard: NetGuard) -> None:
        self.reactor = reactor
        self.guard = guard

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        """Build from the crawl's settings (Scrapy passes the crawler process here)."""
        return cls(reactor, NetGuard.allowing(crawler.settings.getlist("PRESSDESK_ALLOW_HOSTS")))

    def install_on_reactor(self) -> None:
        """Make this the reactor's resolver, as Scrapy's own resolvers do."""
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802 - Twisted's interface
        """Resolve ``name`` off the reactor thread; fails with ``DNSLookupError`` when refused."""
        del timeout  # the system resolver's own timeout applies
        pool = self.reactor.getThreadPool()
        result: Deferred[str] = deferToThreadPool(self.reactor, pool, checked_ipv4, self.guard, name)
        return result
