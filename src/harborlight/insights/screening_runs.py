"""Run the screening engine for an organisation and keep its leads.

Steps of :func:`run_upload`, all or nothing:

1. check the upload (size, file type) and copy it to a private temporary file;
2. screen it with the organisation's HMAC key and incremental state, so today's batch
   links against earlier ones;
3. store the run's counts and its ranked leads (details encrypted) in one transaction;
4. delete the temporary file, whatever happened.

The organisation's contact-hashing key is derived from the keyring's index key, so it is
stable, never stored, and differs between organisations.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from harborlight.insights.models import Lead, ScreeningRun
from harborlight.screening import MissingExtra, ScreeningError, screen
from harborlight.security.crypto import get_keyring

ACCEPTED_SUFFIXES = (".jsonl", ".json", ".ndjson", ".csv", ".parquet")
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
LEADS_KEPT = 200
MISSING_ENGINE = gettext_lazy("Ad screening is not installed on this server: whoever runs it "
                              "can add it with pip install 'harborlight[screening]'.")


class UploadRefused(Exception):
    """The uploaded batch cannot be screened; the message says why."""


def organisation_key(organisation) -> bytes:
    digest = get_keyring().blind_index("screening.contact-key", str(organisation.pk))
    return digest.encode("ascii")


def state_dir(organisation) -> Path:
    return Path(settings.DATA_DIR) / "screening" / f"org-{organisation.pk}"


def _suffix(name: str) -> str:
    lowered = name.lower()
    for suffix in ACCEPTED_SUFFIXES:
        if lowered.endswith(suffix):
            return suffix
    raise UploadRefused(_("Upload a JSON Lines (.jsonl), CSV (.csv) or Parquet (.parquet) "
                          "file."))


def run_upload(organisation, user, upload: UploadedFile) -> ScreeningRun:
    if upload.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(_("The file is larger than %(size)d MB; screen large batches with "
                              "`harborlight screen`.")
                            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)})
    suffix = _suffix(upload.name)
    fd, temporary = tempfile.mkstemp(suffix=suffix, prefix="harborlight-ads-")
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            result = screen(temporary, key=organisation_key(organisation),
                            state_dir=state_dir(organisation))
        except MissingExtra:
            raise UploadRefused(MISSING_ENGINE) from None
        except ScreeningError as problem:
            raise UploadRefused(_without_paths(str(problem), temporary, upload.name)) \
                from None
    finally:
        os.unlink(temporary)
    return _store(organisation, user, upload.name, result,
                  clean=lambda text: _without_paths(text, temporary, upload.name))


def _without_paths(message: str, temporary: str, name: str) -> str:
    """The engine's words with the server's temporary file named as the uploaded file:
    a refusal never shows where the server keeps its temporary files."""
    message = message.replace(temporary, name)
    return re.sub(re.escape(tempfile.gettempdir()) + r"[^\s'\":,]*", name, message)


@transaction.atomic
def _store(organisation, user, source_name: str, result,
           clean=lambda text: text) -> ScreeningRun:
    summary = dict(result.summary)
    run = ScreeningRun.objects.create(
        organisation=organisation, created_by=user, source_name=source_name[:200],
        ads_screened=summary.get("ads_screened", 0),
        records_skipped=summary.get("records_skipped", 0),
        networks_found=summary.get("networks", len(result.networks)),
        problems=[{"line": p.line, "reason": clean(p.message)}
                  for p in result.problems][:500],
        summary=summary)
    Lead.objects.bulk_create([
        Lead(organisation=organisation, run=run, rank=rank, network_id=network["network_id"],
             score=network["score"], size=network["size"], details=network)
        for rank, network in enumerate(result.networks[:LEADS_KEPT], start=1)])
    return run
