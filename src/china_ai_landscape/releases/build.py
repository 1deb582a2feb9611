"""Build a release folder from a data package: byte for byte the same every time.

``vX.Y.Z/`` holds, per table, ``<table>.parquet`` (zstd, Arrow types from the Table Schema,
the schema and the data version in the Parquet key-value metadata) and ``<table>.csv`` (the
package's CSV, copied byte for byte); ``<name>.sqlite``, every table in one SQLite database
(see ``sqlite``); ``datapackage.json`` describing them with ``bytes`` and ``hash`` (the
database under its ``database`` property); ``RELEASE_NOTES.md``; ``SHA256SUMS``; and ``<name>-<version>.zip`` of it all.
Nothing written depends on the clock, the folder or the file system order.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from ..errors import DatasetError
from ..package import DESCRIPTOR_NAME, DataPackage
from .files import sha256_file
from .registry import FileRecord

SUMS_NAME = "SHA256SUMS"
NOTES_NAME = "RELEASE_NOTES.md"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
SQLITE_MEDIATYPE = "application/vnd.sqlite3"
# 1980-01-01 is the earliest time a zip entry can carry; any fixed value makes zips reproducible.
# Entries are stored, not deflated: deflate output may differ between zlib builds, and the
# Parquet files inside are compressed already.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def build(package: DataPackage, version: str, notes: str, folder: Path) -> dict[str, FileRecord]:
    """Build the release of ``package`` as ``version`` into ``folder``, atomically.

    The files are written into a temporary sibling folder that is renamed to ``folder``
    only when everything is written: an interrupted build leaves no half release.
    Returns every file of the release with its size and hash.
    """
    staged, records = build_staged(package, version, notes, folder)
    try:
        os.rename(staged, folder)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return records


def build_staged(package: DataPackage, version: str, notes: str, folder: Path) -> tuple[Path, dict[str, FileRecord]]:
    """Build the release into a hidden sibling of ``folder`` (``.vX.Y.Z.*.partial``) and return it.

    The caller renames it into place (``build``, or a publish transaction).
    """
    folder = Path(folder)
    if folder.exists():
        raise DatasetError(f"{folder} already exists: a release folder is never overwritten; remove it or choose another --out")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".partial"))
    except OSError as exc:
        raise DatasetError(f"cannot write the release into {folder.parent}: {exc.strerror or exc}; nothing was published") from None
    try:
        records = write_release_files(package, version, notes, tmp)
        os.chmod(tmp, 0o755)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DatasetError(f"cannot write the release into {folder.parent}: {exc.strerror or exc}; nothing was published") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp, records


def write_release_files(package: DataPackage, version: str, notes: str, folder: Path) -> dict[str, FileRecord]:
    """Write every release file into an existing, empty ``folder``."""
    descriptor = release_descriptor(package, version)
    for resource in descriptor["resources"]:
        name = resource["name"]
        shutil.copyfile(package.data_path(name), folder / resource["path"])
        write_parquet(package, name, descriptor, folder / resource["parquet"]["path"])
        describe_file(resource, folder / resource["path"])
        describe_file(resource["parquet"], folder / resource["parquet"]["path"])
    descriptor["database"] = write_database(package, folder)
    (folder / DESCRIPTOR_NAME).write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / NOTES_NAME).write_text(notes if notes.endswith("\n") else notes + "\n", encoding="utf-8")
    listed = sorted(p.name for p in folder.iterdir())
    write_sums(folder, listed)
    write_zip(folder, zip_name(descriptor, version), listed + [SUMS_NAME])
    return {p.name: FileRecord(p.stat().st_size, sha256_file(p)) for p in sorted(folder.iterdir())}


def write_database(package: DataPackage, folder: Path) -> dict:
    """The SQLite database of every table, and its entry in the release descriptor."""
    from .sqlite import build_sqlite, database_name, sqlite_version

    name = database_name(package)
    build_sqlite(package, folder / name)
    entry = {"path": name, "format": "sqlite", "mediatype": SQLITE_MEDIATYPE, "sqlite": sqlite_version()}
    describe_file(entry, folder / name)
    return entry


def built_with() -> dict[str, str]:
    """The tools whose versions decide the bytes of a release (recorded in the registry)."""
    import sqlite3

    import pyarrow

    return {"pyarrow": pyarrow.__version__, "sqlite": sqlite3.sqlite_version}


def zip_name(descriptor: dict, version: str) -> str:
    return f"{descriptor.get('name') or 'datapackage'}-{version}.zip"


def release_descriptor(package: DataPackage, version: str) -> dict:
    """The package descriptor for the flat release folder: schemas inline, files side by side.

    Each table resource points at ``<table>.csv``; its ``parquet`` property describes
    ``<table>.parquet``. ``bytes`` and ``hash`` are filled in when the files are written.
    """
    descriptor = copy.deepcopy(package.descriptor)
    descriptor["version"] = version
    moved = {}
    resources = []
    for resource in package.resources():
        name = resource["name"]
        release = {k: v for k, v in resource.items() if k not in ("path", "schema", "bytes", "hash")}
        release["path"] = f"{name}.csv"
        release["schema"] = package.schema(name)
        release["parquet"] = {"path": f"{name}.parquet", "format": "parquet", "mediatype": PARQUET_MEDIATYPE}
        moved[resource.get("path")] = release["path"]
        resources.append(release)
    descriptor["resources"] = resources
    for source in descriptor.get("sources", []):
        if isinstance(source, dict) and source.get("path") in moved:
            source["path"] = moved[source["path"]]
    return descriptor


def describe_file(entry: dict, path: Path) -> None:
    entry["bytes"] = path.stat().st_size
    entry["hash"] = f"sha256:{sha256_file(path)}"


def write_parquet(package: DataPackage, name: str, descriptor: dict, path: Path) -> None:
    """One table as zstd Parquet, typed by its Table Schema, described in its metadata."""
    import pyarrow.parquet as pq

    from ..loading import read_table

    table_schema = package.schema(name)
    table = read_table(package, name)
    resource = package.resource(name)
    metadata = {
        "datapackage.name": descriptor.get("name") or "",
        "datapackage.version": descriptor["version"],
        "resource.name": name,
        "resource.description": resource.get("description") or "",
        "resource.schema": json.dumps(table_schema, ensure_ascii=False, sort_keys=True),
    }
    table = table.replace_schema_metadata(metadata)
    pq.write_table(table, path, compression="zstd")


def write_sums(folder: Path, names: list[str]) -> None:
    """``SHA256SUMS`` in the format ``sha256sum -c`` reads: ``<hex>  <name>``."""
    lines = "".join(f"{sha256_file(folder / name)}  {name}\n" for name in sorted(names))
    (folder / SUMS_NAME).write_text(lines, encoding="utf-8")


def write_zip(folder: Path, name: str, members: list[str]) -> None:
    """A zip of ``members`` under a ``<name without .zip>/`` folder, with fixed times and modes."""
    prefix = name.removesuffix(".zip")
    with zipfile.ZipFile(folder / name, "w") as archive:
        for member in sorted(members):
            info = zipfile.ZipInfo(f"{prefix}/{member}", date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # unix, so the mode below is read as such everywhere
            info.external_attr = 0o644 << 16
            archive.writestr(info, (folder / member).read_bytes())
