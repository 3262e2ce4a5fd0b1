"""``harborlight import htcds``, ``harborlight export htcds`` and ``harborlight purge``.

``import odk FILE`` takes an ODK Central or KoboToolbox export of the HTCDS form as field
interviews (:mod:`harborlight.fieldintake.export_import`; ``--dry-run`` reports only).
``import htcds FILE`` adds cases (one per row, with its person) to one organisation; it is
atomic (all rows or none) and idempotent (rows carry or get an external id). ``export
htcds --out FILE`` writes the organisation's cases: .xlsx in the toolkit layout, .csv or
.json with HTCDS names; it writes identifying data in the clear, so the file must be kept
as carefully as the database. ``purge`` deletes what the retention policy says is past its
time and prints what it removed (``--dry-run`` changes nothing).
"""

from __future__ import annotations

from pathlib import Path

import typer

from harborlight.cli.bootstrap import setup_django
from harborlight.cli.errors import UsageProblem
from harborlight.cli.operator import REASON, os_user, required_reason

BAD_INPUT_EXIT_CODE = 65

import_app = typer.Typer(help="Import records from files.", no_args_is_help=True)
export_app = typer.Typer(help="Export records to files.", no_args_is_help=True)


def _organisation(text: str):
    from harborlight.cli.organisations import find

    return find(text)


@import_app.command("htcds")
def import_htcds(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="An .xlsx (HTCDS toolkit layout), .csv or .json file."),
    organisation: str = typer.Option("", "--organisation", "-o", metavar="ORGANISATION",
                                     help="Slug or name of the organisation that receives "
                                          "the cases."),
) -> None:
    """Import cases from an HTCDS file: all rows or none. Re-importing changes nothing."""
    setup_django()
    from harborlight.cases.htcds_io import ImportFailed, import_file

    target = _organisation(organisation)
    try:
        result = import_file(file, target)
    except ImportFailed as failed:
        if failed.report is not None:
            for line in failed.report.lines():
                typer.echo(f"  {line}", err=True)
        for error in failed.errors[:200]:
            typer.echo(f"  {error}", err=True)
        if len(failed.errors) > 200:
            typer.echo(f"  ... and {len(failed.errors) - 200} more", err=True)
        raise UsageProblem(f"{len(failed.errors)} error(s) in {file.name}; nothing was "
                           "imported", BAD_INPUT_EXIT_CODE) from None
    for line in result.report.lines():
        typer.echo(line)
    typer.echo(f"imported into {target.slug}: {result.created} created, {result.updated} "
               f"updated, {result.unchanged} unchanged")


@import_app.command("odk")
def import_odk(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="An ODK Central export (.csv or .zip with media) or a "
                                     "KoboToolbox CSV export of the HTCDS form."),
    organisation: str = typer.Option("", "--organisation", "-o", metavar="ORGANISATION",
                                     help="Slug or name of the organisation that receives "
                                          "the interviews."),
    by: str = typer.Option("", "--by", metavar="USERNAME",
                           help="The field worker the interviews are logged by (a user of "
                                "the organisation); none by default."),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Report what the rows would become; change nothing."),
) -> None:
    """Import field interviews exported from ODK Central or KoboToolbox: each row becomes a
    tip or a case (the organisation's field intake setting), as if Collect had sent it
    here. All rows or none; a row whose instanceID is already here is skipped."""
    setup_django()
    from harborlight.accounts.models import User
    from harborlight.fieldintake.export_import import ExportUnreadable, import_export

    target = _organisation(organisation)
    user = None
    if by:
        user = User.objects.filter(organisation=target, username=by).first()
        if user is None:
            raise UsageProblem(f"no user {by!r} in {target.slug}")
    try:
        report = import_export(file, target, user, dry_run=dry_run,
                               details={"os_user": os_user()})
    except ExportUnreadable as error:
        raise UsageProblem(str(error), BAD_INPUT_EXIT_CODE) from None
    for line in report.lines():
        typer.echo(line, err=bool(report.problems) and not dry_run)
    if report.problems and not dry_run:
        raise UsageProblem(f"{len(report.problems)} problem(s) in {file.name}; nothing was "
                           "imported", BAD_INPUT_EXIT_CODE)


@export_app.command("htcds")
def export_htcds(
    out: Path = typer.Option(..., "--out", help="Where to write: .xlsx, .csv or .json."),
    reason: str = REASON,
    organisation: str = typer.Option("", "--organisation", "-o", metavar="ORGANISATION",
                                     help="Slug or name of the organisation (see "
                                          "`harborlight organisations`)."),
) -> None:
    """Export an organisation's cases with HTCDS names (identifying data in the clear).

    The file is created with mode 600; the export is audited with --reason and the
    operating-system user who ran it.
    """
    setup_django()
    from harborlight.cases.htcds_io import write_file
    from harborlight.cases.models import Case
    from harborlight.cases.vocabulary import ExportMapping
    from harborlight.security.audit.log import record

    target = _organisation(organisation)
    reason = required_reason(reason)
    if out.suffix.lower() not in (".xlsx", ".csv", ".json"):
        raise UsageProblem("--out must end in .xlsx, .csv or .json")
    mapping = ExportMapping.for_organisations([target.pk])
    count = write_file(out, Case.objects.filter(organisation=target), mapping)
    record("export", organisation=target, object_type="cases.case", reason=reason,
           details={"export": "htcds", "records": count, "format": out.suffix.lower(),
                    "os_user": os_user(), "mapped": sum(mapping.mapped.values())})
    typer.echo(f"exported {count} records from {target.slug} to {out}")
    for line in mapping.lines():
        typer.echo(f"mapped {line}")


def purge(dry_run: bool = typer.Option(False, "--dry-run",
                                       help="Report what would be removed; change nothing.")
          ) -> None:
    """Delete records past their retention time (cases/data/retention.json); print counts."""
    setup_django()
    from harborlight.cases.retention import purge as run_purge

    total = 0
    for rule, counts in run_purge(dry_run=dry_run):
        removed = ", ".join(f"{n} {label}" for label, n in sorted(counts.items())) or "nothing"
        typer.echo(f"{rule.what}: {'would remove' if dry_run else 'removed'} {removed}")
        total += sum(counts.values())
    typer.echo(f"{'would remove' if dry_run else 'removed'} {total} rows in all")


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
    app.command("purge")(purge)
