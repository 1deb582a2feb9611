"""The semver bump a diff requires, and why.

MAJOR: a table, field or row removed, a field renamed or retyped, a key changed, a
constraint tightened (old data could fail), the licence changed. MINOR: a table, field or row
added, a constraint loosened. PATCH: values corrected, documentation changed. None: identical
(apart from the version and creation date themselves).
"""

from __future__ import annotations

# "Diff" and "TableDiff" in annotations are diffing.model's values, not imported here:
# model imports this module.

# Semver levels, weakest first; a diff requires the strongest level among its changes.
LEVELS = ("none", "patch", "minor", "major")


def strongest(levels) -> str:
    return max(levels, key=LEVELS.index, default="none")


def requirements(diff: "Diff") -> list[tuple[str, str]]:
    """(level, reason) for every change that requires a bump, strongest level first."""
    found = []
    for table in diff.tables.values():
        found += _table_requirements(table)
    found += [(change.bump, change.message) for change in diff.schema if change.bump != "none"]
    return sorted(found, key=lambda item: -LEVELS.index(item[0]))  # stable: keeps table order


def _table_requirements(table: "TableDiff") -> list[tuple[str, str]]:
    if table.status == "added":
        return [("minor", f"table {table.name} added ({_rows(table.new_rows)})")]
    if table.status == "removed":
        return [("major", f"table {table.name} removed ({_rows(table.old_rows)})")]
    out = []
    if table.removed:
        out.append(("major", f"{_rows(table.removed)} removed from {table.name}"))
    if table.added:
        out.append(("minor", f"{_rows(table.added)} added to {table.name}"))
    if table.changed:
        out.append(("patch", f"{_rows(table.changed)} changed in {table.name}"))
    return out


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"
