"""A data package whose descriptor is given as a URL (read only when the user allows remote data).

The descriptor is downloaded (JSON, or YAML by its suffix) and its relative paths (resource
paths, schema and dialect files) are made absolute against the descriptor's URL, so they are
read as remote resources, each failure one finding. A relative path that is not safe
(absolute, ``..``) is left as it is and reported as unsafe like any other.
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import Iterator
from urllib.parse import urljoin, urlsplit

from .errors import DatasetError
from .package import MAX_JSON_BYTES, YAML_SUFFIXES, DataPackage, _parse_json, _parse_yaml, path_problem


def is_url(path) -> bool:
    return isinstance(path, str) and urlsplit(path).scheme in ("http", "https")


def _download(url: str) -> str:
    from .resource_bytes import read_remote

    data = read_remote(url, MAX_JSON_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{url}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None


def _absolute(value, base: str):
    """A descriptor path made absolute against ``base`` when it is relative and safe."""
    if isinstance(value, str) and path_problem(value) is None:
        return urljoin(base, value)
    return value


def with_absolute_paths(descriptor: dict, base: str) -> dict:
    """A copy of ``descriptor`` whose safe relative paths point under ``base``."""
    resources = []
    for res in descriptor.get("resources") if isinstance(descriptor.get("resources"), list) else []:
        if isinstance(res, dict):
            res = dict(res)
            if isinstance(res.get("path"), list):
                res["path"] = [_absolute(p, base) for p in res["path"]]
            for key in ("path", "schema", "dialect"):
                if isinstance(res.get(key), str):
                    res[key] = _absolute(res[key], base)
        resources.append(res)
    return {**descriptor, "resources": resources} if "resources" in descriptor else descriptor


@contextmanager
def remote(url: str) -> Iterator[DataPackage]:
    """The package described at ``url``, its paths made remote; local paths resolve in an empty folder."""
    text = _download(url)
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    descriptor = _parse_yaml(text, url) if suffix in YAML_SUFFIXES else _parse_json(text, url)
    if not isinstance(descriptor, dict):
        raise DatasetError(f"{url}: a data package descriptor must be a JSON object")
    with tempfile.TemporaryDirectory(prefix="dataset-remote-") as empty:
        yield DataPackage.in_memory(with_absolute_paths(descriptor, url), empty)
