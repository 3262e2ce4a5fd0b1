"""CLI exports name who ran them and why, and write files only their owner reads
(issue 12, Low)."""

from __future__ import annotations

import getpass
import stat

import pytest
from typer.testing import CliRunner

from harborlight.cli import app
from harborlight.cli.errors import UsageProblem
from harborlight.security.audit.models import AuditEntry
from tests_support import audit_mark

pytestmark = pytest.mark.django_db


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def refused_for_usage(result) -> bool:
    """A usage error (exit 2) whose one line names --reason."""
    problem = result.exception
    return isinstance(problem, UsageProblem) and problem.exit_code == 2 \
        and "--reason" in str(problem)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json"])
def test_it_writes_an_htcds_export_of_mode_600_audited_with_reason_and_os_user(
        cast, tmp_path, suffix):
    out = tmp_path / f"cases{suffix}"
    out.write_text("old")
    out.chmod(0o644)  # an older, world-readable file of that name is replaced
    mark = audit_mark()

    result = run("export", "htcds", "--out", str(out), "--organisation", "own",
                 "--reason", "court order 2026-117")

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    [entry] = AuditEntry.objects.filter(seq__gt=mark, action="export")
    assert entry.reason == "court order 2026-117"
    assert entry.details["os_user"] == getpass.getuser()
    assert not list(tmp_path.glob(".cases*"))  # no temporary file left behind


@pytest.mark.parametrize("reason", [None, "   "])
def test_it_refuses_an_htcds_export_without_a_reason(cast, tmp_path, reason):
    out = tmp_path / "cases.csv"
    args = ["export", "htcds", "--out", str(out), "--organisation", "own"]
    mark = audit_mark()

    result = run(*args, *(["--reason", reason] if reason is not None else []))

    assert refused_for_usage(result)
    assert not out.exists()
    assert not AuditEntry.objects.filter(seq__gt=mark, action="export").exists()


def test_it_refuses_an_audit_export_without_a_reason(cast, tmp_path):
    result = run("audit", "export", "--out", str(tmp_path / "a.jsonl"))

    assert refused_for_usage(result)


def test_it_audits_an_audit_export_with_reason_and_os_user(cast, tmp_path):
    out = tmp_path / "a.jsonl"

    result = run("audit", "export", "--out", str(out), "--reason", "annual review")

    assert result.exit_code == 0, result.output
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.reason) == ("export", "annual review")
    assert entry.details["os_user"] == getpass.getuser()
