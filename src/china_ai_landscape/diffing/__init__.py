"""Compare two versions of a data package: keyed row differences, schema differences, the bump.

Example (not a doctest: it depends on the repository's history)::

    from china_ai_landscape.diffing import diff
    d = diff("git:HEAD~1", ".")      # or a folder, a datapackage.json, "v1.2.0"
    d.bump, d.reasons                # "minor", ["minor: 3 rows added to models"]
    print(d.render("markdown"))      # release notes, pull-request comments

Sides are named as ``package_sources`` resolves them and read by ``loading``. Modules: ``rows`` (keyed row
comparison), ``schema`` (schema and descriptor changes), ``bump`` (the semver level and its
reasons), ``render`` (text, markdown, JSON), ``model`` (the result values).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Iterable

from ..errors import DatasetError
from ..package import DataPackage
from . import parts
from .model import Change, Diff, TableDiff
from .rows import diff_rows
from .schema import descriptor_changes, primary_key, resource_changes, schema_changes
from ..loading import read_table as read_resource, threads_beside
from ..package_sources import label, open_source

__all__ = ["Change", "Diff", "TableDiff", "diff", "compare"]

FORMATS = ("text", "markdown", "json")


def diff(old, new, tables: Iterable[str] | None = None) -> Diff:
    """Compare ``old`` with ``new``; each is a DataPackage, a path, ``git:REV`` or ``vX.Y.Z``.

    ``tables`` restricts the comparison to those tables (package-level descriptor changes
    are then left out). Raises DatasetError (exit code 2) for unusable input: a missing
    package, an unknown table, duplicate primary keys, keys of different types.
    """
    with open_source(old) as old_package, open_source(new) as new_package:
        return compare(old_package, new_package, tables, (label(old), label(new)))


def compare(old: DataPackage, new: DataPackage, tables: Iterable[str] | None = None,
            labels: tuple[str, str] | None = None) -> Diff:
    """Compare two data packages on disk."""
    labels = labels or (str(old.root), str(new.root))
    names = _selected(old, new, tables)
    result = Diff(labels[0], labels[1], old.version, new.version, {}, [])
    if tables is None:
        result.schema += descriptor_changes(old.descriptor, new.descriptor)
    for name in names:
        in_old, in_new = name in old.table_names(), name in new.table_names()
        if in_old and in_new:
            result.tables[name] = _compare_table(name, old, new, result, labels)
        elif in_new:
            rows = read_resource(new, name).num_rows
            result.tables[name] = TableDiff(name, "added", primary_key(new.schema(name)), 0, rows, added=rows)
        else:
            rows = read_resource(old, name).num_rows
            result.tables[name] = TableDiff(name, "removed", primary_key(old.schema(name)), rows, 0, removed=rows)
    return result


def _selected(old: DataPackage, new: DataPackage, tables: Iterable[str] | None) -> list[str]:
    everything = new.table_names() + [n for n in old.table_names() if n not in new.table_names()]
    if tables is None:
        return everything
    wanted = list(dict.fromkeys(tables))
    unknown = [n for n in wanted if n not in everything]
    if unknown:
        raise DatasetError(f"unknown table {unknown[0]!r}; valid tables: {', '.join(everything)}")
    return [n for n in everything if n in wanted]


def _compare_table(name: str, old: DataPackage, new: DataPackage, result: Diff, labels) -> TableDiff:
    old_schema, new_schema = old.schema(name), new.schema(name)
    result.schema += resource_changes(name, old.resource(name), new.resource(name))
    result.schema += schema_changes(name, old_schema, new_schema)
    key = _matching_key(name, old_schema, new_schema, result.warnings)
    sides = parts.applies(name, old, new, key)
    if sides is not None:  # two large files: in parts, in bounded memory
        try:
            return parts.diff_in_parts(name, old, new, key, labels, sides)
        except (parts.Unsplittable, OSError):
            pass  # diffed whole (no room for the parts, say), which also words any error as usual
    threaded = threads_beside(2)
    with ThreadPoolExecutor(2) as pool:  # both sides read at once (pyarrow lets go of the GIL)
        old_read = pool.submit(read_resource, old, name, use_threads=threaded)
        new_read = pool.submit(read_resource, new, name, use_threads=threaded)
        old_table, new_table = old_read.result(), new_read.result()
    return diff_rows(name, old_table, new_table, key, labels)


def _field_names(schema: dict) -> set[str]:
    return {f.get("name") for f in schema.get("fields", []) if isinstance(f, dict)}


def _matching_key(name, old_schema, new_schema, warnings: list[str]) -> list[str]:
    """The new primary key if both sides have its fields, else the old one, else whole rows."""
    both = _field_names(old_schema) & _field_names(new_schema)
    for key in (primary_key(new_schema), primary_key(old_schema)):
        if key and set(key) <= both:
            if key != primary_key(new_schema) or key != primary_key(old_schema):
                warnings.append(f"{name}: primary key changed; rows matched on ({', '.join(key)})")
            return key
    warnings.append(f"{name}: no primary key on both sides; whole rows compared "
                    "(a corrected row shows as one removed and one added)")
    return []
