"""Package data: schema checks pass, attribution ships, regions cover the CTDC codes."""

from __future__ import annotations

import gzip

import pytest

from harborlight.sharing import ParameterError
from harborlight.sharing.datafiles import (
    LAYOUTS,
    load_anonymisation,
    load_htcds_picklists,
    load_layout,
    load_mapping,
    load_regions,
)


def test_it_loads_every_data_file_through_its_schema_check():
    for layout in LAYOUTS:
        assert load_layout(layout).names
        for source in ("htcds", "ctdc-2021", "ctdc-2024"):
            assert len(load_mapping(source, layout)["columns"]) == len(load_layout(layout).names)
    assert load_anonymisation()["quasi_identifiers"]
    assert "CC BY 4.0" in load_htcds_picklists()["attribution"]


def test_it_has_the_layouts_column_counts():
    assert len(load_layout("ctdc-2021").names) == 37
    assert len(load_layout("ctdc-2024").names) == 27


def test_it_places_countries_in_un_m49_regions():
    regions = load_regions()
    assert regions["UKR"].m49_subregion == "Eastern Europe"
    assert regions["PHL"].m49_region == "Asia"
    assert regions["USA"].m49_subregion == "Northern America"
    assert regions["BRA"].m49_region == "Americas"


def test_it_refuses_an_unknown_layout():
    with pytest.raises(ParameterError, match="ctdc-1999"):
        load_layout("ctdc-1999")


def test_it_matches_the_real_2021_header_and_its_countries(ctdc_file):
    with gzip.open(ctdc_file, "rt", encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
        codes = set()
        for line in handle:
            fields = line.rstrip("\n").split(",")
            codes.update(fields[5:7])
    assert header == load_layout("ctdc-2021").names
    codes.discard("")
    assert codes <= set(load_regions())


def test_it_never_imports_django():
    import subprocess
    import sys

    code = ("import sys, harborlight.sharing, harborlight.sharing.export; "
            "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0
