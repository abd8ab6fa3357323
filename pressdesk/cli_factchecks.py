"""``pressdesk factchecks``: the registry of claims already shown false (import, add, list).

Every import and every added correction is written to the audit log: a "false" label on
coverage rests on these records, so who put each one there must stay known.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from rich.table import Table

from classify.factchecks import VERDICTS, correction_id, office_correction, read_factcheck_file
from core.errors import ConfigError, PressdeskError
from pressdesk.cli_support import actor, err, fail, out, settings_or_exit


@click.group("factchecks")
def factchecks() -> None:
    """Sổ kiểm chứng: các tuyên bố đã bị xác định sai (the fact-check registry)."""


@factchecks.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publisher", default="", help="Organisation to record for JSONL records that name none.")
def import_files(files: tuple[Path, ...], publisher: str) -> None:
    """Import FILE... : ClaimReview JSON-LD, or JSONL records (claim_id, claim, verdict, explanation, url, date)."""
    from pressdesk.wiring import open_audit, open_factchecks

    settings = settings_or_exit()
    registry, audit = open_factchecks(settings), open_audit(settings)
    try:
        for path in files:
            records = read_factcheck_file(path, publisher=publisher)
            added, replaced = registry.add(records)
            audit.record(
                "factchecks.import",
                actor(),
                {"file": str(path), "added": added, "replaced": replaced, "claim_ids": [r.claim_id for r in records]},
            )
            undated = sum(r.date is None for r in records)
            unlinked = sum(not r.url for r in records)
            err.print(
                f"Đã nhập {len(records)} bản ghi từ {path} (mới {added}, thay thế {replaced}) "
                f"/ imported {len(records)} records ({added} new, {replaced} replaced)"
            )
            if unlinked:
                err.print(
                    f"[yellow]{unlinked} bản ghi không có đường dẫn: chỉ được gợi ý, không tự động gắn nhãn sai.[/] "
                    f"/ {unlinked} records have no url: they can only be suggested, never auto-flagged; "
                    "re-import them with a url"
                )
            if undated:
                err.print(f"{undated} bản ghi không có ngày / {undated} records have no date (they never age out)")
    except PressdeskError as exc:
        fail(exc)
    finally:
        registry.close()


@factchecks.command("add")
@click.option("--claim", required=True, help="The false claim, as it circulates.")
@click.option("--verdict", type=click.Choice(VERDICTS), default="false", show_default=True, help="The verdict.")
@click.option("--explanation", required=True, help="Why it is false (shown beside flagged items).")
@click.option("--url", required=True, help="Link to the official correction (shown beside flagged items).")
@click.option("--date", "when", required=True, help="Date of the correction, YYYY-MM-DD.")
@click.option("--claim-id", default="", help="Id to give the record (default: derived from claim and url).")
@click.option("--publisher", default="", help="The office or organisation that issued the correction.")
def add(claim: str, verdict: str, explanation: str, url: str, when: str, claim_id: str, publisher: str) -> None:
    """Enter an official correction by the office; prints the record's claim id."""
    from pressdesk.wiring import open_audit, open_factchecks

    settings = settings_or_exit()
    try:
        try:
            published = date.fromisoformat(when)
        except ValueError as exc:
            raise ConfigError(f"--date {when!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-01") from exc
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"--url {url!r} is not a web link; give the http(s) address of the correction")
        claim_id = claim_id or correction_id(url, claim)
        record = office_correction(
            claim_id=claim_id,
            claim=" ".join(claim.split()),
            verdict=verdict,
            explanation=explanation.strip(),
            url=url,
            when=published,
            publisher=publisher,
        )
        registry = open_factchecks(settings)
        _, replaced = registry.add([record])
        registry.close()
        open_audit(settings).record("factchecks.add", actor(), {"replaced": bool(replaced), **record.as_dict()})
    except PressdeskError as exc:
        fail(exc)
        return
    click.echo(claim_id)


@factchecks.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
def list_records(as_json: bool) -> None:
    """List the records in the registry (``--json`` is an export, so it is audited)."""
    from pressdesk.wiring import open_audit, open_factchecks

    settings = settings_or_exit()
    registry = open_factchecks(settings)
    try:
        records = registry.records()
        if as_json:
            open_audit(settings).record("factchecks.export", actor(), {"records": len(records)})
    except PressdeskError as exc:
        fail(exc)
        return
    finally:
        registry.close()
    if as_json:
        for record in records:
            click.echo(json.dumps(record.as_dict(), ensure_ascii=False))
        return
    table = Table(title=f"Sổ kiểm chứng / fact-check registry ({len(records)})")
    for column in ("claim_id", "kết luận / verdict", "ngày / date", "nguồn / publisher", "tuyên bố / claim"):
        table.add_column(column)
    for r in records:
        claim = r.claim if len(r.claim) <= 80 else r.claim[:79] + "…"
        table.add_row(r.claim_id, r.verdict, r.date.isoformat() if r.date else "", r.publisher or r.origin, claim)
    out.print(table)
