"""``harborlight screen``: screen online ads for trafficking networks (issue 5).

The HMAC key that hashes contact identifiers comes from, in order: ``--key-file``, the
``HARBORLIGHT_SCREENING_KEY`` environment variable, or ``STATE/screening.key`` (created
with mode 0600 on first use when ``--state`` is given, so incremental runs stay
consistent). Without any of them a one-off random key is used and the run says so.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from harborlight.cli.errors import UsageProblem

KEY_ENV = "HARBORLIGHT_SCREENING_KEY"
KEY_FILE_NAME = "screening.key"


def _decode_key(text: str, origin: str) -> bytes:
    text = text.strip()
    try:
        key = bytes.fromhex(text) if len(text) >= 32 and len(text) % 2 == 0 else None
    except ValueError:
        key = None
    if key is None:
        key = text.encode("utf-8")
    if len(key) < 16:
        raise UsageProblem(f"{origin}: the screening key must be at least 16 bytes", 78)
    return key


def resolve_key(key_file: Path | None, state: Path | None) -> tuple[bytes, str]:
    """Return the key and a short note on where it came from (never the key itself)."""
    from harborlight.screening.contacts import new_key

    if key_file is not None:
        try:
            return _decode_key(key_file.read_text(encoding="utf-8"), str(key_file)), "key file"
        except OSError as exc:
            raise UsageProblem(f"{key_file}: cannot read key file ({exc.strerror})", 78) \
                from None
    if os.environ.get(KEY_ENV):
        return _decode_key(os.environ[KEY_ENV], KEY_ENV), KEY_ENV
    if state is None:
        return new_key(), "one-off random key (contact hashes not comparable across runs)"
    stored = state / KEY_FILE_NAME
    if stored.exists():
        return _decode_key(stored.read_text(encoding="utf-8"), str(stored)), str(stored)
    try:
        state.mkdir(parents=True, exist_ok=True)
        key = new_key()
        descriptor = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(key.hex() + "\n")
    except OSError as exc:
        raise UsageProblem(f"{stored}: cannot create key file ({exc.strerror})", 73) from None
    return key, f"new key stored in {stored} (mode 0600)"


def register(app: typer.Typer) -> None:
    """Add the ``screen`` command to ``app``."""

    @app.command("screen")
    def screen_command(
        inputs: list[Path] = typer.Argument(..., help="JSON Lines, CSV or Parquet files."),
        out: Path = typer.Option(..., "--out", help="Output folder (created if needed)."),
        dask: str | None = typer.Option(None, "--dask", help="Dask scheduler address, "
                                        "e.g. tcp://host:8786."),
        state: Path | None = typer.Option(None, "--state", help="Incremental state folder: "
                                          "history is read from and written to it."),
        region: str = typer.Option("US", "--region", help="Default phone region (ISO code)."),
        reveal_contacts: bool = typer.Option(False, "--reveal-contacts", help="Write the "
                                             "full phones, emails and handles in ads.csv "
                                             "(for whoever holds the raw input)."),
        key_file: Path | None = typer.Option(None, "--key-file", help="File holding the "
                                             "HMAC key for contact hashes."),
        workers: int = typer.Option(1, "--workers", min=1, help="Local worker processes."),
        batch_size: int = typer.Option(2000, "--batch-size", min=1, help="Ads per batch."),
    ) -> None:
        """Screen ads, link them into networks and write ads.csv, networks.csv, leads.json
        and report.html to --out. With --state, also updates the state folder."""
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from harborlight.screening import ScreeningError, screen

        key, key_origin = resolve_key(key_file, state)
        with Progress(TextColumn("screening"), BarColumn(), TextColumn("{task.completed} ads"),
                      TimeElapsedColumn(), transient=True, disable=not os.isatty(2)) as bar:
            task = bar.add_task("screen", total=None)
            try:
                result = screen([str(path) for path in inputs], key=key, region=region,
                                state_dir=state, dask_address=dask, workers=workers,
                                batch_size=batch_size, reveal_contacts=reveal_contacts,
                                progress=lambda count: bar.advance(task, count))
            except ScreeningError as problem:
                raise UsageProblem(str(problem), 65 if "Input" in type(problem).__name__
                                   else 78) from None
        result.write(out)
        summary = result.summary
        typer.echo(f"key: {key_origin}")
        typer.echo(f"ads screened: {summary['ads_screened']}; records skipped: "
                   f"{summary['records_skipped']}; ads in history: {summary['ads_in_history']}")
        typer.echo(f"networks: {summary['networks']}; ads in networks: "
                   f"{summary['ads_in_networks']}; hub identifiers ignored: "
                   f"{summary['hub_identifiers']}")
        for problem in result.problems[:10]:
            typer.echo(f"skipped {problem.source} line {problem.line}: {problem.message}",
                       err=True)
        if len(result.problems) > 10:
            typer.echo(f"... and {len(result.problems) - 10} more (see leads.json)", err=True)
        typer.echo(f"wrote {out}/ads.csv, networks.csv, leads.json, report.html")
