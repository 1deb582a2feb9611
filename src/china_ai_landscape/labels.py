"""Readable names beside ids: one plan derived from the foreign keys, rendered twice.

For every single-field foreign key of a table into a table that has a ``name`` column, the
plan adds ``<stem>_name`` beside ``<stem>_id`` (``developer_id`` → ``developer_name``), the
target's ``country`` when it has one, and, when the target has a parent chain (a foreign
key into itself, like ``companies.parent_id``), the top-level group of the chain
(``developer_group_id``, ``developer_group_name``). ``with_labels`` renders the plan as Arrow
joins (``load(name, labels=True)``); ``view_sql`` renders it as a SQLite view (the release
database). Nothing here names a table or a column of this dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .package import DataPackage

if TYPE_CHECKING:
    import pyarrow as pa

MAX_DEPTH = 50  # a parent chain longer than this is treated as a cycle and stops there


@dataclass(frozen=True)
class Label:
    """Columns to add for one foreign-key column."""

    column: str  # the id column, e.g. developer_id
    target: str  # the referenced table
    key: str  # its key column
    stem: str  # prefix of the new columns, e.g. developer
    country: bool  # the target has a country column
    parent: str | None  # the target's self-referencing column (parent chain), if any

    @property
    def added(self) -> list[str]:
        names = [f"{self.stem}_name"] + ([f"{self.stem}_country"] if self.country else [])
        return names + ([f"{self.stem}_group_id", f"{self.stem}_group_name"] if self.parent else [])


def _fields(package: DataPackage, name: str) -> set[str]:
    return {f["name"] for f in package.schema(name)["fields"]}


def _single_keys(schema: dict) -> list[tuple[str, str, str]]:
    out = []
    for fk in schema.get("foreignKeys") or []:
        fields, ref = fk.get("fields"), fk.get("reference") or {}
        fields = [fields] if isinstance(fields, str) else fields
        keys = ref.get("fields")
        keys = [keys] if isinstance(keys, str) else keys
        if isinstance(fields, list) and isinstance(keys, list) and len(fields) == len(keys) == 1:
            out.append((fields[0], ref.get("resource") or "", keys[0]))
    return out


def parent_column(package: DataPackage, name: str) -> str | None:
    """The column of ``name`` that references ``name`` itself (a parent chain), if any."""
    for column, target, _key in _single_keys(package.schema(name)):
        if target in ("", name):
            return column
    return None


def label_plan(package: DataPackage, name: str) -> list[Label]:
    """The labels table ``name`` gets: one per foreign key into a table with a name."""
    plan = []
    tables = set(package.table_names())
    for column, target, key in _single_keys(package.schema(name)):
        target = target or name
        if target not in tables or "name" not in _fields(package, target):
            continue
        stem = column[:-3] if column.endswith("_id") else column
        plan.append(Label(column, target, key, stem, "country" in _fields(package, target), parent_column(package, target)))
    return plan


def groups(ids: list, parents: list) -> dict:
    """Top-level ancestor of every id along a parent chain (an id without parent is its own group)."""
    parent = {i: p for i, p in zip(ids, parents) if p is not None and p != i}
    top = {}
    for start in ids:
        node, depth = start, 0
        while node in parent and depth < MAX_DEPTH:
            node, depth = parent[node], depth + 1
        top[start] = node
    return top


def with_labels(package: DataPackage, name: str, table: "pa.Table", read) -> "pa.Table":
    """``table`` (table ``name`` of ``package``) with the plan's columns added after each id.

    ``read(name)`` gives another table of the package as Arrow (the caller's reader).
    """
    import pyarrow as pa

    targets: dict[str, pa.Table] = {}
    for label in label_plan(package, name):
        target = targets.setdefault(label.target, read(label.target))
        keys = target.column(label.key).to_pylist()
        names = dict(zip(keys, target.column("name").to_pylist()))
        values = table.column(label.column).to_pylist()
        added = {f"{label.stem}_name": [names.get(v) for v in values]}
        if label.country:
            countries = dict(zip(keys, target.column("country").to_pylist()))
            added[f"{label.stem}_country"] = [countries.get(v) for v in values]
        if label.parent:
            top = groups(keys, target.column(label.parent).to_pylist())
            added[f"{label.stem}_group_id"] = [top.get(v) if v is not None else None for v in values]
            added[f"{label.stem}_group_name"] = [names.get(g) for g in added[f"{label.stem}_group_id"]]
        position = table.schema.get_field_index(label.column) + 1
        for offset, (column, data) in enumerate(added.items()):
            table = table.add_column(position + offset, column, pa.array(data, pa.string()))
    return table


def view_sql(package: DataPackage, name: str) -> str | None:
    """``CREATE VIEW <name>_labelled`` for the release database, or None without labels.

    Groups come from ``<target>_groups`` tables (id, group_id) the database builder writes.
    """
    plan = label_plan(package, name)
    if not plan:
        return None
    columns, joins = ["t.*"], []
    for i, label in enumerate(plan):
        alias = f"l{i}"
        joins.append(f'LEFT JOIN "{label.target}" AS {alias} ON {alias}."{label.key}" = t."{label.column}"')
        columns.append(f'{alias}.name AS "{label.stem}_name"')
        if label.country:
            columns.append(f'{alias}.country AS "{label.stem}_country"')
        if label.parent:
            joins.append(f'LEFT JOIN "{label.target}_groups" AS g{i} ON g{i}.id = t."{label.column}"')
            joins.append(f'LEFT JOIN "{label.target}" AS n{i} ON n{i}."{label.key}" = g{i}.group_id')
            columns += [f'g{i}.group_id AS "{label.stem}_group_id"', f'n{i}.name AS "{label.stem}_group_name"']
    return (f'CREATE VIEW "{name}_labelled" AS SELECT {", ".join(columns)} FROM "{name}" AS t '
            + " ".join(joins))
