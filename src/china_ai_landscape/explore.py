"""``dataset serve``: Datasette over the release database, for the shipped data or a release.

The database is the one ``dataset publish`` puts in a release (``releases.sqlite``). For
the shipped data it is built once into the user cache, under a name derived from the
hashes of the data files, so an edit gives a new database and an unchanged package reuses
its own. Datasette's metadata (title, licence, source, per-column descriptions, facets,
label columns) is derived from the descriptor and the Table Schemas.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .errors import DatasetError
from .package import DataPackage, shipped

INSTALL = "pip install 'china-ai-landscape[explore]'"
# Fields worth a facet when a table has them (an enum of a few values, or a reference).
FACET_FIELDS = ("kind", "modality", "access", "architecture", "status", "role", "unit", "currency", "country",
                "developer_id", "language", "round", "jurisdiction", "title")


def _fingerprint(package: DataPackage) -> str:
    digest = hashlib.sha256(json.dumps(package.descriptor, sort_keys=True).encode())
    for name in package.table_names():
        digest.update(package.data_path(name).read_bytes())
        digest.update(json.dumps(package.schema(name), sort_keys=True).encode())
    return digest.hexdigest()[:16]


def shipped_database(package: DataPackage | None = None) -> Path:
    """The SQLite database of a package on disk, built into the cache unless it is there."""
    from .releases.download import cache_dir
    from .releases.sqlite import build_sqlite, database_name

    package = package or shipped()
    folder = cache_dir() / "serve" / _fingerprint(package)
    path = folder / database_name(package)
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".build-") as tmp:
        staged = Path(tmp) / path.name
        build_sqlite(package, staged)
        os.replace(staged, path)
    return path


def release_database(version: str) -> tuple[Path, DataPackage]:
    """A release's database, downloaded and verified, with the release's descriptor."""
    from .releases.download import download

    paths = download(version, file_format="sqlite")
    return paths[-1], DataPackage(paths[0])


def _facets(schema: dict) -> list:
    names = {f["name"]: f for f in schema["fields"]}
    facets: list = [n for n in FACET_FIELDS if n in names and n != "title"
                    and ((names[n].get("constraints") or {}).get("enum") or n.endswith("_id") or n == "country")]
    dates = [n for n in ("released", "date", "announced") if n in names and names[n].get("type") == "date"]
    return facets + [{"date": dates[0]}] if dates else facets


def metadata(package: DataPackage, database: str) -> dict:
    """Datasette metadata derived from the descriptor and the Table Schemas."""
    descriptor = package.descriptor
    licence = (descriptor.get("licenses") or [{}])[0]
    tables = {}
    for resource in package.resources():
        name = resource["name"]
        schema = package.schema(name)
        fields = {f["name"]: f for f in schema["fields"]}
        entry = {"description": resource.get("description", ""),
                 "columns": {n: f.get("description", "") for n, f in fields.items()},
                 "facets": _facets(schema)}
        if "name" in fields:
            entry["label_column"] = "name"
        elif "title" in fields:
            entry["label_column"] = "title"
        tables[name] = entry
    return {
        "title": descriptor.get("title") or descriptor.get("name"),
        "description": descriptor.get("description", ""),
        "license": licence.get("name"), "license_url": licence.get("path"),
        "source": descriptor.get("title"), "source_url": descriptor.get("homepage"),
        "databases": {database: {"tables": tables}},
    }


def serve(version: str | None = None, port: int = 8001, host: str = "127.0.0.1") -> int:
    """Run Datasette until interrupted; returns its exit status."""
    try:
        import datasette  # noqa: F401
        import sqlite_utils  # noqa: F401
    except ImportError:
        raise DatasetError(f"dataset serve needs Datasette: {INSTALL}") from None
    if version is None:
        package = shipped()
        path = shipped_database(package)
    else:
        path, package = release_database(version)
    with tempfile.TemporaryDirectory(prefix="dataset-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(package, path.stem), ensure_ascii=False), encoding="utf-8")
        command = [sys.executable, "-m", "datasette", "serve", "--immutable", str(path), "--metadata", str(meta),
                   "--host", host, "--port", str(port), "--setting", "default_page_size", "50",
                   "--setting", "sql_time_limit_ms", "3000"]
        return subprocess.run(command, check=False).returncode
