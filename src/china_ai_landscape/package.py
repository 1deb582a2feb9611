"""Where the shipped data package lives, and reading its descriptor and Table Schemas.

In a wheel, ``datapackage.json``, ``data/`` and ``schemas/`` are copied into
``china_ai_landscape/_package/``; in a source checkout they sit at the repository top
level. ``package_root()`` is the only place that knows this.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path, PurePosixPath

from .errors import DatasetError, UnsafePathError

DESCRIPTOR_NAME = "datapackage.json"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Deeply nested JSON makes the parser recurse; a descriptor or schema never needs this much.
MAX_JSON_BYTES = 64 << 20


@lru_cache(maxsize=1)
def package_root() -> Path:
    """Folder holding the shipped ``datapackage.json``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_package", here.parent.parent):
        if (candidate / DESCRIPTOR_NAME).is_file():
            return candidate
    raise DatasetError("the shipped data package is missing: reinstall china-ai-landscape")


def path_problem(path: str) -> str | None:
    """Why a path string is unsafe to read ("remote", "absolute", "traversal"), or None.

    This looks at the text only; ``resolve_inside`` also follows symlinks.
    """
    if _URL.match(path):
        return "remote"
    posix = PurePosixPath(path.replace("\\", "/"))
    if posix.is_absolute() or re.match(r"^[A-Za-z]:", path):
        return "absolute"
    if ".." in posix.parts:
        return "traversal"
    return None


def resolve_inside(root: Path, path: str, what: str = "resource path") -> Path:
    """The real location of ``path`` under ``root``, refusing anything outside the package.

    The one place every reader goes through (validate, load, diff, publish): absolute paths,
    ``..``, URLs and symlinks that lead out of ``root`` raise UnsafePathError, and the file
    is never opened. Symlinks that stay inside the package are followed.
    """
    if not isinstance(path, str) or not path:
        raise UnsafePathError(f"{what} must be a non-empty string", problem="invalid")
    problem = path_problem(path)
    if problem == "remote":
        raise UnsafePathError(f'{what} "{path}" is a remote URL; it is not fetched unless you pass --allow-remote '
                              "(or put the file inside the package)", problem=problem)
    if problem:
        where = "an absolute path" if problem == "absolute" else "outside the package (..)"
        raise UnsafePathError(f'{what} "{path}" is {where}: use a relative path inside the package folder, '
                              "such as data/<table>.csv", problem=problem)
    base = root.resolve()
    try:
        real = (base / path).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise UnsafePathError(f'{what} "{path}" cannot be resolved ({exc.__class__.__name__}): '
                              "replace the symlink with the file", problem="symlink") from None
    if not real.is_relative_to(base):
        raise UnsafePathError(f'{what} "{path}" is a symlink that leads outside the package: '
                              "replace it with the file itself (it is not read)", problem="symlink")
    return real


def _parse_json(text: str, path) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise DatasetError(f"{path}: JSON nested too deeply to be a descriptor or schema") from None


YAML_SUFFIXES = (".yaml", ".yml")


def _parse_yaml(text: str, path) -> object:
    try:
        import yaml
    except ImportError:
        raise DatasetError(f"{path}: reading YAML needs PyYAML: pip install pyyaml") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
        raise DatasetError(f"{path}: invalid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise DatasetError(f"{path}: YAML nested too deeply to be a descriptor or schema") from None


def flat_dialect(dialect: dict) -> dict:
    """A Table Dialect with frictionless's own nesting of CSV options (``{"csv": {...}}``) undone."""
    nested = dialect.get("csv")
    if not isinstance(nested, dict):
        return dialect
    return {**nested, **{k: v for k, v in dialect.items() if k != "csv"}}


def read_json(path: Path) -> dict:
    """Parse a JSON (or, by its suffix, YAML) file; every failure is a DatasetError naming the file."""
    path = Path(path)
    try:
        if path.is_dir():
            raise DatasetError(f"{path}: is a folder, not a JSON file")
        if path.stat().st_size > MAX_JSON_BYTES:
            raise DatasetError(f"{path}: larger than {MAX_JSON_BYTES >> 20} MiB, too large for a descriptor or schema")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except PermissionError:
        raise DatasetError(f"{path}: permission denied") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read ({exc.strerror or exc.__class__.__name__})") from None
    value = _parse_yaml(text, path) if path.suffix.lower() in YAML_SUFFIXES else _parse_json(text, path)
    if not isinstance(value, dict):
        raise DatasetError(f"{path}: expected an object (a mapping) at the top level")
    return value


class DataPackage:
    """A data package on disk: its descriptor, resources and their Table Schemas."""

    def __init__(self, descriptor_path: Path | str):
        path = Path(descriptor_path)
        if path.is_dir():
            candidates = [path / DESCRIPTOR_NAME] + [path / f"datapackage{suffix}" for suffix in YAML_SUFFIXES]
            path = next((c for c in candidates if c.is_file()), candidates[0])
        self.path = path
        self.root = path.parent
        if path.is_symlink():
            resolve_inside(self.root, path.name, what="descriptor")
        self.descriptor = read_json(path)

    @classmethod
    def in_memory(cls, descriptor: dict, root: Path | str) -> "DataPackage":
        """A package whose descriptor is given (not read), with paths relative to ``root``."""
        package = cls.__new__(cls)
        package.root = Path(root)
        package.path = package.root / DESCRIPTOR_NAME
        package.descriptor = descriptor
        return package

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
            schema = read_json(self.resolve(schema, what=f"schema path of {name!r}"))
        if not isinstance(schema, dict):
            raise DatasetError(f"{self.path}: resource {name!r} has no Table Schema, so its column types are unknown: "
                               "add one to read it typed ('dataset validate' infers the types to check it)")
        fields = schema.get("fields")
        if not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields):
            raise DatasetError(f"{self.path}: the schema of {name!r} needs a \"fields\" list whose every field "
                               "has a \"name\": run 'dataset validate' for details")
        return schema

    def dialect(self, name: str) -> dict:
        """The Table Dialect of a resource, inline or from its dialect file ({} when it has none)."""
        dialect = self.resource(name).get("dialect")
        if isinstance(dialect, str):
            dialect = read_json(self.resolve(dialect, what=f"dialect path of {name!r}"))
        if dialect is None:
            return {}
        if not isinstance(dialect, dict):
            raise DatasetError(f"{self.path}: the dialect of {name!r} must be an object: run 'dataset validate' for details")
        return flat_dialect(dialect)

    def resolve(self, path: str, what: str = "resource path") -> Path:
        """A path of the descriptor, resolved safely inside the package (see resolve_inside)."""
        return resolve_inside(self.root, path, what=what)

    def data_path(self, name: str) -> Path:
        path = self.resource(name).get("path")
        if not isinstance(path, str):
            raise DatasetError(f"{self.path}: resource {name!r} needs a single local 'path'")
        return self.resolve(path, what=f"path of {name!r}")


@lru_cache(maxsize=1)
def shipped() -> DataPackage:
    """The data package installed with this library."""
    return DataPackage(package_root() / DESCRIPTOR_NAME)
