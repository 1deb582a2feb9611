"""A zipped data package, unpacked safely into a temporary folder for as long as it is used.

A zip file is input like any other: a member may not leave the folder it is unpacked into
(absolute names, ``..``, drive letters), may not be a symbolic link, and the whole may not
unpack to more than ``MAX_BYTES`` or ``MAX_MEMBERS`` files (a zip bomb). The sizes the
archive declares are not trusted: bytes are counted as they are written.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Iterator

from .errors import DatasetError

DESCRIPTOR = "datapackage.json"
MAX_MEMBERS = 10_000
MAX_BYTES = 4 * 2**30
_CHUNK = 1 << 20


def is_zipped(path) -> bool:
    """Whether ``path`` names a zip file (not a folder or a descriptor)."""
    path = Path(path)
    return path.is_file() and path.suffix.lower() == ".zip" and zipfile.is_zipfile(path)


@contextmanager
def unpacked(path) -> Iterator[Path]:
    """The descriptor of the zipped package at ``path``, unpacked into a temporary folder
    that is removed afterwards. Raises DatasetError for an unsafe or unusable archive."""
    folder = Path(tempfile.mkdtemp(prefix="dataset-zip-"))
    try:
        try:
            with zipfile.ZipFile(path) as archive:
                _extract(archive, folder, path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            raise DatasetError(f"{path}: cannot be unpacked ({exc})") from None
        yield _descriptor(folder, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _member_name(info: zipfile.ZipInfo, path) -> PurePosixPath:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
        raise DatasetError(f"{path}: member {info.filename!r} would be unpacked outside the package; it is not read")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise DatasetError(f"{path}: member {info.filename!r} is a symbolic link; it is not read")
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def _extract(archive: zipfile.ZipFile, folder: Path, path) -> None:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise DatasetError(f"{path}: holds {len(members):,} members, more than the {MAX_MEMBERS:,} this tool unpacks")
    written = 0
    for info in members:
        name = _member_name(info, path)
        if info.is_dir() or str(name) == ".":
            continue
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, open(target, "xb") as out:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > MAX_BYTES:
                    raise DatasetError(f"{path}: unpacks to more than {MAX_BYTES // 2**30} GiB; it is not read")
                out.write(chunk)


def _descriptor(folder: Path, path) -> Path:
    """datapackage.json at the top of the archive, or in its one top-level folder."""
    if (folder / DESCRIPTOR).is_file():
        return folder / DESCRIPTOR
    inner = [p for p in folder.iterdir() if p.is_dir() and (p / DESCRIPTOR).is_file()]
    if len(inner) == 1 and len(list(folder.iterdir())) == 1:
        return inner[0] / DESCRIPTOR
    raise DatasetError(f"{path}: holds no {DESCRIPTOR} at its top (nor in a single top-level folder): "
                       "it is not a zipped data package")
