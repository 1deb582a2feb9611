"""The tables layer reports what frictionless reports: same (table, row, field, code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases import CASES
from conformance import compare

CORPUS = Path(__file__).parent / "corpus"
COMPARABLE = [c for c in CASES if c.frictionless]


@pytest.mark.parametrize("case", COMPARABLE, ids=[c.name for c in COMPARABLE])
def test_corpus_case_matches_frictionless(case):
    ours, theirs = compare(CORPUS / "cases" / case.name)
    assert ours == theirs


def test_generated_package_with_planted_errors_matches_frictionless(tmp_path):
    from benchmarks.synthetic import write_package

    path = write_package(tmp_path, companies=400, investments=4000, plant=4, seed=11)
    ours, theirs = compare(path)
    assert len(theirs) > 60  # every kind of planted mistake was found...
    assert {code for *_, code in theirs} >= {"type-error", "constraint-error", "foreign-key", "primary-key",
                                             "unique-error", "extra-cell", "missing-cell", "blank-row"}
    assert ours == theirs  # ...and at the same places


def test_foreign_example_package_matches_frictionless():
    ours, theirs = compare(Path(__file__).parent / "fixtures" / "cities")
    assert ours == theirs == set()


def test_datetimes_times_and_big_integers_are_read_as_frictionless_reads_them(tmp_path):
    """Offsets, fractions and any one separator in datetimes and times; integers beyond
    64 bits are valid (Table Schema integers are unbounded)."""
    import json

    from conformance import compare as compare_package

    root = tmp_path / "pkg"
    (root / "data").mkdir(parents=True)
    rows = [("2020-01-01T15:00:00+03:00", "15:00:00.5", "123456789012345678901234567890"),
            ("2020-01-01T15:00:00.5", "15:00:00+03:00", "-5"),
            ("2020-01-01 15:00:00", "15:00:00Z", "+7"),
            ("2020-01-01T15:00:00Z", "25:00:00", "1.5"),
            ("2020-01-01T25:00:00", "15:00", "12a"),
            ("2020-02-30T10:00:00", "15:00:00 ", "1_000"),
            ("2020-01-01T15:00", "08:30:00-01:30", " 3 ")]
    lines = ["when,at,count"] + [",".join(f'"{c}"' for c in row) for row in rows]
    (root / "data" / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    schema = {"fields": [{"name": "when", "type": "datetime"}, {"name": "at", "type": "time"},
                         {"name": "count", "type": "integer"}]}
    (root / "datapackage.json").write_text(json.dumps({"name": "t", "resources": [
        {"name": "t", "path": "data/t.csv", "format": "csv", "schema": schema}]}), encoding="utf-8")
    ours, theirs = compare_package(root)
    assert len(theirs) >= 5 and ours == theirs


def test_a_yaml_descriptor_and_a_dialect_file_are_read_like_frictionless(tmp_path):
    import json

    from conformance import compare as compare_package

    root = tmp_path / "pkg"
    (root / "data").mkdir(parents=True)
    (root / "data" / "t.csv").write_text("id;n\na;1\nb;x\n", encoding="utf-8")
    (root / "dialect.json").write_text(json.dumps({"delimiter": ";"}), encoding="utf-8")
    (root / "datapackage.yaml").write_text(
        "name: t\nresources:\n  - name: t\n    path: data/t.csv\n    format: csv\n    dialect: dialect.json\n"
        "    schema:\n      fields:\n        - {name: id, type: string}\n        - {name: n, type: integer}\n",
        encoding="utf-8")
    ours, theirs = compare_package(root / "datapackage.yaml")
    assert ours == theirs == {("t", 3, "n", "type-error")}


def _package(root, resources, files):
    import json

    (root / "data").mkdir(parents=True)
    for name, text in files.items():
        (root / "data" / name).write_text(text, encoding="utf-8")
    (root / "datapackage.json").write_text(json.dumps({"name": "t", "resources": resources}), encoding="utf-8")
    return root


def test_a_resource_without_schema_is_inferred_like_frictionless(tmp_path):
    from conformance import compare as compare_package

    root = _package(tmp_path / "pkg", [{"name": "t", "path": "data/t.csv", "format": "csv"}],
                    {"t.csv": "id,n,when\na,1,2020-01-01\nb,2,2020-01-02\nc,3\n"})
    ours, theirs = compare_package(root)
    assert ours == theirs == {("t", 4, "when", "missing-cell")}


def test_inline_data_is_checked_like_frictionless(tmp_path):
    from conformance import compare as compare_package

    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}], "primaryKey": ["id"]}
    rows = [["id", "n"], ["a", "1"], ["b", "x"], ["a", "3"]]
    root = _package(tmp_path / "pkg", [{"name": "t", "data": rows, "schema": schema}], {})
    ours, theirs = compare_package(root)
    assert ours == theirs and {code for *_, code in theirs} == {"type-error", "primary-key"}


def test_a_multipart_path_is_read_as_one_table_like_frictionless(tmp_path):
    """Every part repeats the header (frictionless drops it from all parts but the first)."""
    from conformance import compare as compare_package

    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}]}
    root = _package(tmp_path / "pkg", [{"name": "t", "path": ["data/a.csv", "data/b.csv"], "format": "csv", "schema": schema}],
                    {"a.csv": "id,n\na,1\n", "b.csv": "id,n\nb,x\nc,3\n"})
    ours, theirs = compare_package(root)
    assert ours == theirs == {("t", 3, "n", "type-error")}


def test_extra_cells_are_counted_one_by_one_like_frictionless(tmp_path):
    import frictionless

    from china_ai_landscape.validation import validate

    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}]}
    root = _package(tmp_path / "pkg", [{"name": "t", "path": "data/t.csv", "format": "csv", "schema": schema}],
                    {"t.csv": "id,n\na,1,x,y,z\nb,2\n"})
    ours = [f for f in validate(root, skip=("rules", "expectations")).findings if f.code == "extra-cell"]
    theirs = [e for e in frictionless.validate(str(root / "datapackage.json")).tasks[0].errors if e.type == "extra-cell"]
    assert len(ours) == len(theirs) == 3


@pytest.mark.parametrize("mode", ["exact", "equal", "subset", "superset", "partial"])
@pytest.mark.parametrize("header", ["id,n", "n,id", "id,n,extra", "n", "other", "n,extra"])
def test_fields_match_pairs_labels_with_fields_like_frictionless(tmp_path, mode, header):
    from conformance import compare as compare_package

    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}], "fieldsMatch": mode}
    width = len(header.split(","))
    body = "\n".join(",".join(["1", "x", "z"][:width]) for _ in range(2))
    root = _package(tmp_path / "pkg", [{"name": "t", "path": "data/t.csv", "format": "csv", "schema": schema}],
                    {"t.csv": f"{header}\n{body}\n"})
    ours, theirs = compare_package(root)
    assert ours == theirs


def test_json_durations_and_geopoints_are_checked_like_frictionless(tmp_path):
    import csv as csv_module
    import io

    from conformance import compare as compare_package

    rows = [("{\"a\": 1}", "[1, 2]", "P1Y2M", "116.39, 39.91", "[116.39, 39.91]"),
            ("[1]", "{\"a\": 1}", "1 year", "200, 10", "[1]"),
            ("not json", "not json", "PT3H", "10", '{"lon": 1, "lat": 2}'),
            ("{}", "[]", "P", "-180, -90", "[181, 0]")]
    out = io.StringIO()
    writer = csv_module.writer(out, lineterminator="\n")
    writer.writerow(["o", "a", "d", "g", "ga"])
    writer.writerows(rows)
    schema = {"fields": [{"name": "o", "type": "object"}, {"name": "a", "type": "array"}, {"name": "d", "type": "duration"},
                         {"name": "g", "type": "geopoint"}, {"name": "ga", "type": "geopoint", "format": "array"}]}
    root = _package(tmp_path / "pkg", [{"name": "t", "path": "data/t.csv", "format": "csv", "schema": schema}],
                    {"t.csv": out.getvalue()})
    ours, theirs = compare_package(root)
    assert len(theirs) >= 7 and ours == theirs


@pytest.mark.parametrize("dialect,text", [
    ({"skipInitialSpace": True}, 'id,n,note\na, 2, "x, y"\nb, z, "w"\nc,3\n'),
    ({"escapeChar": "\\", "doubleQuote": False}, 'id,n,note\na,1,"say \\"hi\\""\nb,q,x\\,y\n'),
    ({"commentChar": "#"}, 'id,n,note\na,1,x\n#a comment,zz\nb,q,x\n'),
    ({"commentRows": [3]}, 'id,n,note\na,1,x\nskipped,zz,x\nb,q,x\n'),
    ({"headerRows": [1, 2], "headerJoin": ""}, 'i,,no\nd,n,te\na,1,x\nb,q,x\n'),
])
def test_dialect_options_are_read_like_frictionless(tmp_path, dialect, text):
    from conformance import compare as compare_package

    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "number"}, {"name": "note", "type": "string"}]}
    root = _package(tmp_path / "pkg", [{"name": "t", "path": "data/t.csv", "format": "csv", "dialect": dialect, "schema": schema}],
                    {"t.csv": text})
    ours, theirs = compare_package(root)
    assert theirs and ours == theirs


def test_geojson_topojson_and_binary_cells_are_read_as_frictionless_reads_them(tmp_path):
    import json

    from conformance import compare as compare_package

    root = tmp_path / "pkg"
    root.mkdir()
    point, line = '{"type": "Point", "coordinates": [1, 2]}', '{"type": "LineString", "coordinates": [[1, 2], [3, 4]]}'
    rows = [(point, '{"type": "Topology", "objects": {}, "arcs": []}', "aGVsbG8="),
            ('{"type": "Pointy"}', '{"type": "Topology"}', "aGVsbG8"),
            ("[1, 2]", "{}", "!!!aGVs"),
            (line, "not json", "aGVs bG8=")]
    lines = ["shape,topo,blob"] + [",".join('"' + c.replace('"', '""') + '"' for c in row) for row in rows]
    (root / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fields = [{"name": "shape", "type": "geojson"}, {"name": "topo", "type": "geojson", "format": "topojson"},
              {"name": "blob", "type": "string", "format": "binary"}]
    (root / "datapackage.json").write_text(json.dumps({"name": "g", "resources": [
        {"name": "t", "path": "t.csv", "schema": {"fields": fields}}]}), encoding="utf-8")
    ours, theirs = compare_package(root)
    assert {(row, field) for _, row, field, _ in theirs} >= {(3, "shape"), (4, "shape"), (3, "topo"), (5, "topo"), (3, "blob")}
    assert ours == theirs
