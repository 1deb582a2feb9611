"""The bytes of a tabular resource: local or remote, one file or a multipart path, decompressed.

Shared by the validator and the loader, so both read the same bytes: a multipart path is its
parts joined (each part's header row dropped but the first's, as frictionless reads them),
``gz`` and one-file ``zip`` resources are decompressed (at most ``MAX_DECOMPRESSED`` bytes:
zip bombs), inline ``data`` is written as CSV. Nothing here imports polars or numpy.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_DECOMPRESSED = 1 << 30  # bytes a compressed resource may expand to (zip bombs)
COMPRESSIONS = {".gz": "gz", ".zip": "zip"}


@dataclass
class Resource:
    """A tabular resource the tables layer can read: where its data is and its schema."""

    name: str
    file: str  # the path as the descriptor states it, for messages and annotations
    # a local Path, a URL (remote paths allowed), a list of them (a multipart path), or the
    # bytes of inline data written as CSV
    location: Path | str | list | bytes
    schema: dict
    dialect: dict
    encoding: str
    compression: str | None = None

    @property
    def is_remote(self) -> bool:
        return isinstance(self.location, str)


def read_remote(url: str, limit: int | None = None) -> bytes:
    """Fetch a remote file (only when the user allows remote data), at most ``limit`` bytes
    (default ``MAX_DECOMPRESSED``)."""
    from http.client import HTTPException
    from urllib.parse import urlsplit

    from .errors import DatasetError

    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise DatasetError(f"{url}: only http and https addresses are downloaded (a file:// or other address "
                           "could read files outside the package); it is not read")
    limit = MAX_DECOMPRESSED if limit is None else limit
    try:
        with _http_only().open(url, timeout=60) as response:
            data = response.read(limit + 1)
    except (OSError, ValueError, HTTPException) as exc:
        raise DatasetError(f"{url}: cannot be downloaded ({exc})") from None
    if len(data) > limit:
        raise DatasetError(f"{url}: larger than {limit >> 20} MiB; not read")
    return data


def _http_only():
    """A URL opener that speaks http and https only, redirects included (urllib's default
    opener would also follow a redirect to ftp:// and open file:// addresses)."""
    import urllib.request

    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(), urllib.request.HTTPRedirectHandler(),
                    urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


class ReadProblem(Exception):
    """A resource whose bytes cannot be had: the message becomes a finding."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _decompress(data: bytes, compression: str) -> bytes:
    if compression == "gz":
        inflater = zlib.decompressobj(wbits=47)  # gzip or zlib header
        try:
            out = inflater.decompress(data, MAX_DECOMPRESSED + 1)
        except zlib.error as exc:
            raise ReadProblem("compression-error", f"is not valid gzip data ({exc})") from None
        if len(out) > MAX_DECOMPRESSED or inflater.unconsumed_tail:
            raise ReadProblem("compression-error", f"expands to more than {MAX_DECOMPRESSED >> 20} MiB; not read")
        if not inflater.eof:
            raise ReadProblem("compression-error", "is truncated gzip data (the end of the stream is missing)")
        return out
    if compression == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if len(members) != 1:
                    raise ReadProblem("compression-error", f"a zipped resource must hold exactly one file, not {len(members)}")
                with archive.open(members[0]) as handle:
                    out = handle.read(MAX_DECOMPRESSED + 1)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as exc:
            raise ReadProblem("compression-error", f"is not a readable zip archive ({exc})") from None
        if len(out) > MAX_DECOMPRESSED:
            raise ReadProblem("compression-error", f"expands to more than {MAX_DECOMPRESSED >> 20} MiB; not read")
        return out
    raise ReadProblem("compression-error", f'compression "{compression}" is not supported (use gz or zip)')


def load_bytes(res: Resource) -> bytes:
    """The resource's bytes, decompressed; ReadProblem when they cannot be had."""
    from .errors import DatasetError

    if isinstance(res.location, bytes):
        return res.location
    parts = res.location if isinstance(res.location, list) else [res.location]
    try:
        data = _joined([_read_part(part, res.compression) for part in parts], res.dialect.get("header", True) is not False)
    except DatasetError as exc:  # the finding names the file already: say only what went wrong
        message = str(exc)
        for part in parts:
            message = message.removeprefix(f"{part}: ")
        raise ReadProblem("scheme-error", message) from None
    except PermissionError:
        raise ReadProblem("scheme-error", "cannot be read: permission denied") from None
    except OSError as exc:
        raise ReadProblem("scheme-error", f"cannot be read ({exc.strerror or exc.__class__.__name__})") from None
    return data


def _read_part(location, compression: str | None) -> bytes:
    data = read_remote(location) if isinstance(location, str) else Path(location).read_bytes()
    return _decompress(data, compression) if compression else data


def _joined(parts: list[bytes], header: bool) -> bytes:
    """The parts of a multipart path as one file. As frictionless reads them, every part
    repeats the header row, which is dropped from all but the first."""
    if len(parts) == 1:
        return parts[0]
    out = []
    for i, part in enumerate(parts):
        if i and header:
            part = part.split(b"\n", 1)[1] if b"\n" in part else b""
        out.append(part if part.endswith(b"\n") or i == len(parts) - 1 else part + b"\n")
    return b"".join(out)


def compression_of(resource: dict, path: str) -> str | None:
    """The resource's compression: stated, or read off its file name (data.csv.gz)."""
    stated = resource.get("compression")
    if isinstance(stated, str) and stated and stated.lower() != "no":
        return stated.lower()
    return COMPRESSIONS.get(PurePosixPath(path).suffix.lower())


def inline_csv(rows: list, names: list[str]) -> bytes:
    """Inline data written as CSV text: rows as lists (the first the header), or as objects
    (then the header is ``names``, the schema's field names)."""
    if rows and isinstance(rows[0], dict):
        rows = [names] + [[row.get(n) for n in names] if isinstance(row, dict) else row for row in rows]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    for row in rows:
        writer.writerow([_inline_cell(cell) for cell in row] if isinstance(row, list) else [])
    return text.getvalue().encode("utf-8")


def _inline_cell(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, (dict, list)):
        return json.dumps(cell, ensure_ascii=False)
    return str(cell)
