"""A cell means the same to validate, load, diff and publish, whatever notation the schema allows."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from china_ai_landscape.diffing import compare
from china_ai_landscape.loading import load_from
from china_ai_landscape.package import DataPackage
from china_ai_landscape.releases.build import build
from china_ai_landscape.validation import validate

PLAIN = [("1", "true", "2024-03-05", "1234.5", "12.5"),
         ("2", "false", "2023-12-31", "-0.25", "7"),
         ("3", "", "", "1000000", "")]
# The same rows, written as a European spreadsheet would and described by the schema.
NOTED = [("1", "yes", "05/03/2024", "1.234,5", "EUR 12,5"),
         ("2", "no", "31/12/2023", "-0,25", "EUR 7"),
         ("3", "n/a", "n/a", "1.000.000", "n/a")]


def _package(root: Path, rows, noted: bool) -> DataPackage:
    root.mkdir()
    delimiter = ";" if noted else ","
    lines = [delimiter.join(("id", "flag", "day", "amount", "price"))] + [delimiter.join(r) for r in rows]
    (root / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fields = [{"name": "id", "type": "integer"}, {"name": "flag", "type": "boolean"}, {"name": "day", "type": "date"},
              {"name": "amount", "type": "number"}, {"name": "price", "type": "number"}]
    resource = {"name": "t", "path": "t.csv", "schema": {"fields": fields, "primaryKey": ["id"]}}
    if noted:
        fields[1].update(trueValues=["yes"], falseValues=["no"])
        fields[2]["format"] = "%d/%m/%Y"
        fields[3].update(decimalChar=",", groupChar=".")
        fields[4].update(decimalChar=",", bareNumber=False)
        resource["schema"]["missingValues"] = ["", "n/a"]
        resource["dialect"] = {"delimiter": ";"}
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "version": "1.0.0", "resources": [resource]}),
                                           encoding="utf-8")
    return DataPackage(root / "datapackage.json")


def test_noted_values_validate_load_diff_and_publish_as_their_plain_twins(tmp_path):
    noted, plain = _package(tmp_path / "noted", NOTED, True), _package(tmp_path / "plain", PLAIN, False)
    assert validate(noted.path).ok and validate(plain.path).ok

    loaded = load_from(noted, "t", "arrow")
    assert loaded.equals(load_from(plain, "t", "arrow"))
    assert loaded.column("amount").to_pylist() == [1234.5, -0.25, 1000000.0]
    assert loaded.column("flag").to_pylist() == [True, False, None]

    table = compare(plain, noted).tables["t"]
    assert (table.added, table.removed, table.changed, table.unchanged) == (0, 0, 0, 3)

    build(noted, "1.0.0", "first", tmp_path / "release")
    published = pq.read_table(next((tmp_path / "release").rglob("t.parquet")))
    assert published.select(loaded.column_names).equals(loaded)


def test_a_cell_the_loader_cannot_read_is_named_with_its_row_and_field(tmp_path):
    import pytest

    from china_ai_landscape.errors import DatasetError

    rows = [NOTED[0], ("2", "maybe", "31/12/2023", "1,0", "EUR 7")]
    package = _package(tmp_path / "bad", rows, True)
    with pytest.raises(DatasetError, match=r"row 3, field 'flag': \"maybe\""):
        load_from(package, "t", "arrow")
