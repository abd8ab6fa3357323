"""The ``pressdesk`` command line. Each command parses, calls one function, and maps errors to a message."""

from __future__ import annotations

import json
import logging
import os
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from core.config import load_config
from core.errors import ConfigError, FetchError, PressdeskError
from core.search import FACET_FIELDS, SearchMode, SearchQuery, Sort
from core.settings import Settings
from pressdesk.cli_support import F, actor, emit, err, fail, out, progress_bars, settings_or_exit


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def main(verbose: int) -> None:
    """pressdesk: follow what is published about your locality, see its tone, catch claims
    already shown false, route what needs an answer to the department that owns it.

    Settings come from PRESSDESK_* environment variables (data folder PRESSDESK_DATA_DIR,
    config file PRESSDESK_CONFIG); with no config, the bundled Đà Nẵng profile is used.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--once", is_flag=True, help="Run the journey once and exit instead of serving the UI.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON summary (fetched, stored, alerts, digests_sent, ...)."
)
@click.option("--keep", is_flag=True, help="Keep the previous demo data instead of starting clean.")
@click.option("--port", type=int, default=None, help="Port for the web UI (default PRESSDESK_HTTP_PORT, 8000).")
def demo(once: bool, as_json: bool, keep: bool, port: int | None) -> None:
    """Run the whole journey on the embedded defaults and serve the search UI.

    With no sources configured, replays real Vietnamese news as local press sites on
    127.0.0.1, collects and classifies it, stores it in SQLite, routes what needs an
    answer, and delivers each unit's digest to a local SMTP server (kept as .eml files).
    """
    from pressdesk.demo import demo_environment, run_demo_cycle

    settings = settings_or_exit()
    try:
        with demo_environment(settings, keep=keep) as env:
            with progress_bars(not as_json) as progress:
                run = run_demo_cycle(env, progress=progress)
            if as_json:
                click.echo(json.dumps(run.as_dict(), ensure_ascii=False))
            else:
                _print_demo(run.as_dict())
            if not once:
                _serve(
                    env.settings,
                    port,
                    store=env.journey.store,
                    config=env.config,
                    alerts=env.journey.alerts,
                    embedder=env.embedder,
                )
    except PressdeskError as exc:
        fail(exc)


def _print_demo(summary: dict[str, Any]) -> None:
    table = Table(title="pressdesk demo: một chu trình / one cycle", show_header=False)
    labels = {
        "fetched": "Bài đã tải / fetched",
        "extracted": "Trích xuất được / extracted",
        "relevant": "Về địa phương / about the locality",
        "stored": "Đã lưu / stored",
        "duplicates": "Trùng lặp / duplicates",
        "alerts": "Cảnh báo / alerts",
        "digests_sent": "Bản tin đã gửi / digests sent",
        "digests_received": "Bản tin SMTP đã nhận / digests received",
        "seconds": "Giây / seconds",
    }
    for key, label in labels.items():
        table.add_row(label, str(summary[key]))
    out.print(table)
    out.print(f"Dữ liệu / data: {summary['data_dir']}")
    out.print(f"Thư đã nhận / received mail (.eml): {summary['mailbox']}")
    if summary["replay"]:
        out.print(f"Bản phát lại / replay site: {summary['replay']}")


def _serve(settings: Settings, port: int | None, *, workers: int = 1, **parts: Any) -> None:
    """Serve the web app: in this process, or in ``workers`` processes that each build their own.

    ``parts`` (an open store, config, ...) can only be used by this process: worker
    processes open their own from the environment, so the two do not mix.
    """
    if workers > 1 and parts:
        raise ValueError(f"parts given to _serve ({', '.join(sorted(parts))}) cannot reach {workers} worker processes")
    import uvicorn

    from pressdesk.demo import DEMO_ACCOUNT, ensure_demo_account, is_demo_data
    from pressdesk.webapp import web_app
    from pressdesk.wiring import open_accounts

    accounts = open_accounts(settings)
    demo_password = ensure_demo_account(accounts) if is_demo_data(settings) else None
    # One process builds its app now (a broken part stops it before the banner); workers build their own.
    app = web_app(settings, accounts=accounts, **parts) if workers == 1 else None
    bind_port = port or settings.http_port
    out.print(
        f"[bold green]Giao diện tìm kiếm / search UI:[/] http://{settings.http_host}:{bind_port}/  (Ctrl+C để dừng)"
    )
    if demo_password:
        out.print(
            f"[bold]Tài khoản demo / demo account:[/] {DEMO_ACCOUNT}  "
            f"[bold]mật khẩu / password:[/] {demo_password}  (chỉ in một lần / shown once)"
        )
    elif not accounts.accounts():
        err.print(
            "Chưa có tài khoản nào; tạo bằng / no accounts yet, create one with: pressdesk users add NAME --role admin"
        )
    if app is not None:
        uvicorn.run(app, host=settings.http_host, port=bind_port, log_level="warning")
        return
    # Each worker builds its app from the environment (pressdesk.webapp): hand the overrides on.
    os.environ["PRESSDESK_HTTP_HOST"] = settings.http_host
    os.environ["PRESSDESK_HTTP_PORT"] = str(bind_port)
    out.print(f"{workers} tiến trình / worker processes")
    uvicorn.run(
        "pressdesk.webapp:worker_app",
        factory=True,
        workers=workers,
        host=settings.http_host,
        port=bind_port,
        log_level="warning",
    )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the cycle summary as JSON.")
@click.option(
    "--all", "every", is_flag=True, help="Poll every source now, not only those due (a one-off run after a change)."
)
def collect(as_json: bool, every: bool) -> None:
    """Run one collection cycle over the sources that are due (fetch, extract, classify, store, route).

    Each source is polled on its own schedule, which adapts to how often it changes and
    backs off while it fails; run this from cron or a timer as often as every minute.
    """
    from pressdesk.pipeline import run_cycle
    from pressdesk.wiring import build_journey, load_project

    settings = settings_or_exit()
    try:
        config = load_project(settings)
        if not config.sources:
            raise ConfigError(
                f"no sources in {config.path}; add [[sources]] entries (see the example profile) "
                "or run `pressdesk demo` to try the local replay"
            )
        journey = build_journey(settings, config)
        with progress_bars(not as_json) as progress:
            summary = run_cycle(journey, config.sources, progress=progress, every=every)
        journey.fetcher.close()
    except PressdeskError as exc:
        fail(exc)
        return
    click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=None if as_json else 2))


@main.command()
@click.option("--host", default=None, help="Address to bind (default PRESSDESK_HTTP_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default PRESSDESK_HTTP_PORT, 8000).")
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=1,
    show_default=True,
    help="Server processes. One per core lets searches run side by side; each opens its own connections.",
)
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the search UI and the HTTP API over the configured store."""
    from pressdesk.wiring import load_project

    settings = settings_or_exit()
    if host:
        settings = settings.model_copy(update={"http_host": host})
    try:
        load_project(settings)  # a broken config stops here, not in every worker
        _serve(settings, port, workers=workers)
    except PressdeskError as exc:
        fail(exc)


def _query_options(command: F) -> F:
    """The options that shape a search, shared by search, export and saved add."""
    command = click.option("--exact", is_flag=True, help="Match diacritics exactly.")(command)
    command = click.option(
        "--like", default="", metavar="ITEM_ID", help="Rank by similarity to this stored item (QUERY is ignored)."
    )(command)
    command = click.option(
        "--mode",
        type=click.Choice([m.value for m in SearchMode]),
        default=SearchMode.KEYWORD.value,
        show_default=True,
        help="keyword: the boolean language; semantic: by meaning (loads the model); hybrid: both, fused.",
    )(command)
    return click.option(
        "--filter",
        "filters",
        multiple=True,
        metavar="FIELD=VALUE",
        help=f"Keep only items with this value; FIELD is one of {', '.join(FACET_FIELDS)}. Repeatable.",
    )(command)


def _parse_filters(specs: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    parsed: dict[str, list[str]] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep or name not in FACET_FIELDS:
            raise click.BadParameter(f"{spec!r}: write FIELD=VALUE with FIELD one of {', '.join(FACET_FIELDS)}")
        parsed.setdefault(name, []).append(value)
    return {name: tuple(values) for name, values in parsed.items()}


@main.command()
@click.argument("query", default="")
@_query_options
@click.option("--sort", type=click.Choice([s.value for s in Sort]), default=Sort.RELEVANCE.value, help="Result order.")
@click.option("--limit", type=int, default=20, show_default=True, help="How many results.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON lines.")
def search(
    query: str, filters: tuple[str, ...], mode: str, like: str, exact: bool, sort: str, limit: int, as_json: bool
) -> None:
    """Search stored items (accent-insensitive: "da nang" finds "Đà Nẵng"). Every search is audited.

    --mode semantic ranks by meaning, across languages; --like ITEM_ID lists the items
    most like a stored one.
    """
    from indexing.phrase_hint import phrase_count
    from pressdesk.wiring import make_searcher, open_audit, open_store

    request = SearchQuery(
        text=query,
        filters=_parse_filters(filters),
        exact=exact,
        sort=Sort(sort),
        limit=limit,
        mode=SearchMode(mode),
        like=like,
        scored=as_json,  # the table shows no scores: a date-ordered page then skips them
    )
    settings = settings_or_exit()
    try:
        searcher = make_searcher(settings, open_store(settings), semantic=request.mode is not SearchMode.KEYWORD)
        page = searcher.search(request)
        audit = open_audit(settings)
        detail = {"q": query, "mode": mode, "like": like, "filters": request.filters, "total": page.total, "via": "cli"}
        audit.record("search", actor(), detail)
        # A script reading --json wants the results only; a person reading the table gets the hint.
        hint = None if as_json else phrase_count(searcher, request, page.total)
        if hint is not None:
            audit.record("search", actor(), {**detail, "q": hint.query.text, "total": hint.total, "via": "cli-hint"})
    except PressdeskError as exc:
        fail(exc)
        return
    if as_json:
        for hit in page.hits:
            c = hit.item.classified
            click.echo(
                json.dumps(
                    {
                        "id": hit.item.id,
                        "title": hit.item.title,
                        "url": hit.item.fetched.url,
                        "outlet": hit.item.fetched.outlet,
                        "stance": c.stance if c else None,
                        "topic": c.topic if c else None,
                        "score": hit.score,
                    },
                    ensure_ascii=False,
                )
            )
        return
    table = Table(title=f"{page.total} kết quả / results")
    for col in ("Tiêu đề / title", "Báo / outlet", "Sắc thái / stance", "Chủ đề / topic", "id"):
        table.add_column(col)
    for hit in page.hits:
        c = hit.item.classified
        table.add_row(
            hit.item.title,
            hit.item.fetched.outlet,
            str(c.stance or "") if c else "",
            str(c.topic or "") if c else "",
            hit.item.id,
        )
    out.print(table)
    if hint is not None and hint.offered:
        phrase = hint.query.text
        vi_count, vi_total = (f"{n:,}".replace(",", ".") for n in (hint.total, page.total))
        out.print(
            f"Tìm cả cụm {phrase}: {vi_count} tin (trong {vi_total} tin có đủ các từ ở bất kỳ chỗ nào)."
            f"\nAs one phrase, {phrase}: {hint.total:,} item{'' if hint.total == 1 else 's'}"
            f" (of the {page.total:,} with the words anywhere)."
            f"\n  pressdesk search {shlex.quote(phrase)}",
            markup=False,
            highlight=False,
        )


@main.command()
@click.argument("sources", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object per page: source, url, title, text, published, language, outlet; or source, error.",
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Extraction processes (default: one per CPU)."
)
def extract(sources: tuple[str, ...], as_json: bool, workers: int | None) -> None:
    """Extract the article of each page: .html or .html.gz files, folders of them, or URLs.

    URLs are fetched politely (robots.txt, a delay per site, our User-Agent). Pages come
    out in the order given, a page that fails as an error line. Exits 0 when at least
    one page was extracted, 1 when none was.
    """
    from crawlers import extract_sources, page_sources
    from pressdesk.wiring import make_fetcher

    pages = page_sources(sources)
    fetcher = make_fetcher(settings_or_exit()) if any(s.startswith(("http://", "https://")) for s in pages) else None
    extracted = 0
    with progress_bars(not as_json) as progress:
        for result in extract_sources(
            pages, fetcher, workers=workers, on_done=lambda done, total: progress("extract", done, total)
        ):
            extracted += not result.error
            if as_json:
                click.echo(json.dumps(result.as_json(), ensure_ascii=False))
            elif result.error:
                err.print(f"[red]{result.source}[/]: {result.error}")
            else:
                published = result.published.isoformat() if result.published else "?"
                out.print(f"[bold]{result.title}[/]\n{result.url} · {result.outlet} · {result.language} · {published}")
                out.print(f"{result.text[:300]}…\n" if len(result.text) > 300 else f"{result.text}\n")
    if fetcher is not None:
        fetcher.close()
    sys.exit(0 if extracted else 1)


@main.group()
def digests() -> None:
    """Unit digests: alerts collected since the last digest, sent to each unit's shared mailbox."""


@digests.command("send")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def digests_send(as_json: bool) -> None:
    """Send every unit its pending alerts now over SMTP (PRESSDESK_SMTP_*)."""
    from alerts import send_digests
    from pressdesk.wiring import load_project, make_notifier, open_alerts

    settings = settings_or_exit()
    try:
        config = load_project(settings)
        run = send_digests(
            open_alerts(settings), config, make_notifier(settings), settings.public_url, datetime.now(UTC)
        )
    except PressdeskError as exc:
        fail(exc)
        return
    result = {"sent": run.sent, "alerts": run.alerts, "failed": list(run.failed)}
    click.echo(
        json.dumps(result, ensure_ascii=False)
        if as_json
        else f"sent {run.sent} digests ({run.alerts} alerts); failed: {', '.join(run.failed) or 'none'}"
    )


@main.group()
def config() -> None:
    """The project config file (locality, sources, units, routing)."""


@config.command("check")
@click.argument("path", type=click.Path(path_type=Path), required=False)
def config_check(path: Path | None) -> None:
    """Validate a config file (default: PRESSDESK_CONFIG, else the bundled example) and summarise it."""
    from pressdesk.wiring import default_config_path

    settings = settings_or_exit()
    target = path or settings.config or default_config_path()
    try:
        cfg = load_config(target)
    except PressdeskError as exc:
        fail(exc)
        return
    loc = cfg.locality
    out.print(f"[green]OK[/] {target}")
    out.print(
        f"Địa phương / locality: {loc.name} ({loc.kind}); trước sáp nhập / former: "
        f"{', '.join(u.name for u in loc.former) or '—'}; {len(loc.place_names())} tên / names"
    )
    out.print(
        f"Nguồn / sources: {len(cfg.sources)}; đơn vị / units: {len(cfg.units)} "
        f"(đầu mối / coordinating: {cfg.coordinating_unit.name})"
    )
    if settings.store == "sqlite":
        from indexing.sqlite_rank import status

        ranking = status()
        how = "pd_rank, giữ số tin / kept counts" if ranking.kept_counts else "[yellow]bm25()[/], chậm hơn / slower"
        out.print(f"Xếp hạng liên quan / relevance ranking: {how} ({escape(ranking.reason)})")


@main.group()
def sources() -> None:
    """Sources: the health of each feed, sitemap and channel; feed discovery; OPML lists shared between offices."""


@sources.command("health")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON (the same as GET /api/sources).")
def sources_health(as_json: bool) -> None:
    """Per source: last success, items per day (7-day average), errors by kind, failures in a row,
    current interval and next poll."""
    from crawlers import source_health
    from pressdesk.wiring import load_project, open_source_state

    settings = settings_or_exit()
    now = datetime.now(UTC)
    try:
        rows = source_health(open_source_state(settings), load_project(settings).sources, now)
    except PressdeskError as exc:
        fail(exc)
        return
    if as_json:
        click.echo(json.dumps({"as_of": now.isoformat(), "sources": [r.as_json() for r in rows]}, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} nguồn / sources")
    for col in ("id", "Báo / outlet", "Trạng thái / status", "Thành công / last success", "Tin/ngày / items/day"):
        table.add_column(col)
    for col in ("Lỗi / errors (7d)", "Lỗi liên tiếp / failures", "Chu kỳ / interval", "Lần tới / next"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.source_id,
            r.outlet,
            r.status,
            f"{r.last_success_at:%Y-%m-%d %H:%M}" if r.last_success_at else "—",
            f"{r.items_per_day:g}",
            ", ".join(f"{kind} {n}" for kind, n in r.errors.items()) or "—",
            str(r.failures),
            f"{r.interval_minutes:g} min",
            f"{r.next_due:%Y-%m-%d %H:%M}" if r.next_due else "now",
        )
    out.print(table)


@sources.command("discover")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print what was found as JSON instead of config blocks.")
def sources_discover(url: str, as_json: bool) -> None:
    """Find the feeds and sitemaps of a site or public channel and print [[sources]] blocks for the config.

    Reads the page's feed links and robots.txt Sitemap lines; tries common feed paths
    (/rss, /feed, ...) only when the page names no feed. Every request obeys robots.txt.
    """
    from crawlers import discover
    from pressdesk.wiring import load_project, make_fetcher

    settings = settings_or_exit()
    try:
        taken = [s.id for s in load_project(settings).sources]
        with make_fetcher(settings) as fetcher:
            found = discover(fetcher, url)
        if found.problem:
            raise FetchError(url, found.problem)
    except PressdeskError as exc:
        fail(exc)
        return
    if as_json:
        rows = [{"url": f.url, "kind": f.kind.value, "title": f.title, "via": f.via} for f in found.found]
        click.echo(json.dumps(rows, ensure_ascii=False))
    elif found.found:
        click.echo(found.toml(taken), nl=False)
    else:
        err.print(f"no feed or sitemap found for {url}")


@sources.command("import-opml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the [[sources]] blocks to this new file instead of printing them (never overwrites).",
)
def sources_import_opml(file: Path, out: Path | None) -> None:
    """Turn an OPML list of feeds (from another office or a feed reader) into [[sources]] blocks for the config."""
    from crawlers import read_opml, sources_toml
    from pressdesk.wiring import load_project

    settings = settings_or_exit()
    try:
        parsed = read_opml(file.read_bytes())
        if parsed.problem:
            raise ConfigError(f"{file}: {parsed.problem}")
        text = sources_toml(parsed.feeds, [s.id for s in load_project(settings).sources])
        emit(text.encode("utf-8"), out)
    except PressdeskError as exc:
        fail(exc)
        return
    skipped = f"; {parsed.skipped} outlines without a feed URL skipped" if parsed.skipped else ""
    err.print(f"{len(parsed.feeds)} sources from {file}{skipped}")


@sources.command("export-opml")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the OPML to this new file instead of printing it (never overwrites).",
)
def sources_export_opml(out: Path | None) -> None:
    """Write the configured sources as an OPML 2.0 list that feed readers and other offices can import."""
    from crawlers import write_opml
    from pressdesk.wiring import load_project

    settings = settings_or_exit()
    try:
        config = load_project(settings)
        emit(write_opml(config.sources, f"pressdesk: {config.locality.name}", datetime.now(UTC)), out)
    except PressdeskError as exc:
        fail(exc)


@main.command("export")
@click.argument("query", default="")
@_query_options
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True, help="File format."
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The file to write (replaced if it exists).",
)
@click.option(
    "--bom/--no-bom", default=True, show_default=True, help="Start CSV with a UTF-8 BOM so Excel shows Vietnamese."
)
def export_command(
    query: str,
    filters: tuple[str, ...],
    mode: str,
    like: str,
    exact: bool,
    fmt: str,
    out_path: Path,
    bom: bool,
) -> None:
    """Write every item matching QUERY to a CSV or JSONL file (no author columns). The export is audited.

    Columns: id, url, title, outlet, published, language, stance, stance_confidence,
    topic, topic_confidence, unit, about, localities.
    """
    from indexing import start_export
    from pressdesk.wiring import make_searcher, open_audit, open_store

    request = SearchQuery(text=query, filters=_parse_filters(filters), exact=exact, mode=SearchMode(mode), like=like)
    settings = settings_or_exit()
    try:
        searcher = make_searcher(settings, open_store(settings), semantic=request.mode is not SearchMode.KEYWORD)
        stream = start_export(searcher, request, "csv" if fmt == "csv" else "jsonl", bom=bom)  # narrows to the Literal
        detail = {"q": query, "mode": mode, "like": like, "filters": request.filters, "format": fmt, "via": "cli"}
        open_audit(settings).record("export", actor(), {**detail, "count": stream.total, "out": str(out_path)})
        with out_path.open("w", encoding="utf-8", newline="") as target:
            for chunk in stream.chunks():
                target.write(chunk)
    except PressdeskError as exc:
        fail(exc)
        return
    except OSError as exc:
        err.print(f"[bold red]pressdesk:[/] cannot write {out_path}: {exc.strerror}")
        sys.exit(1)
    err.print(f"{stream.rows} tin / items → {out_path}")


@main.group()
def saved() -> None:
    """Saved searches: named queries analysts keep, shown on the search page (and, later, run by alerts)."""


@saved.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per saved search.")
def saved_list(as_json: bool) -> None:
    """List the saved searches by name, with their id, query, mode and filters."""
    from pressdesk.wiring import open_saved

    try:
        searches = open_saved(settings_or_exit()).list_all()
    except PressdeskError as exc:
        fail(exc)
        return
    if as_json:
        for entry in searches:
            q = entry.query
            row = {"id": entry.id, "name": entry.name, "q": q.text, "mode": q.mode.value, "like": q.like}
            click.echo(json.dumps({**row, "filters": q.filters, "alert_unit": entry.alert_unit}, ensure_ascii=False))
        return
    table = Table(title=f"{len(searches)} tìm kiếm đã lưu / saved searches")
    for col in ("id", "Tên / name", "Câu tìm / query", "Cách tìm / mode", "Bộ lọc / filters", "Đơn vị / alert unit"):
        table.add_column(col)
    for entry in searches:
        filters = "; ".join(f"{name}={','.join(values)}" for name, values in entry.query.filters.items())
        query_text = entry.query.text or (f"like:{entry.query.like}" if entry.query.like else "")
        table.add_row(entry.id, entry.name, query_text, entry.query.mode.value, filters, entry.alert_unit)
    out.print(table)


@saved.command("add")
@click.argument("name")
@click.argument("query", default="")
@_query_options
@click.option("--alert-unit", default="", metavar="UNIT_ID", help="The unit that new matches will be routed to.")
def saved_add(
    name: str, query: str, filters: tuple[str, ...], mode: str, like: str, exact: bool, alert_unit: str
) -> None:
    """Save QUERY (with its filters and mode) under NAME; prints the new id."""
    from pressdesk.wiring import load_project, open_saved

    request = SearchQuery(text=query, filters=_parse_filters(filters), exact=exact, mode=SearchMode(mode), like=like)
    settings = settings_or_exit()
    try:
        units = {unit.id for unit in load_project(settings).units}
        if alert_unit and alert_unit not in units:
            raise ConfigError(f"unknown unit {alert_unit!r}; use one of {', '.join(sorted(units))}")
        entry = open_saved(settings).add(name, request, alert_unit=alert_unit, created_by=actor())
    except PressdeskError as exc:
        fail(exc)
        return
    click.echo(entry.id)


@saved.command("delete")
@click.argument("saved_id", metavar="ID")
def saved_delete(saved_id: str) -> None:
    """Delete the saved search with this ID (see `pressdesk saved list`)."""
    from pressdesk.wiring import open_saved

    try:
        deleted = open_saved(settings_or_exit()).delete(saved_id)
    except PressdeskError as exc:
        fail(exc)
        return
    if not deleted:
        err.print(f"[bold red]pressdesk:[/] no saved search with id {saved_id!r}; see `pressdesk saved list`")
        sys.exit(1)


# Command groups that live in their own modules (pressdesk/cli_<area>.py) are registered here,
# one line each: main.add_command(<group>).
from pressdesk.cli_crawl import crawl  # noqa: E402 - registered after main is defined

main.add_command(crawl)
from pressdesk.cli_factchecks import factchecks  # noqa: E402 - registered after main is defined

main.add_command(factchecks)
from pressdesk.cli_alerts import alerts  # noqa: E402 - registered after main is defined

main.add_command(alerts)
from pressdesk.cli_report import report  # noqa: E402 - registered after main is defined

main.add_command(report)
from pressdesk.cli_run import run  # noqa: E402 - registered after main is defined

main.add_command(run)
from pressdesk.cli_ops import backup, migrate  # noqa: E402 - registered after main is defined

main.add_command(migrate)
main.add_command(backup)
from pressdesk.cli_users import users  # noqa: E402 - registered after main is defined

main.add_command(users)
from pressdesk.cli_classify import classify_command, eval_command, model_group  # noqa: E402 - registered after main is defined

main.add_command(classify_command)
main.add_command(eval_command)
main.add_command(model_group)


if __name__ == "__main__":
    main()
