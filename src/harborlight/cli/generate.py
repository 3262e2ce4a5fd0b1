"""``harborlight generate ...``: synthetic data for demos, tests and benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from harborlight.cli.errors import UsageProblem

app = typer.Typer(help="Write synthetic data (never real people) for demos and benchmarks.",
                  no_args_is_help=True)


@app.command("ads")
def ads_command(
    n: int = typer.Option(..., "--n", min=0, help="Number of ads."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same file)."),
    out: Path = typer.Option(..., "--out", help="Output file: .jsonl, .csv or .parquet."),
    slots: int | None = typer.Option(None, "--slots", min=1, max=4,
                                     help="Free varying slots per template (default 1-4)."),
) -> None:
    """Write N synthetic, non-explicit service-listing ads with ground-truth operator ids
    (column operator_id, empty for unrelated ads) to --out. Overwrites --out."""
    from harborlight.screening.synthetic import generate_ads

    suffix = out.suffix.lower()
    if suffix not in {".jsonl", ".csv", ".parquet"}:
        raise UsageProblem(f"{out}: use a .jsonl, .csv or .parquet file name")
    if not out.parent.is_dir():
        raise UsageProblem(f"{out.parent}: no such folder")
    ads = generate_ads(n, seed, slots=slots)
    temporary = out.with_name(f".{out.name}.partial")
    count = 0
    if suffix == ".jsonl":
        with open(temporary, "w", encoding="utf-8") as handle:
            for ad in ads:
                handle.write(json.dumps(ad, ensure_ascii=False) + "\n")
                count += 1
    elif suffix == ".csv":
        import csv

        from harborlight.screening.reader import FIELDS

        with open(temporary, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*FIELDS[:6], "operator_id"])
            writer.writeheader()
            for ad in ads:
                writer.writerow(ad)
                count += 1
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        writer = None
        chunk: list[dict] = []
        for ad in ads:
            chunk.append(ad)
            count += 1
            if len(chunk) == 50_000:
                table = pa.Table.from_pylist(chunk)
                writer = writer or pq.ParquetWriter(temporary, table.schema)
                writer.write_table(table)
                chunk = []
        if chunk or writer is None:
            table = pa.Table.from_pylist(chunk, schema=pa.schema(
                [(name, pa.string()) for name in
                 ("id", "title", "body", "posted_at", "site", "location", "operator_id")]))
            writer = writer or pq.ParquetWriter(temporary, table.schema)
            writer.write_table(table)
        writer.close()
    temporary.replace(out)
    typer.echo(f"wrote {count} ads to {out}")
