"""The ``pressdesk`` command line. Each command parses, calls one function, and maps errors to a message."""

from __future__ import annotations

import getpass
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.config import load_config
from core.errors import ConfigError, PressdeskError
from core.search import FACET_FIELDS, SearchQuery, Sort
from core.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])
err = Console(stderr=True)
out = Console()

STAGE_NAMES = {"fetch": "Tải bài viết (fetch)", "classify": "Phân loại (classify)"}


def _fail(exc: PressdeskError) -> None:
    err.print(f"[bold red]pressdesk:[/] {exc}")
    sys.exit(2 if isinstance(exc, ConfigError) else 1)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        _fail(exc)
        raise  # unreachable: _fail exits


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar per pipeline stage, or nothing when output is machine-read."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGE_NAMES.get(stage, stage), total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        yield update


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

    settings = _settings()
    try:
        with demo_environment(settings, keep=keep) as env:
            with _progress(not as_json) as progress:
                run = run_demo_cycle(env, progress=progress)
            if as_json:
                click.echo(json.dumps(run.as_dict(), ensure_ascii=False))
            else:
                _print_demo(run.as_dict())
            if not once:
                _serve(env.settings, env.journey.store, port, config=env.config, alerts=env.journey.alerts)
    except PressdeskError as exc:
        _fail(exc)


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


def _serve(settings: Settings, store: Any, port: int | None, **kwargs: Any) -> None:
    import uvicorn

    from api import create_app
    from pressdesk.wiring import open_audit

    app = create_app(settings, store, open_audit(settings), **kwargs)
    bind_port = port or settings.http_port
    out.print(
        f"[bold green]Giao diện tìm kiếm / search UI:[/] http://{settings.http_host}:{bind_port}/  (Ctrl+C để dừng)"
    )
    uvicorn.run(app, host=settings.http_host, port=bind_port, log_level="warning")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the cycle summary as JSON.")
def collect(as_json: bool) -> None:
    """Run one collection cycle over the configured sources (fetch, extract, classify, store, route)."""
    from pressdesk.pipeline import run_cycle
    from pressdesk.wiring import build_journey, load_project

    settings = _settings()
    try:
        config = load_project(settings)
        if not config.sources:
            raise ConfigError(
                f"no sources in {config.path}; add [[sources]] entries (see the example profile) "
                "or run `pressdesk demo` to try the local replay"
            )
        journey = build_journey(settings, config)
        with _progress(not as_json) as progress:
            summary = run_cycle(journey, config.sources, progress=progress)
        journey.fetcher.close()
    except PressdeskError as exc:
        _fail(exc)
        return
    click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=None if as_json else 2))


@main.command()
@click.option("--host", default=None, help="Address to bind (default PRESSDESK_HTTP_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default PRESSDESK_HTTP_PORT, 8000).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the search UI and the HTTP API over the configured store."""
    from pressdesk.wiring import load_project, open_alerts, open_store

    settings = _settings()
    if host:
        settings = settings.model_copy(update={"http_host": host})
    try:
        config = load_project(settings)
        _serve(settings, open_store(settings), port, config=config, alerts=open_alerts(settings))
    except PressdeskError as exc:
        _fail(exc)


@main.command()
@click.argument("query", default="")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="FIELD=VALUE",
    help=f"Keep only items with this value; FIELD is one of {', '.join(FACET_FIELDS)}. Repeatable.",
)
@click.option("--sort", type=click.Choice([s.value for s in Sort]), default=Sort.RELEVANCE.value, help="Result order.")
@click.option("--exact", is_flag=True, help="Match diacritics exactly.")
@click.option("--limit", type=int, default=20, show_default=True, help="How many results.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON lines.")
def search(query: str, filters: tuple[str, ...], sort: str, exact: bool, limit: int, as_json: bool) -> None:
    """Search stored items (accent-insensitive: "da nang" finds "Đà Nẵng"). Every search is audited."""
    from pressdesk.wiring import open_audit, open_store

    parsed: dict[str, list[str]] = {}
    for spec in filters:
        name, sep, value = spec.partition("=")
        if not sep or name not in FACET_FIELDS:
            raise click.BadParameter(f"{spec!r}: write FIELD=VALUE with FIELD one of {', '.join(FACET_FIELDS)}")
        parsed.setdefault(name, []).append(value)
    settings = _settings()
    try:
        store = open_store(settings)
        request = SearchQuery(
            text=query, filters={k: tuple(v) for k, v in parsed.items()}, exact=exact, sort=Sort(sort), limit=limit
        )
        page = store.search(request)
        open_audit(settings).record(
            "search", f"cli:{getpass.getuser()}", {"q": query, "filters": parsed, "total": page.total}
        )
    except PressdeskError as exc:
        _fail(exc)
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
    for col in ("Tiêu đề / title", "Báo / outlet", "Sắc thái / stance", "Chủ đề / topic"):
        table.add_column(col)
    for hit in page.hits:
        c = hit.item.classified
        table.add_row(
            hit.item.title, hit.item.fetched.outlet, str(c.stance or "") if c else "", str(c.topic or "") if c else ""
        )
    out.print(table)


@main.group()
def digests() -> None:
    """Unit digests: alerts collected since the last digest, sent to each unit's shared mailbox."""


@digests.command("send")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def digests_send(as_json: bool) -> None:
    """Send every unit its pending alerts now over SMTP (PRESSDESK_SMTP_*)."""
    from alerts import send_digests
    from pressdesk.wiring import load_project, make_notifier, open_alerts

    settings = _settings()
    try:
        config = load_project(settings)
        run = send_digests(
            open_alerts(settings), config, make_notifier(settings), settings.public_url, datetime.now(UTC)
        )
    except PressdeskError as exc:
        _fail(exc)
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

    settings = _settings()
    target = path or settings.config or default_config_path()
    try:
        cfg = load_config(target)
    except PressdeskError as exc:
        _fail(exc)
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


if __name__ == "__main__":
    main()
