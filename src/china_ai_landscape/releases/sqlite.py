"""The release's SQLite database: every table typed like ``load()``, with keys and search.

Built with sqlite-utils from the same typed Arrow tables as the Parquet files: one table
per resource with its primary key, not-null columns and single-field foreign keys; list
fields as JSON arrays; a full-text index (FTS5) over each table's name, title and
description columns; ``_fields`` with every column's type and description from the Table
Schemas; ``<table>_groups`` (the top-level ancestor of each row of a table with a parent
chain) and ``<table>_labelled`` views that put names beside ids (see ``labels``). The same
package and SQLite version build the same bytes: rows go in key order and the file is
vacuumed; the SQLite version is recorded in the registry beside pyarrow's.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from pathlib import Path

from ..errors import DatasetError
from ..labels import groups, parent_column, view_sql
from ..loading import read_table
from ..package import DataPackage

SEARCHABLE = ("name", "name_zh", "title", "description", "aims")
_TYPES = {"integer": int, "number": float, "boolean": int, "year": int}


def database_name(package: DataPackage) -> str:
    return f"{package.descriptor.get('name') or 'datapackage'}.sqlite"


def sqlite_version() -> str:
    return sqlite3.sqlite_version


def _cell(value):
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _order(package: DataPackage) -> list[str]:
    """Tables in an order where every referenced table comes first (self-references aside)."""
    names = package.table_names()
    needs = {n: {fk["reference"].get("resource") or n for fk in package.schema(n).get("foreignKeys") or []} - {n}
             for n in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and needs[n] <= set(ordered) | (needs[n] - set(names))]
        if not ready:  # a cycle between tables: keep the descriptor's order for the rest
            ready = [n for n in names if n not in ordered]
        ordered += ready
    return ordered


def _create(db, package: DataPackage, name: str) -> None:
    schema = package.schema(name)
    fields = schema["fields"]
    columns = {f["name"]: _TYPES.get(f.get("type"), str) for f in fields}
    pk = schema.get("primaryKey") or None
    not_null = {f["name"] for f in fields if (f.get("constraints") or {}).get("required")}
    foreign = []
    for fk in schema.get("foreignKeys") or []:
        cols, ref = fk["fields"], fk["reference"]
        cols = [cols] if isinstance(cols, str) else cols
        keys = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        if len(cols) == 1:
            foreign.append((cols[0], ref.get("resource") or name, keys[0]))
    db[name].create(columns, pk=pk if pk and len(pk) > 1 else (pk[0] if pk else None), not_null=not_null,
                    foreign_keys=foreign)
    table = read_table(package, name)
    if pk:
        table = table.sort_by([(k, "ascending") for k in pk])
    rows = ({k: _cell(v) for k, v in row.items()} for row in table.to_pylist())
    db[name].insert_all(rows, batch_size=1000)
    searchable = [c for c in SEARCHABLE if c in columns]
    if searchable:
        db[name].enable_fts(searchable, create_triggers=False)


def _groups_table(db, package: DataPackage, name: str) -> None:
    parent = parent_column(package, name)
    pk = package.schema(name).get("primaryKey") or []
    if parent is None or len(pk) != 1:
        return
    rows = list(db[name].rows_where(select=f'"{pk[0]}", "{parent}"', order_by=f'"{pk[0]}"'))
    top = groups([r[pk[0]] for r in rows], [r[parent] for r in rows])
    db[f"{name}_groups"].insert_all(({"id": i, "group_id": top[i]} for i in sorted(top)), pk="id")


def build_sqlite(package: DataPackage, path: Path) -> None:
    """Write the database of ``package`` to ``path`` (which must not exist)."""
    import sqlite_utils

    path = Path(path)
    if path.exists():
        raise DatasetError(f"{path} already exists")
    db = sqlite_utils.Database(path)
    try:
        for name in _order(package):
            _create(db, package, name)
        db["_fields"].insert_all(({"table": name, "position": i, "field": f["name"], "type": f.get("type", "string"),
                                   "description": f.get("description")}
                                  for name in package.table_names()
                                  for i, f in enumerate(package.schema(name)["fields"])), pk=("table", "field"))
        for name in package.table_names():
            _groups_table(db, package, name)
        for name in package.table_names():
            sql = view_sql(package, name)
            if sql:
                db.execute(sql)
        db.conn.commit()
        db.vacuum()
    finally:
        db.close()
