"""Small data packages for the diff tests, written to a folder from schemas and rows.

``base_tables()`` gives a package with a keyed table (``models``), a composite-key table
(``model_sources``) and a table without a primary key (``mentions``); tests copy and edit
it, then ``write_package`` it to tmp_path.
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

MODELS_SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True, "pattern": "^[a-z0-9-]+$"}},
        {"name": "name", "type": "string", "description": "Name.", "constraints": {"required": True, "maxLength": 100}},
        {"name": "kind", "type": "string", "constraints": {"enum": ["model", "product", "series"]}},
        {"name": "parameters", "type": "integer", "constraints": {"minimum": 1, "maximum": 10**15}},
        {"name": "released", "type": "date"},
        {"name": "source_ids", "type": "list", "itemType": "string", "delimiter": ";", "constraints": {"required": True}},
    ],
    "missingValues": [""],
    "primaryKey": ["id"],
}
MODEL_SOURCES_SCHEMA = {
    "fields": [
        {"name": "model_id", "type": "string", "constraints": {"required": True}},
        {"name": "source_id", "type": "string", "constraints": {"required": True}},
        {"name": "role", "type": "string"},
    ],
    "primaryKey": ["model_id", "source_id"],
    "foreignKeys": [{"fields": ["model_id"], "reference": {"resource": "models", "fields": ["id"]}}],
}
MENTIONS_SCHEMA = {
    "fields": [
        {"name": "model_id", "type": "string"},
        {"name": "count", "type": "integer"},
    ],
}


def model(id: str, name: str | None = None, kind="model", parameters=7_000_000_000, released="2024-01-02",
          source_ids=("s1",)) -> dict:
    return {"id": id, "name": name or id.upper(), "kind": kind, "parameters": parameters,
            "released": released, "source_ids": list(source_ids)}


def base_tables() -> dict:
    """table name -> {"schema": ..., "rows": [...]}; a fresh copy each call."""
    return copy.deepcopy({
        "models": {"schema": MODELS_SCHEMA, "rows": [model(f"m{i}") for i in range(1, 6)]},
        "model_sources": {"schema": MODEL_SOURCES_SCHEMA, "rows": [
            {"model_id": "m1", "source_id": "s1", "role": "announcement"},
            {"model_id": "m1", "source_id": "s2", "role": "review"},
            {"model_id": "m2", "source_id": "s1", "role": None},
        ]},
        "mentions": {"schema": MENTIONS_SCHEMA, "rows": [
            {"model_id": "m1", "count": 3},
            {"model_id": "m1", "count": 3},
            {"model_id": "m2", "count": None},
        ]},
    })


def base_descriptor() -> dict:
    return {
        "name": "fixture",
        "version": "1.0.0",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "sources": [{"title": "Fixture sources"}],
    }


def write_package(root: Path, tables: dict, descriptor: dict | None = None, parquet: tuple[str, ...] = ()) -> Path:
    """Write a data package (descriptor, schemas, CSV or Parquet data) and return its folder."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "schemas").mkdir(exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    resources = []
    for name, table in tables.items():
        schema = table["schema"]
        (root / "schemas" / f"{name}.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
        path = f"data/{name}.{'parquet' if name in parquet else 'csv'}"
        write_csv(root / f"data/{name}.csv", schema, table["rows"])
        if name in parquet:
            write_parquet(root / path, root / f"data/{name}.csv", schema)
            (root / f"data/{name}.csv").unlink()
        resources.append({"name": name, "path": path, "schema": f"schemas/{name}.json", **table.get("resource", {})})
    full = {**(descriptor or base_descriptor()), "resources": resources}
    (root / "datapackage.json").write_text(json.dumps(full, indent=2), encoding="utf-8")
    return root


def write_csv(path: Path, schema: dict, rows: list[dict]) -> None:
    fields = schema["fields"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([f["name"] for f in fields])
        for row in rows:
            writer.writerow([_cell(row.get(f["name"]), f) for f in fields])


def _cell(value, field: dict) -> str:
    if value is None:
        return ""
    if field.get("type") == "list":
        return field.get("delimiter", ",").join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_parquet(path: Path, csv_path: Path, schema: dict) -> None:
    import pyarrow.parquet as pq

    from china_ai_landscape.loading import read_csv_table

    pq.write_table(read_csv_table(csv_path, schema), path)
