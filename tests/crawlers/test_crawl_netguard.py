"""Outbound fetch safety: user-supplied URLs cannot reach internal addresses, by any route.

Real local servers on 127.0.0.1 play the "internal service"; DNS answers come from a
resolver stub (and, for the rebinding test, a patched ``socket.getaddrinfo``, which is
what the system resolver and httpcore's own connect would both use).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from core.errors import FetchError, ForbiddenAddress
from core.settings import Settings
from crawlers import Fetcher, NetGuard, discover, failure_kind
from crawlers.fetch import FetchedPage
from crawlers.netguard import forbidden_reason
from crawlers.sitemaps import collect_sitemap
from pressdesk.demo import allow_replay_host
from pressdesk.wiring import make_fetcher

FORBIDDEN = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata service
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.251",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "2002:7f00:1::1",  # 6to4 around 127.0.0.1
    "2002:a00:1::1",  # 6to4 around 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
]
PUBLIC = ["8.8.8.8", "113.160.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", FORBIDDEN)
def test_internal_addresses_are_refused(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) != ""


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) == ""


def _resolver(answers: dict[str, list[str]]) -> Callable[[str, int], list[str]]:
    def resolve(host: str, port: int) -> list[str]:
        return answers[host]

    return resolve


@pytest.fixture
def guarded(user_agent: str) -> Iterator[Callable[..., Fetcher]]:
    """Fetchers with a guard; all closed after the test."""
    made: list[Fetcher] = []

    def make(guard: NetGuard, timeout: float = 2.0) -> Fetcher:
        fetcher = Fetcher(user_agent, min_delay=0.0, timeout=timeout, guard=guard)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def test_loopback_url_is_refused_before_any_request(site: Any, guarded: Callable[..., Fetcher]) -> None:
    fetcher = guarded(NetGuard())
    with pytest.raises(ForbiddenAddress, match=r"127\.0\.0\.1 is a loopback address") as caught:
        fetcher.fetch(site.url("/articles/hoc-phi.html"))
    assert "PRESSDESK_FETCH_ALLOW_HOSTS" in caught.value.reason
    assert failure_kind(caught.value) == "forbidden_address"
    assert site.received == []


@pytest.mark.parametrize("literal", ["[::1]", "[::ffff:127.0.0.1]", "0x7f.1", "2130706433"])
def test_other_spellings_of_loopback_are_refused(literal: str, guarded: Callable[..., Fetcher]) -> None:
    # "0x7f.1" and "2130706433" are not IP literals to Python, so they reach the resolver,
    # which (like browsers' inet_aton) reads them as 127.0.0.1: the connect-time check catches them.
    fetcher = guarded(NetGuard(), timeout=1.0)
    with pytest.raises(ForbiddenAddress):
        fetcher.fetch(f"http://{literal}:9/feed.xml")


def test_a_name_that_resolves_inside_is_refused(site: Any, guarded: Callable[..., Fetcher]) -> None:
    port = site.base_url.rsplit(":", 1)[1]
    fetcher = guarded(NetGuard(resolver=_resolver({"tin-tuc.example": ["127.0.0.1"]})))
    with pytest.raises(ForbiddenAddress, match=r"tin-tuc\.example: 127\.0\.0\.1 is a loopback address"):
        fetcher.fetch(f"http://tin-tuc.example:{port}/articles/hoc-phi.html")
    assert site.received == []


def test_one_internal_answer_among_public_ones_is_enough_to_refuse(guarded: Callable[..., Fetcher]) -> None:
    guard = NetGuard(resolver=_resolver({"mixed.example": ["8.8.8.8", "10.0.0.7"]}))
    with pytest.raises(ForbiddenAddress, match=r"10\.0\.0\.7 is a private address"):
        guarded(guard).fetch("http://mixed.example/rss")


def test_redirect_to_an_internal_address_is_refused(
    serve: Callable[..., Any], route: type[Any], guarded: Callable[..., Fetcher]
) -> None:
    site = serve({"/robots.txt": route(b"", 404)})
    metadata = "http://169.254.169.254/latest/meta-data/"
    inside = site.url("/inside").replace("127.0.0.1", "localhost")
    site.routes["/feed"] = route(status=302, headers=(("Location", metadata),))
    site.routes["/to-localhost"] = route(status=302, headers=(("Location", inside),))
    fetcher = guarded(NetGuard.allowing(["127.0.0.1"]))  # the first hop is trusted; where it sends us is not
    with pytest.raises(ForbiddenAddress, match=r"169\.254\.169\.254 is a (private|link-local) address") as caught:
        fetcher.fetch(site.url("/feed"))
    assert caught.value.url == site.url("/feed")
    with pytest.raises(ForbiddenAddress, match="loopback"):
        fetcher.fetch(site.url("/to-localhost"))
    assert "/inside" not in site.paths()


def test_dns_rebinding_cannot_switch_the_checked_address(
    site: Any, guarded: Callable[..., Fetcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name answers "public" once, then "127.0.0.1": the connection must use the first answer."""
    real = socket.getaddrinfo
    calls: list[str] = []

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        calls.append(host)
        address = "8.8.8.8" if len(calls) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = site.base_url.rsplit(":", 1)[1]
    fetcher = guarded(NetGuard(), timeout=1.0)
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(f"http://rebind.example:{port}/articles/hoc-phi.html")
    # The connection went to the checked public address (unreachable here), never to the
    # second answer: our local server saw nothing and the name was resolved once.
    assert not isinstance(caught.value, ForbiddenAddress)
    assert calls == ["rebind.example"]
    assert site.received == []


def test_a_trusted_host_is_fetched(site: Any, guarded: Callable[..., Fetcher]) -> None:
    page = guarded(NetGuard.allowing([" 127.0.0.1 "])).fetch(site.url("/articles/hoc-phi.html"))
    assert isinstance(page, FetchedPage) and page.status == 200
    assert site.paths() == ["/robots.txt", "/articles/hoc-phi.html"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://example.org/feed.xml"])
def test_other_schemes_are_refused(url: str, guarded: Callable[..., Fetcher]) -> None:
    with pytest.raises(ForbiddenAddress, match="use http or https"):
        NetGuard().check_url(url)
    with pytest.raises(FetchError, match="not an http"):
        guarded(NetGuard()).fetch(url)


def test_discovery_and_sitemap_children_go_through_the_guard(
    serve: Callable[..., Any], route: type[Any], guarded: Callable[..., Fetcher]
) -> None:
    site = serve({"/robots.txt": route(b"", 404)})
    inside = site.url("/child.xml").replace("127.0.0.1", "localhost")
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{inside}</loc></sitemap></sitemapindex>"
    ).encode()
    site.routes["/sitemap.xml"] = route(index, headers=(("Content-Type", "application/xml"),))
    site.routes["/child.xml"] = route(b"<urlset/>", headers=(("Content-Type", "application/xml"),))
    fetcher = guarded(NetGuard.allowing(["127.0.0.1"]))
    parsed = collect_sitemap(fetcher, fetcher.fetch(site.url("/sitemap.xml")))
    assert "address not allowed" in parsed.problem
    found = discover(fetcher, inside.replace("/child.xml", "/"))
    assert found.problem.startswith("address not allowed")
    assert "/child.xml" not in site.paths()


def test_settings_list_trusted_hosts_and_the_wiring_always_guards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSDESK_FETCH_ALLOW_HOSTS", "127.0.0.1, Feeds.Internal ,")
    settings = Settings()
    assert settings.fetch_allow_hosts == ["127.0.0.1", "feeds.internal"]
    fetcher = make_fetcher(settings)
    assert fetcher.guard is not None and fetcher.guard.allow_hosts == {"127.0.0.1", "feeds.internal"}
    monkeypatch.delenv("PRESSDESK_FETCH_ALLOW_HOSTS")
    bare = make_fetcher(Settings())
    assert bare.guard is not None and bare.guard.allow_hosts == frozenset()
    with pytest.raises(ForbiddenAddress):
        bare.fetch("http://127.0.0.1:9/rss")


def test_the_demo_trusts_only_its_own_replay_host() -> None:
    settings = allow_replay_host(Settings(fetch_allow_hosts=[]), "http://127.0.0.1:43123")
    assert settings.fetch_allow_hosts == ["127.0.0.1"]


def test_a_name_that_does_not_resolve_is_a_connection_failure(guarded: Callable[..., Fetcher]) -> None:
    def nowhere(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(OSError, match="not known"):
        NetGuard(resolver=nowhere).addresses("khong-ton-tai.example", 80)
    with pytest.raises(FetchError, match=r"connection failed: cannot resolve khong-ton-tai\.example") as caught:
        guarded(NetGuard(resolver=nowhere)).fetch("http://khong-ton-tai.example/rss")
    assert not isinstance(caught.value, ForbiddenAddress)
    assert failure_kind(caught.value) == "connection"
