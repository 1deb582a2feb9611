"""Facts about the tables (names, row counts, descriptions) for the CLI and the README."""

from __future__ import annotations

from .loading import read_table
from .package import DataPackage, shipped


def table_summaries(package: DataPackage | None = None) -> list[dict]:
    """One dict per table: name, rows, description."""
    package = package or shipped()
    out = []
    for res in package.resources():
        name = res["name"]
        rows = read_table(package, name).num_rows
        out.append({"name": name, "rows": rows, "description": res.get("description", "")})
    return out
