"""Downloading releases: every file checked against its SHA-256 before use, cached atomically.

Where the expected hashes come from (the chain of trust):

* A release listed in the registry shipped inside this package: every file, the release's
  ``datapackage.json`` included, is checked against the hash recorded there.
* A newer release the installed package has not heard of: its ``datapackage.json`` is
  fetched first and the other files are checked against the ``hash`` it gives for each. The
  descriptor itself is then trusted on first use: it must come over HTTPS (or from this
  machine), or match ``descriptor_sha256`` when the caller pins one (the hash printed in the
  release's ``SHA256SUMS``); once cached, it is never fetched again.

A file is streamed to a temporary file next to its final place, checked, and only then
renamed into place, so a reader never sees a partial file and a file that fails its check is
never kept. A file already cached is used without any network access once it checks out.
Files come over HTTP(S) (requests, with a timeout for the answer and for every stall of the
body: ``$CHINA_AI_LANDSCAPE_TIMEOUT`` seconds, default 30) or from a local mirror
(``file://`` or a folder path).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import TYPE_CHECKING, Iterable
from urllib.parse import urlparse
from urllib.request import url2pathname

from ..errors import DatasetError
from ..package import DESCRIPTOR_NAME, DataPackage
from . import versions
from .files import sha256_file
from .registry import FileRecord, Registry

if TYPE_CHECKING:
    import pyarrow as pa

ENV_BASE_URL = "CHINA_AI_LANDSCAPE_RELEASE_URL"
ENV_CACHE = "CHINA_AI_LANDSCAPE_CACHE"
ENV_TIMEOUT = "CHINA_AI_LANDSCAPE_TIMEOUT"
DEFAULT_TIMEOUT = 30.0  # seconds without an answer, or without a byte of the body
CHUNK = 1 << 16
# A release file is named like "models.parquet": no folders, so it cannot land outside the cache.
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DEFAULT_BASE_URL = "https://github.com/china-ai-landscape/china-ai-landscape/releases/download"
FORMATS = ("parquet", "csv", "sqlite")


def cache_dir() -> Path:
    """Where downloaded releases are kept: ``$CHINA_AI_LANDSCAPE_CACHE``, else the user cache
    folder (``$XDG_CACHE_HOME/china-ai-landscape`` or ``~/.cache/china-ai-landscape`` on Linux)."""
    override = os.environ.get(ENV_CACHE)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_cache_path("china-ai-landscape", appauthor=False)


def resolve_base_url(url: str | None = None) -> str:
    """The release server: ``url``, else ``$CHINA_AI_LANDSCAPE_RELEASE_URL``, else GitHub releases.

    ``https://`` and ``http://`` addresses are servers; ``file://`` addresses and plain
    folder paths are local mirrors (a folder holding ``vX.Y.Z/`` folders). Other schemes are
    refused.
    """
    base = (url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
    scheme = urlparse(base).scheme.lower()
    if scheme not in ("http", "https", "file") and not _is_plain_path(base):
        raise DatasetError(f"release address {base!r}: {scheme}:// is not supported; use https://, http://, "
                           "file:// or a folder path")
    return base


def _is_plain_path(base: str) -> bool:
    """A folder path rather than a URL (a Windows drive letter is a path, not a scheme)."""
    scheme = urlparse(base).scheme
    return scheme == "" or (len(scheme) == 1 and scheme.isalpha())


def _timeout() -> float:
    value = os.environ.get(ENV_TIMEOUT)
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        raise DatasetError(f"${ENV_TIMEOUT}={value!r}: expected a number of seconds") from None
    if seconds <= 0:
        raise DatasetError(f"${ENV_TIMEOUT}={value!r}: expected a positive number of seconds")
    return seconds


def file_url(base: str, version: str, name: str) -> str:
    return f"{base}/v{version}/{name}"


@dataclass
class Release:
    """A release being fetched: where its files come from, where they go, what they must hash to."""

    version: str
    base: str
    folder: Path
    descriptor: dict
    records: dict[str, FileRecord | None]
    progress: bool

    def table_names(self) -> list[str]:
        return [r.get("name") for r in self.descriptor.get("resources", [])]

    def file_name(self, table: str, fmt: str) -> str:
        if fmt not in FORMATS:
            raise DatasetError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
        if fmt == "sqlite":
            database = self.descriptor.get("database")
            if not isinstance(database, dict) or "path" not in database:
                raise DatasetError(f"release {self.version} has no SQLite database (releases from 0.2.0 on have one)")
            return database["path"]
        for resource in self.descriptor.get("resources", []):
            if resource.get("name") == table:
                return resource["parquet"]["path"] if fmt == "parquet" else resource["path"]
        raise DatasetError(f"release {self.version} has no table {table!r}; its tables: {', '.join(self.table_names())}")

    def fetch(self, name: str) -> Path:
        """One file of the release, verified, from the cache or the server."""
        if name not in self.records:
            raise DatasetError(f"release {self.version} has no file {name!r}")
        if not isinstance(name, str) or not _PLAIN_NAME.match(name) or name in (".", ".."):
            raise DatasetError(f"release {self.version} names a file {name!r} that is not a plain file name; "
                               "it is not fetched (a release folder holds no subfolders)", exit_code=1)
        return fetch_file(file_url(self.base, self.version, name), self.folder / name, self.records[name], self.progress)


def download(version: str | None = None, tables: Iterable[str] | None = None, *, file_format: str = "parquet",
             dest: Path | str | None = None, base_url: str | None = None, descriptor_sha256: str | None = None,
             registry: Registry | None = None, progress: bool | None = None) -> list[Path]:
    """Download (or find in the cache) the files of release ``version``, each one verified.

    Parameters
    ----------
    version:
        ``"X.Y.Z"``; default: the latest release this package knows.
    tables:
        Table names; default: every table of the release.
    file_format:
        ``"parquet"`` (default), ``"csv"``, or ``"sqlite"`` (the one database of every
        table; ``tables`` is then ignored).
    dest:
        A folder to put the files in instead of the user cache.
    base_url:
        The release server; files are read from ``{base_url}/v{version}/{file}``.
    descriptor_sha256:
        Pin the hash of the release's ``datapackage.json`` (for releases newer than the registry).
    registry:
        The known releases; default: the registry shipped in this package.
    progress:
        Show a progress bar; default: only when standard error is a terminal.

    Returns the paths of the release's ``datapackage.json`` and of the requested files.
    """
    release = open_release(version, dest=dest, base_url=base_url, descriptor_sha256=descriptor_sha256,
                           registry=registry, progress=progress)
    names = list(dict.fromkeys(tables)) if tables is not None else release.table_names()
    files = ([release.file_name("", "sqlite")] if file_format == "sqlite"
             else [release.file_name(table, file_format) for table in names])
    return [release.folder / DESCRIPTOR_NAME] + [release.fetch(name) for name in files]


def open_release(version: str | None = None, *, dest: Path | str | None = None, base_url: str | None = None,
                 descriptor_sha256: str | None = None, registry: Registry | None = None,
                 progress: bool | None = None) -> Release:
    """Resolve a release: its verified descriptor (fetched or cached) and every file's expected hash."""
    registry = registry if registry is not None else Registry.shipped()
    version = versions.normalise(version) if version is not None else _latest(registry)
    base = resolve_base_url(base_url)
    folder = Path(dest) if dest is not None else cache_dir() / f"v{version}"
    progress = sys.stderr.isatty() if progress is None else progress
    known = registry.files(version)
    if known is not None:
        records: dict[str, FileRecord | None] = dict(known)
    else:
        _check_first_use_allowed(base, version, descriptor_sha256, registry)
        records = {DESCRIPTOR_NAME: FileRecord(-1, descriptor_sha256.lower()) if descriptor_sha256 else None}
    release = Release(version, base, folder, {}, records, progress)
    try:
        path = release.fetch(DESCRIPTOR_NAME)
    except ReleaseNotFound:
        raise DatasetError(f"release {version} is unknown: {file_url(base, version, DESCRIPTOR_NAME)} does not exist; "
                           f"{_known_list(registry)}") from None
    release.descriptor = _read_release_descriptor(path, version)
    if known is None:
        release.records.update(_records_from_descriptor(release.descriptor))
    return release


def known_versions(registry: Registry | None = None) -> list[str]:
    """Releases known here: those in the registry and those already in the cache."""
    registry = registry if registry is not None else Registry.shipped()
    cached = set()
    root = cache_dir()
    if root.is_dir():
        for child in root.iterdir():
            try:
                if (child / DESCRIPTOR_NAME).is_file() and child.name.startswith("v"):
                    cached.add(versions.normalise(child.name))
            except DatasetError:
                continue
    return versions.ordered(set(registry.versions()) | cached)


def load_release_table(name: str, version: str, *, base_url: str | None = None,
                       registry: Registry | None = None) -> "pa.Table":
    """Table ``name`` of release ``version`` as a pyarrow Table typed like ``load(name)``."""
    from ..loading import read_parquet_table

    release = open_release(version, base_url=base_url, registry=registry)
    path = release.fetch(release.file_name(name, "parquet"))
    return read_parquet_table(path, DataPackage(release.folder / DESCRIPTOR_NAME).schema(name))


def release_package(version: str, *, base_url: str | None = None, registry: Registry | None = None) -> DataPackage:
    """Release ``version`` downloaded and verified: a data package on disk (its CSV tables)."""
    paths = download(version, file_format="csv", base_url=base_url, registry=registry)
    return DataPackage(paths[0])


class ReleaseNotFound(DatasetError):
    """The server has no such file (HTTP 404)."""


def fetch_file(url: str, path: Path, record: FileRecord | None, progress: bool = False) -> Path:
    """``path``, downloaded from ``url`` unless it is already there and checks out.

    ``record`` None means no hash is known in advance (a descriptor trusted on first use):
    then a file already present is used as it is. A failed download leaves nothing behind,
    not even the folder it created.
    """
    if path.is_file():
        if record is None or sha256_file(path) == record.sha256:
            return path
    created = _make_folders(path.parent)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        os.close(fd)
        _transfer(url, tmp, progress)
        if record is not None:
            _verify(url, Path(tmp), record)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if record is not None and path.is_file() and sha256_file(path) != record.sha256:
            path.unlink(missing_ok=True)  # a corrupt cached copy is not kept either
        for folder in created:
            try:
                folder.rmdir()  # only if empty
            except OSError:
                break
        raise
    return path


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; returns those created, deepest first."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatasetError(f"cannot create the cache folder {folder}: {exc.strerror or exc}") from None
    return missing


def _transfer(url: str, target: str, progress: bool) -> None:
    """Copy ``url`` into the file ``target``: over HTTP(S), or from a local mirror."""
    if urlparse(url).scheme.lower() in ("http", "https"):
        _http_transfer(url, target, progress, _timeout())
        return
    source = Path(url2pathname(urlparse(url).path)) if urlparse(url).scheme.lower() == "file" else Path(url)
    if not source.is_file():
        raise ReleaseNotFound(f"{url}: not found in the local mirror")
    import shutil

    try:
        shutil.copyfile(source, target)
    except OSError as exc:
        raise DatasetError(f"cannot copy {url}: {exc.strerror or exc}") from None


def _http_transfer(url: str, target: str, progress: bool, timeout: float) -> None:
    """Stream one file; each way a transfer can fail gets its own true message."""
    import requests

    received = 0
    answered = False
    try:
        with requests.get(url, stream=True, timeout=(timeout, timeout)) as response:
            answered = True
            if response.status_code == 404:
                raise ReleaseNotFound(f"{url}: not found (HTTP 404)")
            if response.status_code >= 400:
                raise DatasetError(f"cannot download {url}: the server answered HTTP {response.status_code}")
            bar = _progress_bar(response, url) if progress else None
            with open(target, "wb") as handle:
                for chunk in response.iter_content(CHUNK):
                    handle.write(chunk)
                    received += len(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            if bar is not None:
                bar.close()
    except requests.RequestException as exc:
        raise DatasetError(f"cannot download {url}: {_reason(exc, answered, received, timeout)}; check the "
                           f"connection or the release address (--base-url or ${ENV_BASE_URL})") from None


def _progress_bar(response, url: str):
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        return None
    total = int(response.headers.get("content-length") or 0) or None
    return tqdm(total=total, unit="B", unit_scale=True, desc=url.rsplit("/", 1)[-1], leave=False)


def _verify(url: str, path: Path, record: FileRecord) -> None:
    size = path.stat().st_size
    digest = sha256_file(path)
    if digest == record.sha256:
        return
    if record.bytes >= 0 and size != record.bytes:
        what = f"it has {size} bytes instead of {record.bytes} (truncated or altered)"
    else:
        what = "its content differs (corrupted or tampered with)"
    raise DatasetError(f"{url}: refused, SHA-256 {digest} does not match the expected {record.sha256}: {what}; "
                       "the file was not kept", exit_code=1)


def _reason(exc: Exception, answered: bool, received: int, timeout: float) -> str:
    """What went wrong, in a few words (requests' own messages run to several lines of internals)."""
    import requests

    text = str(exc)
    if not answered:
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return f"no connection to the server within {timeout:g} s"
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return f"the server accepted the connection but did not answer within {timeout:g} s"
        if "refused" in text.lower():
            return "the server refused the connection"
        if "Name or service not known" in text or "getaddrinfo" in text or "NameResolution" in text:
            return "the server's name cannot be resolved"
        if isinstance(exc, requests.exceptions.ConnectionError):
            return "cannot reach the server"
    elif "timed out" in text.lower():
        return f"the download stalled: no data for {timeout:g} s after {received:,} bytes"
    elif isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        return f"the connection was cut off after {received:,} bytes, before the whole file arrived"
    return (text.strip() or exc.__class__.__name__).splitlines()[0][:200]


def _latest(registry: Registry) -> str:
    latest = versions.latest(known_versions(registry))
    if latest is None:
        raise DatasetError("no release is known to this package yet; name one with --version X.Y.Z")
    return latest


def _known_list(registry: Registry) -> str:
    known = known_versions(registry)
    return f"known releases: {', '.join(known)}" if known else "no releases are known to this package yet"


def _check_first_use_allowed(base: str, version: str, pinned: str | None, registry: Registry) -> None:
    """A descriptor not in the registry is trusted only over HTTPS, from this machine, or pinned."""
    if pinned:
        if len(pinned) != 64 or any(c not in "0123456789abcdefABCDEF" for c in pinned):
            raise DatasetError(f"--descriptor-sha256 {pinned!r}: expected 64 hexadecimal digits")
        return
    url = urlparse(base)
    if url.scheme in ("https", "file") or _is_plain_path(base) or _is_loopback(url.hostname):
        return
    raise DatasetError(
        f"release {version} is not in this package's registry ({_known_list(registry)}), and its descriptor "
        f"would come unauthenticated from {base}; use an https:// address, pin the hash of its "
        "datapackage.json (--descriptor-sha256), or upgrade china-ai-landscape"
    )


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _read_release_descriptor(path: Path, version: str) -> dict:
    """The cached release descriptor; a broken or mismatched one is removed, never kept."""
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
            raise ValueError("not a data package descriptor")
    except (ValueError, UnicodeDecodeError) as exc:
        path.unlink(missing_ok=True)
        raise DatasetError(f"{path.name} of release {version}: not a valid descriptor ({exc}); it was not kept", exit_code=1) from None
    if descriptor.get("version") != version:
        path.unlink(missing_ok=True)
        raise DatasetError(f"{path.name} of release {version} says it is version {descriptor.get('version')!r}; "
                           "it was not kept", exit_code=1)
    return descriptor


def _records_from_descriptor(descriptor: dict) -> dict[str, FileRecord]:
    """Expected size and hash of each table file, from the descriptor's ``bytes`` and ``hash``."""
    records = {}
    database = descriptor.get("database")
    entries = [(None, database)] if isinstance(database, dict) else []
    for resource in descriptor["resources"]:
        entries += [(resource, resource), (resource, resource.get("parquet") or {})]
    for resource, entry in entries:
        algorithm, _, digest = str(entry.get("hash", "")).partition(":")
        if "path" not in entry or algorithm != "sha256" or len(digest) != 64:
            owner = "the database" if resource is None else f"resource {resource.get('name')!r}"
            raise DatasetError(f"release descriptor: {owner} gives no sha256 hash for "
                               f"{entry.get('path')!r}; files cannot be verified", exit_code=1)
        records[entry["path"]] = FileRecord(int(entry.get("bytes", -1)), digest.lower())
    return records
