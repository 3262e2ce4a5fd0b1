"""``harborlight share ...``: de-identified exports in the CTDC layout (issue 6).

The command only parses arguments, calls :func:`harborlight.sharing.export` and prints
counts. Engine errors become one-line :class:`UsageProblem` messages: 2 for bad usage,
65 for input data that cannot be exported, 78 when the sharing extra is not installed.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Iterator

import typer

from harborlight.cli.errors import UsageProblem
from harborlight.cli.operator import os_user, required_reason

app = typer.Typer(help="De-identified data sharing (k-anonymity, differential privacy).",
                  no_args_is_help=True)


class LayoutChoice(str, Enum):
    ctdc_2024 = "ctdc-2024"
    ctdc_2021 = "ctdc-2021"


@app.command("export")
def export_command(
    out: Path = typer.Option(..., "--out", help="Output folder for data.csv, report.json "
                             "and report.html (created if needed; those files are replaced)."),
    layout: LayoutChoice = typer.Option(..., "--layout", help="CTDC layout of the export."),
    k: int | None = typer.Option(None, "--k", help="k-anonymity: every combination of "
                                 "quasi-identifiers keeps at least K records (CTDC used 11)."),
    epsilon: float | None = typer.Option(None, "--epsilon", help="Differentially private "
                                         "synthetic records at this epsilon (CTDC uses 4)."),
    delta: float = typer.Option(1e-9, "--delta", help="Delta of (epsilon, delta)-DP."),
    input_file: Path | None = typer.Option(None, "--input", help="CSV (plain or gzipped) in "
                                           "the CTDC 2021, CTDC 2024 or HTCDS layout. "
                                           "Without it, records come from the database."),
    seed: int | None = typer.Option(None, "--seed", help="Repeatable sampling."),
    no_risk: bool = typer.Option(False, "--no-risk", help="Skip the attack-based risk "
                                 "measurement (and keep every record in the release)."),
    organisation: str = typer.Option("", "--organisation", help="Slug or name of the "
                                     "organisation whose cases to export (database source "
                                     "only; needed when there is more than one)."),
    reason: str = typer.Option("", "--reason", metavar="TEXT",
                               help="Required when reading the database: why this export "
                                    "is needed (kept in the audit trail with your "
                                    "operating-system user)."),
) -> None:
    """Write a de-identified export of consented records, with a utility and risk report.

    Reads only; writes the three files in --out, readable by their owner only. Records
    without consent to de-identified sharing are never exported; the report says how many
    were left out and why. An export from the database is audited with --reason.
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from harborlight.sharing import InputProblems, MissingExtra, ParameterError, export

    if (k is None) == (epsilon is None):
        raise UsageProblem("give exactly one of --k (k-anonymity) or --epsilon "
                           "(differential privacy)")
    database_organisation = _organisation(organisation) if input_file is None else None
    why = required_reason(reason) if input_file is None else reason.strip()
    console = Console(stderr=True)
    try:
        with _owner_only_files(), Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task("starting", total=None)

            def on_step(step: str) -> None:
                progress.update(task, description=step)
                console.log(step)

            options = dict(out_dir=out, layout=layout.value, k=k, epsilon=epsilon,
                           delta=delta, seed=seed, measure_risk=not no_risk, on_step=on_step)
            if database_organisation is None:
                result = export(input_path=input_file, **options)
            else:
                from harborlight.insights.database_export import export_organisation

                result = export_organisation(database_organisation, why=why,
                                             operator={"os_user": os_user()}, **options)
    except InputProblems as problems:
        raise UsageProblem(str(problems), 65) from None
    except ParameterError as problem:
        raise UsageProblem(str(problem), 2) from None
    except MissingExtra as problem:
        raise UsageProblem(str(problem), 78) from None
    report = result.report
    consent = report["consent"]
    typer.echo(f"read {report['input']['records']:,} records ({report['input']['layout']}); "
               f"{consent['records_excluded']:,} left out for lack of sharing consent")
    typer.echo(f"exported {report['rows_out']:,} of {report['rows_in']:,} records "
               f"({report['method']}, layout {report['layout']}); "
               f"{report['control_records_withheld']:,} held back as risk control")
    shown = report["utility"].get("reporting")
    scope = f" of {shown['resolution']} or more records" if shown else ""
    typer.echo(f"combinations{scope} suppressed {report['suppressed_share']:.2%}, fabricated "
               f"{report['fabricated_share']:.2%}; wrote {out}/data.csv, report.json, "
               f"report.html")


@contextmanager
def _owner_only_files() -> Iterator[None]:
    """Files the export creates get mode 600: de-identified is not public (the engine, a
    pure library, opens them plainly; a command runs alone in its process)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _organisation(text: str):
    """The organisation whose cases a database export reads."""
    from harborlight.cli.bootstrap import setup_django
    from harborlight.cli.organisations import find

    setup_django()
    return find(text)
