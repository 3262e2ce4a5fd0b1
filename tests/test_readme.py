"""The README stays true: every setting the code reads is documented there."""

from __future__ import annotations

import re
from pathlib import Path

import harborlight

ROOT = Path(__file__).resolve().parents[1]
NOT_SETTINGS = {"HARBORLIGHT_VERSION"}  # a template variable, not an environment variable


def test_it_documents_every_environment_variable_the_code_reads():
    source = "\n".join(path.read_text(encoding="utf-8")
                       for path in Path(harborlight.__file__).parent.rglob("*.py"))
    used = set(re.findall(r"HARBORLIGHT_[A-Z][A-Z0-9_]*[A-Z0-9]", source)) - NOT_SETTINGS
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    undocumented = sorted(name for name in used if name not in readme
                          and not (name.endswith("_FILE") and name[:-5] in readme))
    assert not undocumented, f"add these to the README's configuration table: {undocumented}"


def test_it_names_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./scripts/demo" in readme and "./scripts/test" in readme
    ci = ROOT / ".ci" / "run"
    assert ci.is_file() and "scripts/test" in ci.read_text(encoding="utf-8")


def test_it_claims_encrypted_attachments_only_if_something_stores_files():
    """The README once said attachments were encrypted when no page took a file: a claim
    about protection must name something that exists."""
    import django
    from django.apps import apps

    django.setup()
    from harborlight.security.fields import EncryptedFileField

    stores_files = any(isinstance(field, EncryptedFileField)
                       for model in apps.get_models() for field in model._meta.fields)
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    if not stores_files:
        assert "notes and attachments are encrypted" not in readme
        assert "no file attachments" in readme
