"""The spiders' resolver: every lookup a connection makes is checked, so DNS rebinding has no gap.

``HostPoliteness`` checks a name before the request; Twisted resolves it again to connect.
These tests show that the second lookup goes through the guard too: a resolver that answers
"public" first and "loopback" next is refused at the connection, and a real crawl by name
(``localhost``, trusted by the operator) connects through this resolver.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from twisted.internet.error import DNSLookupError
from twisted.python.threadpool import ThreadPool

from core.enums import SourceKind
from core.source import Outlet, Source
from crawlers.netguard import NetGuard
from crawlers.spiders import SpiderRunner
from crawlers.spiders.job import CrawlJob
from crawlers.spiders.resolver import GuardedResolver, checked_ipv4
from crawlers.spiders.settings import scrapy_settings

PUBLIC = "93.184.216.34"


def _rebinding() -> Callable[[str, int], list[str]]:
    """A DNS server that answers a public address once, then loopback."""
    answers = iter([[PUBLIC], ["127.0.0.1"], ["127.0.0.1"]])
    return lambda host, port: next(answers)


def test_each_lookup_is_checked_so_a_rebinding_answer_is_refused() -> None:
    guard = NetGuard.allowing([], resolver=_rebinding())

    assert checked_ipv4(guard, "tin.example") == PUBLIC  # what HostPoliteness would have seen
    with pytest.raises(DNSLookupError, match=r"forbidden_address: .*127\.0\.0\.1 is a loopback address"):
        checked_ipv4(guard, "tin.example")  # what the connection asks next


def test_one_internal_answer_refuses_the_whole_lookup() -> None:
    guard = NetGuard.allowing([], resolver=lambda host, port: [PUBLIC, "10.0.0.5"])

    with pytest.raises(DNSLookupError, match=r"10\.0\.0\.5 is a private address"):
        checked_ipv4(guard, "tin.example")


def test_ipv4_is_chosen_after_every_answer_passed() -> None:
    guard = NetGuard.allowing([], resolver=lambda host, port: ["2606:2800:220:1:248:1893:25c8:1946", PUBLIC])
    assert checked_ipv4(guard, "tin.example") == PUBLIC

    only_v6 = NetGuard.allowing([], resolver=lambda host, port: ["2606:2800:220:1:248:1893:25c8:1946"])
    with pytest.raises(DNSLookupError, match="no IPv4 address"):
        checked_ipv4(only_v6, "tin.example")


def test_a_trusted_host_is_resolved_by_the_system() -> None:
    guard = NetGuard.allowing(["localhost"], resolver=lambda host, port: pytest.fail("trusted: not checked"))
    assert checked_ipv4(guard, "localhost") == "127.0.0.1"


class _ThreadReactor:
    """Enough of a reactor for ``deferToThreadPool``: a real thread pool, results delivered at once."""

    def __init__(self) -> None:
        self.pool = ThreadPool(minthreads=1, maxthreads=2)
        self.pool.start()
        self.installed: object | None = None

    def getThreadPool(self) -> ThreadPool:
        return self.pool

    def callFromThread(self, f: Callable[..., object], *args: object, **kwargs: object) -> None:
        f(*args, **kwargs)

    def installResolver(self, resolver: object) -> None:
        self.installed = resolver


def _outcome(resolver: GuardedResolver, name: str) -> object:
    done = threading.Event()
    seen: list[object] = []

    def keep(result: object) -> None:
        seen.append(result)
        done.set()

    resolver.getHostByName(name).addBoth(keep)
    assert done.wait(10), "the lookup never finished"
    return seen[0]


def test_the_resolver_answers_through_the_thread_pool_and_refuses_rebinding() -> None:
    reactor = _ThreadReactor()
    try:
        resolver = GuardedResolver(reactor, NetGuard.allowing([], resolver=_rebinding()))
        resolver.install_on_reactor()
        assert reactor.installed is resolver

        assert _outcome(resolver, "tin.example") == PUBLIC
        failure: Any = _outcome(resolver, "tin.example")
        assert failure.check(DNSLookupError), failure
        assert "loopback" in str(failure.value)
    finally:
        reactor.pool.stop()


def test_scrapy_is_told_to_use_it(tmp_path: Path) -> None:
    job = CrawlJob(
        targets=(),
        user_agent="pressdesk-test/0.1 (+https://example.test/contact)",
        output=tmp_path / "pages.jsonl",
        job_dir=tmp_path / "job",
        cache_dir=tmp_path / "cache",
    )
    assert scrapy_settings(job)["TWISTED_DNS_RESOLVER"] == "crawlers.spiders.resolver.GuardedResolver"


@pytest.mark.slow
def test_a_crawl_by_name_connects_through_the_resolver(
    tmp_path: Path, serve: Callable[..., Any], route: Any, user_agent: str
) -> None:
    text = (("Content-Type", "text/plain"),)
    body = "<p>" + "Đà Nẵng đón khách du lịch quốc tế. " * 20 + "</p>"
    head = '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Tin</title></head>'
    article = f"{head}<body><article><h1>Tin</h1>{body}</article></body></html>"
    listing = b'<html><body><ul class="tin"><li><a href="/bai-1.html">Tin</a></li></ul></body></html>'
    site = serve(
        {
            "/robots.txt": route(b"User-agent: *\nAllow: /\n", headers=text),
            "/tin-moi/": route(listing),
            "/bai-1.html": route(article.encode("utf-8")),
        }
    )
    by_name = site.url("/tin-moi/").replace("127.0.0.1", "localhost")
    source = Source(
        id="baothu.tin",
        url=by_name,
        outlet=Outlet("Báo Thử"),
        kind=SourceKind.LISTING,
        article_pattern=r"bai-\d+\.html$",
        article_css="ul.tin",
    )

    trusted = SpiderRunner(user_agent, tmp_path / "trusted", delay=0.1, allow_hosts=["localhost"]).run([source])
    assert trusted.finished, trusted.finish_reason
    assert [p.url for p in trusted.pages] == [by_name.replace("/tin-moi/", "/bai-1.html")]

    # Trusting the address is not trusting the name: the name is checked and refused.
    refused = SpiderRunner(user_agent, tmp_path / "refused", delay=0.1, allow_hosts=["127.0.0.1"]).run([source])
    assert not refused.pages
    assert any("address not allowed" in p.reason or "forbidden" in p.reason for p in refused.problems), refused.problems
