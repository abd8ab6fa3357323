"""``pressdesk crawl``: run the Scrapy spiders over listing sources and show what they found.

For checking a site without a feed before (or after) adding it as a ``listing`` source:
which article links its listing pages hold, which pages came back, what robots.txt or the
site refused. ``pressdesk collect`` runs the same spiders and takes the pages on through
extraction and classification; pages fetched here are kept in the HTTP cache, so that
collecting them afterwards costs the site nothing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click
from rich.table import Table

from core.config import ProjectConfig, SourceModel
from core.enums import SourceKind
from core.errors import ConfigError, PressdeskError
from core.source import Outlet, Source
from pressdesk.cli_support import err, fail, out, progress_bars, settings_or_exit

if TYPE_CHECKING:
    from crawlers.spiders import ListingCrawl


#: The progress bar's label (records found so far: pages, links, problems).
CRAWL_STAGE = "Thu thập trang danh mục (crawl)"


@click.command("crawl")
@click.argument("source_ids", nargs=-1)
@click.option("--url", help="Crawl this listing page instead of configured sources (with --pattern and/or --css).")
@click.option("--pattern", default="", help="Regular expression article URLs match (with --url).")
@click.option("--css", "css", default="", help="CSS selector for the article links (with --url).")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per article page and per problem.")
def crawl(source_ids: tuple[str, ...], url: str | None, pattern: str, css: str, as_json: bool) -> None:
    """Crawl listing sources (kind = "listing") with the polite Scrapy spiders.

    Thu thập các trang danh mục (nguồn kind = "listing") bằng spider Scrapy: tuân thủ
    robots.txt, giãn cách giữa các yêu cầu, lùi lại khi trang trả 429/503.

    With SOURCE_IDS, only those sources; with --url, one listing page given here. A crawl
    stopped midway (Ctrl-C) resumes where it stopped on the next run.
    """
    from pressdesk.wiring import load_project, make_spider_runner

    settings = settings_or_exit()
    try:
        config = load_project(settings)
        sources = [_adhoc_source(url, pattern, css)] if url else _chosen(config, source_ids)
        runner = make_spider_runner(settings)
        with progress_bars(not as_json) as progress:
            result = runner.run(sources, progress=lambda n: progress(CRAWL_STAGE, n, n))
    except PressdeskError as exc:
        fail(exc)
        return
    if as_json:
        _print_json(result)
    else:
        _print_table(result, sources)


def _chosen(config: ProjectConfig, source_ids: tuple[str, ...]) -> list[Source]:
    listing = [s for s in config.sources if s.kind is SourceKind.LISTING]
    if not source_ids:
        if not listing:
            raise ConfigError(
                f'no sources with kind = "listing" in {config.path}; add one with url and article_pattern '
                "(see docs/collection.md), or try a page with --url and --pattern"
            )
        return listing
    by_id = {s.id: s for s in listing}
    unknown = [i for i in source_ids if i not in by_id]
    if unknown:
        raise ConfigError(
            f"no listing source {', '.join(unknown)}; listing sources are: {', '.join(by_id) or '(none)'}"
        )
    return [by_id[i] for i in source_ids]


def _adhoc_source(url: str, pattern: str, css: str) -> Source:
    """A one-off listing source, validated by the same rules as the config file."""
    try:
        model = SourceModel(
            id="adhoc", url=url, outlet="(ad hoc)", kind=SourceKind.LISTING, article_pattern=pattern, article_css=css
        )
    except ValueError as exc:
        raise ConfigError(f"--url/--pattern/--css: {exc}") from exc
    return Source(
        id=model.id,
        url=model.url,
        outlet=Outlet(name=model.outlet),
        kind=SourceKind.LISTING,
        article_pattern=model.article_pattern,
        article_css=model.article_css,
    )


def _print_json(result: ListingCrawl) -> None:
    for page in result.pages:
        line = {
            "source": page.source_id,
            "url": page.url,
            "final_url": page.final_url,
            "title": page.title,
            "status": page.status,
            "bytes": len(page.body),
            "cached": page.cached,
        }
        click.echo(json.dumps(line, ensure_ascii=False))
    for problem in result.problems:
        line = {
            "source": problem.source_id,
            "url": problem.url,
            "error": problem.reason,
            "kind": problem.kind,
            "listing": problem.listing,
            "retry_after": problem.retry_after,
        }
        click.echo(json.dumps(line, ensure_ascii=False))
    click.echo(json.dumps({"finish_reason": result.finish_reason, "seconds": result.seconds, **(result.stats or {})}))


def _print_table(result: ListingCrawl, sources: list[Source]) -> None:
    table = Table(title="pressdesk crawl: trang danh mục / listing pages")
    for column in ("Nguồn / source", "Liên kết / links", "Trang / pages", "Từ bộ đệm / cached", "Lỗi / problems"):
        table.add_column(column)
    for source in sources:
        pages = [p for p in result.pages if p.source_id == source.id]
        problems = [p for p in result.problems if p.source_id == source.id]
        table.add_row(
            source.id,
            str(len(result.entries(source.id))),
            str(len(pages)),
            str(sum(1 for p in pages if p.cached)),
            "; ".join(sorted({f"{p.kind} ×{sum(1 for q in problems if q.kind == p.kind)}" for p in problems})) or "-",
        )
    out.print(table)
    if not result.finished:
        err.print(
            f"[yellow]Thu thập chưa xong ({result.finish_reason}); lần chạy sau sẽ tiếp tục. "
            f"/ The crawl did not finish ({result.finish_reason}); the next run resumes it.[/]"
        )
