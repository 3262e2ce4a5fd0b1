"""The HTML report is self-contained and says what the JSON says."""

from __future__ import annotations

import re

from harborlight.sharing import export


def test_it_loads_nothing_from_another_host(tmp_path, ctdc_2024_csv):
    export(out_dir=tmp_path, layout="ctdc-2024", k=5, input_path=ctdc_2024_csv, seed=1)
    page = (tmp_path / "report.html").read_text()
    assert "<script" not in page.lower()
    assert not re.search(r"<(link|img|iframe)\b", page, re.I)
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert "@import" not in page and "url(" not in page


def test_it_shows_the_figures_and_the_attribution(tmp_path, ctdc_2024_csv):
    result = export(out_dir=tmp_path, layout="ctdc-2024", k=5, input_path=ctdc_2024_csv,
                    seed=1)
    page = (tmp_path / "report.html").read_text()
    report = result.report
    assert f"{report['rows_out']:,}" in page
    assert "Counter Trafficking Data Collaborative, IOM" in page
    assert "Re-identification risk" in page and "singling out" in page
    assert "Information lost" in page
