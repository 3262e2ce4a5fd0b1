"""One export from start to finish: read, check, consent, map, protect, measure, write.

Steps (each announced through ``on_step`` so the CLI can show progress):

1. read the records (a CSV file, or HTCDS-named dicts from the database) and detect the
   layout; stop with every problem found if the layout or the codes are wrong;
2. keep only records whose consent allows de-identified sharing (see ``consent``);
3. map them to the requested CTDC layout;
4. hold back a random control sample (never exported) for the risk measurement;
5. protect: k-anonymity (:class:`KAnonymizer`) or DP synthesis (:class:`DPSynthesizer`);
6. measure utility against the real records and re-identification risk;
7. write ``data.csv``, ``report.json`` and ``report.html`` into a temporary folder beside
   the destination and move them into place only when all three are complete, so a
   failed export leaves nothing half-written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from harborlight.sharing import consent as consent_mod
from harborlight.sharing.datafiles import load_anonymisation, load_layout, load_mapping
from harborlight.sharing.dp import DPSynthesizer, check_privacy_parameters, require_libraries
from harborlight.sharing.errors import InputProblems, ParameterError
from harborlight.sharing.evaluation import compare
from harborlight.sharing.kanon import KAnonymizer
from harborlight.sharing.mapping import convert
from harborlight.sharing.reading import (
    detect_layout,
    frame_from_records,
    normalise_header,
    read_table,
)
from harborlight.sharing.report import render_html, to_json
from harborlight.sharing.risk import evaluate_risk

OUTPUT_FILES = ("data.csv", "report.json", "report.html")
#: fewer consented records than this: no control sample, the risk report says so
MIN_RECORDS_FOR_RISK = 200
HTCDS_ATTRIBUTION = ("HTCDS-derived field mapping: Human Trafficking Case Data Standard v2.0, "
                     "IOM and partners, CC BY 4.0")


@dataclass
class ExportResult:
    out_dir: Path
    report: dict[str, Any]


def _noop(step: str) -> None:
    """Default progress callback."""


def prepare(frame: pd.DataFrame, layout: str) -> tuple[pd.DataFrame, str,
                                                       consent_mod.ConsentDecision]:
    """Steps 1-3 on an already-read table: detect, consent, map. Raises InputProblems."""
    if len(frame.columns) == 0:
        raise InputProblems(["the input has no columns"])
    source, problems = detect_layout(frame.columns)
    if problems:
        raise InputProblems(problems)
    assert source is not None
    if len(frame) == 0:
        raise InputProblems(["the input has a header but no records"])
    frame = normalise_header(frame, source)
    shareable, decision = consent_mod.filter_consented(frame, source)
    if decision.records_kept == 0:
        reasons = ", ".join(f"{k}: {v}" for k, v in decision.excluded.items())
        raise InputProblems([f"no record has consent to de-identified sharing "
                             f"({consent_mod.CONSENT_FIELD}); {reasons}"])
    problems = []
    mapped = convert(frame.loc[shareable].reset_index(drop=True), source, layout, problems)
    if problems:
        raise InputProblems(problems)
    return mapped, source, decision


def export(*, out_dir: str | Path, layout: str, k: int | None = None,
           epsilon: float | None = None, delta: float = 1e-9,
           input_path: str | Path | None = None,
           records: Iterable[Mapping[str, Any]] | None = None,
           quasi_identifiers: list[str] | None = None, seed: int | None = None,
           measure_risk: bool = True, dp_options: Mapping[str, Any] | None = None,
           on_step: Callable[[str], None] = _noop) -> ExportResult:
    """Run one de-identified export and write its three files into ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Destination folder (created if needed; the three files in it are replaced).
    layout : {"ctdc-2024", "ctdc-2021"}
        CTDC layout of the export.
    k, epsilon : exactly one of them
        k-anonymity with classes of at least ``k`` records, or DP synthesis at ``epsilon``.
    delta : float
        The delta of (epsilon, delta)-DP (ignored for k-anonymity).
    input_path : path, optional
        CSV (plain or gzipped) in the CTDC 2021, CTDC 2024 or HTCDS layout.
    records : iterable of dict, optional
        HTCDS-named records, e.g. case records from Harborlight's database, with the
        consent field ``consent_deidentified_sharing``. Give this or ``input_path``.
    quasi_identifiers : list of str, optional
        Overrides the layout's default quasi-identifiers.
    seed : int, optional
        Makes sampling (control sample, synthesis, attacks) repeatable.
    measure_risk : bool
        Run the attacks (the control sample is held back only when true).
    dp_options : mapping, optional
        Extra :class:`DPSynthesizer` parameters (``threshold_share``, ``iters``, ...).
    on_step : callable
        Called with a short description at the start of each step.

    Raises
    ------
    InputProblems
        The input cannot be exported; ``.problems`` lists why.
    ParameterError
        Nonsense parameters (both or neither of k and epsilon, epsilon <= 0, ...).
    MissingExtra
        A DP export without the ``sharing`` extra (raised before any work).
    """
    load_layout(layout)  # unknown layout -> ParameterError before any work
    if (k is None) == (epsilon is None):
        raise ParameterError("give exactly one of k (k-anonymity) or epsilon (differential "
                             "privacy)")
    if epsilon is not None:
        check_privacy_parameters(epsilon, delta)
        require_libraries()
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 2):
        raise ParameterError(f"k must be a whole number of at least 2, not {k!r}")
    if (input_path is None) == (records is None):
        raise ParameterError("give exactly one of input_path or records")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(f"{out_dir} exists and is not a folder")

    on_step("reading and checking the input")
    if input_path is not None:
        frame = read_table(input_path)
        input_name = Path(input_path).name
    else:
        frame = frame_from_records(records or [])
        input_name = "database records"
        if len(frame) == 0:
            raise InputProblems(["there are no records to export"])
    mapped, source, decision = prepare(frame, layout)

    config = load_anonymisation()
    qis = list(quasi_identifiers or config["quasi_identifiers"][layout])
    unknown = [q for q in qis if q not in mapped.columns]
    if unknown:
        raise ParameterError(f"quasi-identifier(s) not in {layout}: {', '.join(unknown)}")

    rng = np.random.default_rng(seed)
    n = len(mapped)
    control = mapped.iloc[0:0]
    if measure_risk and n >= MIN_RECORDS_FOR_RISK:
        size = min(1000, n // 10)
        picked = np.zeros(n, dtype=bool)
        picked[rng.choice(n, size=size, replace=False)] = True
        control = mapped.loc[picked].reset_index(drop=True)
        mapped = mapped.loc[~picked].reset_index(drop=True)

    privacy: dict[str, Any] = {}
    information_loss: dict[str, Any] = {}
    attacker_view = None
    if k is not None:
        on_step(f"generalising and suppressing to k={k}")
        anonymizer = KAnonymizer(k=k, quasi_identifiers=qis, layout=layout)
        released = anonymizer.fit_transform(mapped)
        information_loss = anonymizer.information_loss_
        reference = anonymizer.transform(mapped)
        attacker_view = anonymizer.transform
        method = "k-anonymity"
    else:
        on_step(f"synthesising under differential privacy (epsilon={epsilon:g})")
        synthesizer = DPSynthesizer(epsilon=float(epsilon), delta=float(delta), layout=layout,
                                    seed=seed, **dict(dp_options or {}))
        synthesizer.fit(mapped)
        released = synthesizer.sample()
        privacy = synthesizer.metadata()
        reference = mapped
        method = "differential-privacy"

    on_step("measuring utility (1-, 2- and 3-way marginals)")
    reporting = config["reporting"]
    utility = compare(reference, released, seed=seed or 0,
                      reporting_columns=[c for c in reporting["columns"][layout]
                                         if c in reference.columns],
                      resolution=reporting["resolution"])

    on_step("measuring re-identification risk")
    if len(control) == 0:
        risk = {"evaluated": False,
                "reason": (f"fewer than {MIN_RECORDS_FOR_RISK} consented records: too few "
                           "to hold back a control sample" if measure_risk
                           else "risk measurement switched off")}
    else:
        secrets = config.get("risk_secrets", {}).get(layout, [])
        risk = evaluate_risk(released, mapped, control, qis, secrets,
                             attacker_view=attacker_view, seed=seed or 0)

    attribution = [load_layout(layout).attribution]
    if source == "htcds":
        attribution.append(HTCDS_ATTRIBUTION)
    elif source != layout:
        attribution.append(load_mapping(source, layout)["attribution"])
    report = {
        "format": "harborlight-sharing-report/1",
        "created_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "method": method,
        "layout": layout,
        "input": {"name": input_name, "layout": source, "records": decision.records_in},
        "consent": decision.to_dict(),
        "quasi_identifiers": qis,
        "k": k,
        "epsilon": float(epsilon) if epsilon is not None else None,
        "delta": float(delta) if epsilon is not None else None,
        "rows_in": int(len(mapped)),
        "rows_out": int(len(released)),
        "control_records_withheld": int(len(control)),
        "suppressed_share": utility["suppressed_share"],
        "fabricated_share": utility["fabricated_share"],
        "marginal_mae": utility["mae"],
        "information_loss": information_loss,
        "privacy": privacy,
        "utility": utility,
        "risk": risk,
        "attribution": attribution,
    }
    on_step("writing the export")
    _write_atomically(out_dir, released, report)
    return ExportResult(out_dir=out_dir, report=report)


def _write_atomically(out_dir: Path, released: pd.DataFrame, report: dict[str, Any]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".harborlight-export-", dir=out_dir))
    try:
        released.to_csv(staging / "data.csv", index=False)
        (staging / "report.json").write_text(to_json(report), encoding="utf-8")
        (staging / "report.html").write_text(render_html(report), encoding="utf-8")
        for name in OUTPUT_FILES:
            os.replace(staging / name, out_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
