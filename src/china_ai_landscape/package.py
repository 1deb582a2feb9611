"""Where the shipped data package lives, and reading its descriptor and Table Schemas.

In a wheel, ``datapackage.json``, ``data/`` and ``schemas/`` are copied into
``china_ai_landscape/_package/``; in a source checkout they sit at the repository top
level. ``package_root()`` is the only place that knows this.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .errors import DatasetError

DESCRIPTOR_NAME = "datapackage.json"


@lru_cache(maxsize=1)
def package_root() -> Path:
    """Folder holding the shipped ``datapackage.json``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_package", here.parent.parent):
        if (candidate / DESCRIPTOR_NAME).is_file():
            return candidate
    raise DatasetError("the shipped data package is missing: reinstall china-ai-landscape")


def read_json(path: Path) -> dict:
    """Parse a JSON file, turning every failure into a DatasetError naming the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot be read ({exc})") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(value, dict):
        raise DatasetError(f"{path}: expected a JSON object at the top level")
    return value


class DataPackage:
    """A data package on disk: its descriptor, resources and their Table Schemas."""

    def __init__(self, descriptor_path: Path | str):
        path = Path(descriptor_path)
        if path.is_dir():
            path = path / DESCRIPTOR_NAME
        self.path = path
        self.root = path.parent
        self.descriptor = read_json(path)

    @property
    def version(self) -> str | None:
        return self.descriptor.get("version")

    def resources(self) -> list[dict]:
        resources = self.descriptor.get("resources")
        if not isinstance(resources, list):
            raise DatasetError(f"{self.path}: 'resources' must be a list")
        return resources

    def table_names(self) -> list[str]:
        return [r.get("name") for r in self.resources()]

    def resource(self, name: str) -> dict:
        for res in self.resources():
            if res.get("name") == name:
                return res
        valid = ", ".join(self.table_names())
        raise DatasetError(f"unknown table {name!r}; valid tables: {valid}")

    def schema(self, name: str) -> dict:
        """The Table Schema of a resource, inline or from its schema file."""
        schema = self.resource(name).get("schema")
        if isinstance(schema, str):
            return read_json(self.root / schema)
        if isinstance(schema, dict):
            return schema
        raise DatasetError(f"{self.path}: resource {name!r} has no schema")

    def data_path(self, name: str) -> Path:
        path = self.resource(name).get("path")
        if not isinstance(path, str):
            raise DatasetError(f"{self.path}: resource {name!r} needs a single local 'path'")
        return self.root / path


@lru_cache(maxsize=1)
def shipped() -> DataPackage:
    """The data package installed with this library."""
    return DataPackage(package_root() / DESCRIPTOR_NAME)
