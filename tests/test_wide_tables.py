"""Very wide tables are checked in long format: the same findings as column by column, and as frictionless."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from china_ai_landscape.validation import validate, wide
from china_ai_landscape.validation import descriptor as descriptor_layer
from conformance import compare

TYPES = [("integer", "7"), ("number", "2.5"), ("string", "text"), ("date", "2024-02-29"), ("boolean", "true")]


def _wide_package(root: Path, columns: int = 300) -> Path:
    root.mkdir()
    fields = [{"name": f"c{i}", "type": TYPES[i % 5][0], "description": f"column {i}"} for i in range(columns)]
    fields[3]["constraints"] = {"required": True}
    fields[8]["constraints"] = {"required": True}
    fields[2]["constraints"] = {"enum": ["text", "other"]}
    rows = [[TYPES[i % 5][1] for i in range(columns)] for _ in range(6)]
    rows[0][0] = "seven"          # type-error
    rows[1][1] = "2,5"            # type-error
    rows[1][3] = ""               # required, empty
    rows[2][2] = "unknown"        # enum
    rows[3] = rows[3][:150]       # the row ends early: missing cells
    rows[4] = [""] * columns      # blank row
    rows[5] = rows[5] + ["extra"]  # extra cell
    lines = [",".join(f["name"] for f in fields)] + [",".join(r) for r in rows]
    (root / "wide.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    descriptor = {"name": "wide", "resources": [{"name": "wide", "path": "wide.csv", "schema": {"fields": fields}}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root


def _located(report) -> set:
    return {(f.code, f.table, f.row, f.field, f.severity) for f in report.findings}


def test_the_long_pass_finds_what_frictionless_finds(tmp_path):
    root = _wide_package(tmp_path / "p")
    assert wide.applies(300, 6)
    ours, theirs = compare(root)
    assert {code for *_, code in theirs} >= {"type-error", "constraint-error", "missing-cell", "blank-row", "extra-cell"}
    assert ours == theirs


def test_the_long_pass_and_the_column_pass_agree(tmp_path, monkeypatch):
    root = _wide_package(tmp_path / "p")
    long_report = validate(root, skip=("expectations",))
    monkeypatch.setattr(wide, "MIN_COLUMNS", 10**9)
    column_report = validate(root, skip=("expectations",))
    assert _located(long_report) == _located(column_report) and len(_located(long_report)) > 150
    by_cell = {(f.row, f.field, f.code): f.message for f in column_report.findings}
    for f in long_report.findings:  # same words, but for field descriptions
        assert f.message.split(" (column ")[0] == by_cell[(f.row, f.field, f.code)].split(" (column ")[0]


def test_the_typed_values_of_a_wide_table_are_those_of_the_column_pass(tmp_path, monkeypatch):
    from china_ai_landscape.package import DataPackage
    from china_ai_landscape.validation import tables
    from china_ai_landscape.resource_bytes import load_bytes

    package = DataPackage(_wide_package(tmp_path / "p") / "datapackage.json")
    resources, _ = descriptor_layer.resolve(package)
    long_frame = tables.check(resources, load_bytes).tables["wide"].frame
    monkeypatch.setattr(wide, "MIN_COLUMNS", 10**9)
    column_frame = tables.check(resources, load_bytes).tables["wide"].frame
    assert long_frame.equals(column_frame)


@pytest.mark.parametrize("change", ["bad-type", "duplicate-name", "missing-key-field"])
def test_a_compacted_wide_schema_gives_frictionless_the_same_errors(tmp_path, monkeypatch, change):
    root = _wide_package(tmp_path / "p")
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    fields = descriptor["resources"][0]["schema"]["fields"]
    if change == "bad-type":
        fields[250]["type"] = "no-such-type"
    elif change == "duplicate-name":
        fields[260]["name"] = "c10"
    else:
        descriptor["resources"][0]["schema"]["primaryKey"] = ["c0", "not-a-field"]
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    compacted = {(f.code, f.message) for f in validate(root, skip=("tables", "rules", "expectations")).findings}
    monkeypatch.setattr(descriptor_layer, "COMPACT_ABOVE", 10**9)
    whole = {(f.code, f.message) for f in validate(root, skip=("tables", "rules", "expectations")).findings}
    assert compacted == whole and any(code != "schema-inferred" for code, _ in whole)
