"""dataset diff: each kind of row, schema and descriptor change, the bump it requires, and
how it reads in text, markdown and JSON."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from diff_fixtures import base_descriptor, base_tables, model, write_package

from china_ai_landscape.cli import main
from china_ai_landscape.diffing import diff
from china_ai_landscape.errors import DatasetError


@pytest.fixture
def old(tmp_path):
    return write_package(tmp_path / "old", base_tables())


def new_package(tmp_path, edit=None, descriptor=None, **kwargs):
    tables = base_tables()
    if edit:
        edit(tables)
    return write_package(tmp_path / "new", tables, descriptor, **kwargs)


def run(*args):
    return CliRunner().invoke(main, ["diff", *map(str, args)])


def as_json(old, new, *extra) -> dict:
    result = run(old, new, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def outputs(old, new) -> dict[str, str]:
    return {fmt: run(old, new, "--format", fmt).output for fmt in ("text", "markdown", "json")}


# --- identical ------------------------------------------------------------------------------

def test_identical_packages_need_no_bump_in_every_format(old, tmp_path):
    same = new_package(tmp_path)
    d = diff(old, same)
    assert (d.bump, d.reasons, d.differs) == ("none", [], False)
    out = outputs(old, same)
    assert "bump required: NONE (no differences)" in out["text"]
    assert "**Required version bump: none** (no differences)" in out["markdown"]
    data = json.loads(out["json"])
    assert (data["bump"], data["reasons"], data["differs"], data["schema"]) == ("none", [], False, [])
    assert data["tables"]["models"] | {"changed_fields": {}} == {
        "status": "compared", "key": ["id"], "old_rows": 5, "new_rows": 5, "added": 0, "removed": 0,
        "changed": 0, "unchanged": 5, "changed_fields": {}, "added_rows": [], "removed_rows": [],
        "changed_rows": [], "truncated": False,
    }


# --- rows -----------------------------------------------------------------------------------

def test_added_row_is_minor_and_listed(old, tmp_path):
    new = new_package(tmp_path, lambda t: t["models"]["rows"].append(model("m9", name="Nine")))
    data = as_json(old, new)
    models = data["tables"]["models"]
    assert (models["added"], models["removed"], models["changed"], models["unchanged"]) == (1, 0, 0, 5)
    assert models["added_rows"] == [model("m9", name="Nine")]
    assert (data["bump"], data["reasons"]) == ("minor", ["minor: 1 row added to models"])
    out = outputs(old, new)
    assert "models: 1 added" in out["text"] and 'id="m9"' in out["text"]
    assert "1 added row<" in out["markdown"] and '| "m9" |' in out["markdown"]


def test_removed_row_is_major(old, tmp_path):
    new = new_package(tmp_path, lambda t: t["models"]["rows"].pop(2))
    data = as_json(old, new)
    assert data["tables"]["models"]["removed"] == 1
    assert data["tables"]["models"]["removed_rows"][0]["id"] == "m3"
    assert (data["bump"], data["reasons"]) == ("major", ["major: 1 row removed from models"])
    out = outputs(old, new)
    assert "major: 1 row removed from models" in out["text"]
    assert "- major: 1 row removed from models" in out["markdown"]


def edit_m2(tables):
    row = tables["models"]["rows"][1]
    row.update(name="Model Two", parameters=None, released="2024-03-01", source_ids=["s1", "s2"])


def test_changed_row_is_patch_with_each_field_old_and_new(old, tmp_path):
    new = new_package(tmp_path, edit_m2)
    data = as_json(old, new)
    models = data["tables"]["models"]
    assert (models["added"], models["removed"], models["changed"], models["unchanged"]) == (0, 0, 1, 4)
    assert models["changed_rows"] == [{"key": {"id": "m2"}, "changes": {
        "name": {"old": "M2", "new": "Model Two"},
        "parameters": {"old": 7_000_000_000, "new": None},
        "released": {"old": "2024-01-02", "new": "2024-03-01"},
        "source_ids": {"old": ["s1"], "new": ["s1", "s2"]},
    }}]
    assert models["changed_fields"] == {"name": 1, "parameters": 1, "released": 1, "source_ids": 1}
    assert (data["bump"], data["reasons"]) == ("patch", ["patch: 1 row changed in models"])
    out = outputs(old, new)
    assert 'name: "M2" → "Model Two"' in out["text"] and "parameters: 7000000000 → null" in out["text"]
    assert '| id="m2" | name | "M2" → "Model Two" |' in out["markdown"]
    assert 'source_ids: added "s2"' in out["text"] and '| id="m2" | source_ids | added "s2" |' in out["markdown"]


def test_composite_key_rows_are_matched_on_all_key_fields(old, tmp_path):
    def edit(tables):
        rows = tables["model_sources"]["rows"]
        rows[0]["role"] = "launch"                                           # changed
        rows[1]["source_id"] = "s3"                                          # key changed: removed + added
    data = as_json(old, new_package(tmp_path, edit))
    links = data["tables"]["model_sources"]
    assert links["key"] == ["model_id", "source_id"]
    assert (links["added"], links["removed"], links["changed"], links["unchanged"]) == (1, 1, 1, 1)
    assert links["changed_rows"] == [{"key": {"model_id": "m1", "source_id": "s1"},
                                      "changes": {"role": {"old": "announcement", "new": "launch"}}}]
    assert [r["source_id"] for r in links["removed_rows"]] == ["s2"]


def test_table_without_primary_key_compares_whole_rows_with_a_warning(old, tmp_path):
    def edit(tables):
        rows = tables["mentions"]["rows"]
        rows.pop(0)                                        # one of the two identical rows
        rows.append({"model_id": "m3", "count": 1})
    new = new_package(tmp_path, edit)
    d = diff(old, new)
    mentions = d.tables["mentions"]
    assert mentions.key == []
    assert (mentions.added, mentions.removed, mentions.changed, mentions.unchanged) == (1, 1, 0, 2)
    assert any("mentions: no primary key" in w for w in d.warnings)
    out = outputs(old, new)
    assert "Warnings:" in out["text"] and "mentions: no primary key" in out["text"]
    assert "### Warnings" in out["markdown"]
    assert json.loads(out["json"])["tables"]["mentions"]["removed_rows"] == [{"model_id": "m1", "count": 3}]


def test_table_added_is_minor_and_table_removed_is_major(old, tmp_path):
    def edit(tables):
        tables["benchmarks"] = tables.pop("mentions")
    d = diff(old, new_package(tmp_path, edit))
    assert d.tables["benchmarks"].status == "added" and d.tables["benchmarks"].added == 3
    assert d.tables["mentions"].status == "removed" and d.tables["mentions"].removed == 3
    assert d.bump == "major"
    assert d.reasons == ["major: table mentions removed (3 rows)", "minor: table benchmarks added (3 rows)"]
    text = d.render("text")
    assert "table added" in text and "table removed" in text


# --- bad input ------------------------------------------------------------------------------

def test_duplicate_primary_keys_are_an_input_error_naming_table_and_rows(old, tmp_path):
    new = new_package(tmp_path, lambda t: t["models"]["rows"].append(model("m1", name="again")))
    with pytest.raises(DatasetError) as caught:
        diff(old, new)
    assert caught.value.exit_code == 2
    assert "models: duplicate primary key (id='m1')" in str(caught.value) and "rows 2, 7" in str(caught.value)
    result = run(old, new)
    assert result.exit_code == 2
    assert result.output.startswith("Error: models: duplicate primary key") and "Traceback" not in result.output


def test_key_of_another_type_is_an_input_error(old, tmp_path):
    def edit(tables):
        tables["model_sources"]["schema"]["fields"][1]["type"] = "integer"
        for i, row in enumerate(tables["model_sources"]["rows"]):
            row["source_id"] = i
    result = run(old, new_package(tmp_path, edit))
    assert result.exit_code == 2
    assert "model_sources: key field 'source_id' is string" in result.output
    assert "but int64" in result.output and "Traceback" not in result.output


def test_missing_package_and_bad_revision_and_release_are_input_errors(old, tmp_path):
    from china_ai_landscape import releases

    assert run(tmp_path / "nowhere", old).exit_code == 2
    assert "no such file or folder" in run(tmp_path / "nowhere", old).output
    if not hasattr(releases, "release_package"):
        result = run("v0.1.0", old)
        assert result.exit_code == 2 and "release versions need the download support" in result.output


def test_unknown_table_lists_valid_ones(old):
    result = run(old, old, "--table", "nope")
    assert result.exit_code == 2
    assert "unknown table 'nope'; valid tables: models, model_sources, mentions" in result.output


# --- schema ---------------------------------------------------------------------------------

def field_of(tables, name, table="models"):
    return next(f for f in tables[table]["schema"]["fields"] if f["name"] == name)


def constraint(name, key, value):
    def edit(tables):
        constraints = field_of(tables, name).setdefault("constraints", {})
        if value is None:
            constraints.pop(key, None)
        else:
            constraints[key] = value
    return edit


def add_field(tables):
    tables["models"]["schema"]["fields"].append({"name": "family", "type": "string"})
    for row in tables["models"]["rows"]:
        row["family"] = "Qwen"


def remove_field(tables):
    tables["models"]["schema"]["fields"] = [f for f in tables["models"]["schema"]["fields"] if f["name"] != "kind"]


def rename_field(tables):
    field_of(tables, "name")["name"] = "title"
    for row in tables["models"]["rows"]:
        row["title"] = row.pop("name")


def retype_field(tables):
    field_of(tables, "parameters")["type"] = "number"


def change_primary_key(tables):
    tables["models"]["schema"]["primaryKey"] = ["id", "name"]


def drop_foreign_key(tables):
    del tables["model_sources"]["schema"]["foreignKeys"]


def add_foreign_key(tables):
    tables["model_sources"]["schema"]["foreignKeys"].append(
        {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}})


def document_field(tables):
    field_of(tables, "name")["description"] = "The model's name as its developer writes it."


def reorder_fields(tables):
    fields = tables["models"]["schema"]["fields"]
    fields[1], fields[2] = fields[2], fields[1]


SCHEMA_CHANGES = [
    # (edit, change kind, bump, words in the message)
    (add_field, "field-added", "minor", "models.family: field added (string)"),
    (remove_field, "field-removed", "major", "models.kind: field removed"),
    (rename_field, "field-renamed", "major", "models.name: field removed or renamed to title"),
    (retype_field, "type-changed", "major", "models.parameters: type changed integer → number"),
    (constraint("kind", "required", True), "constraint-tightened", "major", "models.kind: now required (tightened)"),
    (constraint("name", "required", None), "constraint-loosened", "minor", "models.name: no longer required (loosened)"),
    (constraint("name", "unique", True), "constraint-tightened", "major", "models.name: now unique (tightened)"),
    (constraint("kind", "enum", ["model", "product"]), "constraint-tightened", "major",
     'models.kind: enum values removed "series" (tightened)'),
    (constraint("kind", "enum", ["model", "product", "series", "agent"]), "constraint-loosened", "minor",
     'models.kind: enum values added "agent" (loosened)'),
    (constraint("parameters", "minimum", 1000), "constraint-tightened", "major",
     "models.parameters: minimum raised 1 → 1000 (tightened)"),
    (constraint("parameters", "minimum", 0), "constraint-loosened", "minor", "models.parameters: minimum lowered 1 → 0 (loosened)"),
    (constraint("parameters", "maximum", 10**12), "constraint-tightened", "major",
     "models.parameters: maximum lowered 1000000000000000 → 1000000000000 (tightened)"),
    (constraint("name", "maxLength", 50), "constraint-tightened", "major", "models.name: maxLength lowered 100 → 50 (tightened)"),
    (constraint("name", "maxLength", 200), "constraint-loosened", "minor", "models.name: maxLength raised 100 → 200 (loosened)"),
    (constraint("id", "pattern", "^[a-z]+[0-9]$"), "constraint-tightened", "major",
     'models.id: pattern changed "^[a-z0-9-]+$" → "^[a-z]+[0-9]$" (tightened)'),
    (constraint("id", "pattern", None), "constraint-loosened", "minor", 'models.id: pattern removed (was "^[a-z0-9-]+$") (loosened)'),
    (constraint("name", "minLength", 1), "constraint-tightened", "major", "models.name: minLength added (1) (tightened)"),
    (change_primary_key, "primary-key-changed", "major", "models: primary key changed (id) → (id, name)"),
    (drop_foreign_key, "foreign-key-removed", "minor", "model_sources: foreign key removed (model_id) → models(id)"),
    (add_foreign_key, "foreign-key-added", "major", "model_sources: foreign key added (source_id) → sources(id) (old data could fail)"),
    (document_field, "field-documentation-changed", "patch", "models.name: description changed"),
    (reorder_fields, "fields-reordered", "patch", "models: fields reordered"),
]


@pytest.mark.parametrize("edit, kind, bump, message", SCHEMA_CHANGES, ids=[c[3] for c in SCHEMA_CHANGES])
def test_schema_change_and_its_bump_in_every_format(old, tmp_path, edit, kind, bump, message):
    new = new_package(tmp_path, edit)
    d = diff(old, new)
    assert [(c.kind, c.bump, c.message) for c in d.schema] == [(kind, bump, message)]
    assert d.bump == bump and f"{bump}: {message}" in d.reasons
    out = outputs(old, new)
    assert f"[{bump}] {message}" in out["text"] and f"bump required: {bump.upper()}" in out["text"]
    assert f"- **{bump}** {message}" in out["markdown"] and f"**Required version bump: {bump}**" in out["markdown"]
    data = json.loads(out["json"])
    assert data["bump"] == bump
    assert [(c["kind"], c["bump"], c["message"]) for c in data["schema"]] == [(kind, bump, message)]


def test_added_field_values_are_not_reported_as_changed_rows(old, tmp_path):
    d = diff(old, new_package(tmp_path, add_field))
    assert d.tables["models"].changed == 0 and d.tables["models"].unchanged == 5


def test_changed_primary_key_matches_rows_on_the_new_key_with_a_warning(old, tmp_path):
    d = diff(old, new_package(tmp_path, change_primary_key))
    assert d.tables["models"].key == ["id", "name"] and d.tables["models"].unchanged == 5
    assert "models: primary key changed; rows matched on (id, name)" in d.warnings


# --- descriptor -----------------------------------------------------------------------------

def test_licence_change_is_major(old, tmp_path):
    descriptor = base_descriptor() | {"licenses": [{"name": "CC0-1.0"}]}
    d = diff(old, new_package(tmp_path, descriptor=descriptor))
    assert d.bump == "major"
    assert d.reasons == ["major: licence changed: CC-BY-4.0 → CC0-1.0"]


def test_version_change_alone_differs_but_needs_no_bump(old, tmp_path):
    new = new_package(tmp_path, descriptor=base_descriptor() | {"version": "1.1.0"})
    d = diff(old, new)
    assert (d.bump, d.differs) == ("none", True)
    assert [c.kind for c in d.schema] == ["descriptor-version"]
    assert "dataset diff: " in d.render("text") and "(1.1.0)" in d.render("text")
    assert run(old, new, "--exit-code").exit_code == 1


def test_descriptor_sources_change_is_patch(old, tmp_path):
    descriptor = base_descriptor() | {"sources": [{"title": "Fixture sources, second edition"}]}
    d = diff(old, new_package(tmp_path, descriptor=descriptor))
    assert (d.bump, d.reasons) == ("patch", ["patch: package sources changed"])


def test_table_description_change_is_patch(old, tmp_path):
    def edit(tables):
        tables["models"]["resource"] = {"description": "AI models."}
    d = diff(old, new_package(tmp_path, edit))
    assert (d.bump, d.reasons) == ("patch", ["patch: models: description changed"])


# --- options --------------------------------------------------------------------------------

def many_changes(tables):
    for i in range(6, 21):
        tables["models"]["rows"].append(model(f"m{i}"))
    for row in tables["models"]["rows"][:5]:
        row["name"] += " v2"


def test_limit_caps_sample_rows_but_not_counts(old, tmp_path):
    new = new_package(tmp_path, many_changes)
    data = as_json(old, new, "--limit", "3")
    models = data["tables"]["models"]
    assert (models["added"], models["changed"]) == (15, 5)
    assert (len(models["added_rows"]), len(models["changed_rows"]), models["truncated"]) == (3, 3, True)
    assert len(as_json(old, new, "--limit", "0")["tables"]["models"]["added_rows"]) == 15
    text = run(old, new, "--limit", "3").output
    assert "... and 12 more" in text and "... and 2 more" in text
    assert "... and 12 more." in run(old, new, "--limit", "3", "--format", "markdown").output


def test_exit_code_flag_says_whether_versions_differ(old, tmp_path):
    same = new_package(tmp_path)
    changed = new_package(tmp_path / "other", many_changes)
    assert run(old, same, "--exit-code").exit_code == 0
    assert run(old, changed, "--exit-code").exit_code == 1
    assert run(old, changed).exit_code == 0


def test_table_option_restricts_the_comparison(old, tmp_path):
    new = new_package(tmp_path, many_changes, descriptor=base_descriptor() | {"licenses": []})
    data = as_json(old, new, "--table", "mentions")
    assert list(data["tables"]) == ["mentions"]
    assert (data["bump"], data["schema"]) == ("none", [])  # package-level changes left out
    assert list(diff(old, new, tables=["models", "mentions"]).tables) == ["models", "mentions"]


def test_cli_json_matches_the_library(old, tmp_path):
    new = new_package(tmp_path, many_changes)
    assert as_json(old, new, "--limit", "0") == diff(old, new).to_dict()


# --- storage --------------------------------------------------------------------------------

def test_parquet_resources_compare_equal_to_their_csv(old, tmp_path):
    new = new_package(tmp_path, parquet=("models", "model_sources", "mentions"))
    assert (new / "data" / "models.parquet").is_file() and not (new / "data" / "models.csv").exists()
    d = diff(old, new)
    assert (d.bump, d.differs) == ("none", False)
    edited = new_package(tmp_path / "edited", edit_m2, parquet=("models",))
    assert diff(old, edited).tables["models"].field_changes == {"name": 1, "parameters": 1, "released": 1, "source_ids": 1}


def test_nan_equals_nan_and_null_equals_null():
    import pyarrow as pa

    from china_ai_landscape.diffing.rows import differs

    a = pa.array([float("nan"), None, 1.0, None, 2.0])
    b = pa.array([float("nan"), None, 1.0, 3.0, float("nan")])
    assert differs(a, b).to_pylist() == [False, False, False, True, True]
    lists_a = pa.array([[], [""], ["a", "b"], None, ["a;b"]])
    lists_b = pa.array([[""], [""], ["a", "b"], [], ["a", "b"]])
    assert differs(lists_a, lists_b).to_pylist() == [True, False, False, True, True]
