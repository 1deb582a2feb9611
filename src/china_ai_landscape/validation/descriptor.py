"""The ``descriptor`` layer: the datapackage.json and its Table Schemas.

frictionless checks the descriptor against the Data Package profile and each Table Schema
against the Table Schema profile. This module adds what a reader of the files needs to be
safe and what frictionless leaves to the data step: resource paths that stay inside the
package (no ``..``, no absolute paths, no remote URLs unless allowed), files that exist,
keys that name real fields and resources, and the ``bytes`` and ``hash`` the descriptor
states.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..package import DataPackage
from .findings import Finding

LAYER = "descriptor"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_TABULAR_FORMATS = {"csv", "tsv"}


@dataclass
class Resource:
    """A tabular resource the tables layer can read: where its data is and its schema."""

    name: str
    file: str  # the path as the descriptor states it, for messages and annotations
    location: Path | str  # a local Path, or a URL when remote paths are allowed
    schema: dict
    dialect: dict
    encoding: str

    @property
    def is_remote(self) -> bool:
        return isinstance(self.location, str)


def _finding(code: str, message: str, table: str | None = None, field: str | None = None,
             severity: str = "error", file: str | None = None) -> Finding:
    return Finding(code=code, message=message, table=table, field=field, layer=LAYER,
                   severity=severity, file=file)


def path_problem(path: str) -> str | None:
    """Why a resource path is unsafe to read, or None when it stays inside the package."""
    if _URL.match(path):
        return "remote"
    posix = PurePosixPath(path.replace("\\", "/"))
    if posix.is_absolute() or re.match(r"^[A-Za-z]:", path):
        return "absolute"
    if ".." in posix.parts:
        return "traversal"
    return None


def _unsafe_path_finding(problem: str, path: str, name: str, what: str) -> Finding:
    if problem == "remote":
        return _finding("remote-path", f'{what} "{path}" is a remote URL; it is not fetched unless you pass '
                        "--allow-remote (or put the file inside the package)", table=name)
    return _finding("unsafe-path", f'{what} "{path}" is {"an absolute path" if problem == "absolute" else "outside the package (..)"}: '
                    "use a relative path inside the package folder, such as data/<table>.csv", table=name)


def _load_schema(package: DataPackage, name: str, schema, allow_remote: bool) -> tuple[dict | None, list[Finding]]:
    if isinstance(schema, dict):
        return schema, []
    if not isinstance(schema, str):
        return None, [_finding("schema-error", f'resource "{name}" has no Table Schema: add "schema": "schemas/{name}.json"', table=name)]
    problem = path_problem(schema)
    if problem == "remote" and allow_remote:
        from .reading import read_remote

        text = read_remote(schema).decode("utf-8")
    elif problem:
        return None, [_unsafe_path_finding(problem, schema, name, "schema path")]
    else:
        path = package.root / schema
        if not path.is_file():
            return None, [_finding("schema-error", f'schema file "{schema}" does not exist: create it or fix the "schema" path', table=name, file=schema)]
        text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [_finding("schema-error", f'schema file "{schema}" is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})', table=name, file=schema)]
    if not isinstance(value, dict) or not isinstance(value.get("fields"), list):
        return None, [_finding("schema-error", f'schema file "{schema}" must be an object with a "fields" list', table=name, file=schema)]
    return value, []


def _is_tabular(resource: dict) -> bool:
    path = resource.get("path")
    fmt = resource.get("format") or (PurePosixPath(path).suffix.lstrip(".").lower() if isinstance(path, str) else "")
    return fmt in _TABULAR_FORMATS


def resolve(package: DataPackage, allow_remote: bool = False) -> tuple[list[Resource], list[Finding]]:
    """The resources that can be read safely, and findings for those that cannot.

    This always runs (even with the descriptor layer skipped): an unsafe path is never read.
    """
    resources: list[Resource] = []
    findings: list[Finding] = []
    raw = package.descriptor.get("resources")
    if not isinstance(raw, list) or not raw:
        return [], [_finding("package-error", '"resources" must be a non-empty list of resources')]
    for index, res in enumerate(raw):
        if not isinstance(res, dict):
            findings.append(_finding("resource-error", f"resource #{index + 1} must be an object"))
            continue
        name = res.get("name") or f"#{index + 1}"
        path = res.get("path")
        if "data" in res and path is None:
            findings.append(_finding("resource-error", f'resource "{name}" has inline data, which is not checked', table=name, severity="warning"))
            continue
        if not isinstance(path, str):
            findings.append(_finding("resource-error", f'resource "{name}" needs one "path" string (lists of paths are not supported)', table=name))
            continue
        problem = path_problem(path)
        if problem and not (problem == "remote" and allow_remote):
            findings.append(_unsafe_path_finding(problem, path, name, "resource path"))
            continue
        if not _is_tabular(res):
            findings.append(_finding("resource-error", f'resource "{name}" ({path}) is not a CSV table; it is not checked', table=name, severity="warning", file=path))
            continue
        schema, problems = _load_schema(package, name, res.get("schema"), allow_remote)
        findings.extend(problems)
        location: Path | str = path if problem == "remote" else package.root / path
        if isinstance(location, Path) and not location.is_file():
            findings.append(_finding("scheme-error", f'data file "{path}" does not exist: add it or fix the resource "path"', table=name, file=path))
            continue
        if schema is not None:
            dialect = res.get("dialect") if isinstance(res.get("dialect"), dict) else {}
            if res.get("format") == "tsv" or path.endswith(".tsv"):
                dialect = {"delimiter": "\t", **dialect}
            resources.append(Resource(name, path, location, schema, dialect, res.get("encoding") or "utf-8"))
    return resources, findings


def _frictionless_findings(package: DataPackage) -> list[Finding]:
    from frictionless import Package, Schema

    findings = []
    seen = set()
    report = Package.validate_descriptor(_without_unsafe_paths(package.descriptor), basepath=str(package.root))
    errors = list(report.flatten(["type", "note"]))
    for res in package.descriptor.get("resources") or []:
        schema = res.get("schema") if isinstance(res, dict) else None
        if isinstance(schema, str) and not path_problem(schema) and (package.root / schema).is_file():
            try:
                loaded = json.loads((package.root / schema).read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            for kind, note in Schema.validate_descriptor(loaded).flatten(["type", "note"]):
                errors.append([kind, f'{schema}: {note}'])
    for kind, note in errors:
        if (kind, note) in seen or re.match(r'^path ".*" is not safe$', note):
            continue  # unsafe paths are reported by resolve(), with a hint
        seen.add((kind, note))
        findings.append(_finding(kind, f"{note} (fix {package.path.name} or the schema file to follow the Data Package standard)"))
    return findings


def _without_unsafe_paths(descriptor: dict) -> dict:
    """A copy frictionless may load: unsafe paths are reported by us and never opened."""
    copy = json.loads(json.dumps(descriptor))
    for res in copy.get("resources") or []:
        if isinstance(res, dict) and isinstance(res.get("schema"), str) and path_problem(res["schema"]):
            res.pop("schema")
    return copy


def _key_findings(package: DataPackage, resources: list[Resource]) -> list[Finding]:
    """primaryKey and foreignKeys must name real fields and resources."""
    by_name = {r.name: r for r in resources}
    declared = {r.get("name") for r in package.descriptor.get("resources") or [] if isinstance(r, dict)}
    findings = []
    for res in resources:
        names = {f.get("name") for f in res.schema.get("fields", [])}
        pk = res.schema.get("primaryKey") or []
        pk = [pk] if isinstance(pk, str) else pk
        for key in pk:
            if key not in names:
                findings.append(_finding("schema-error", f'primaryKey names "{key}", which is not a field of {res.name}', table=res.name))
        for fk in res.schema.get("foreignKeys") or []:
            fields = fk.get("fields")
            fields = [fields] if isinstance(fields, str) else fields or []
            ref = fk.get("reference") or {}
            target = ref.get("resource") or res.name
            ref_fields = ref.get("fields")
            ref_fields = [ref_fields] if isinstance(ref_fields, str) else ref_fields or []
            for key in fields:
                if key not in names:
                    findings.append(_finding("schema-error", f'foreign key field "{key}" is not a field of {res.name}', table=res.name))
            if target not in declared:
                findings.append(_finding("schema-error", f'foreign key {fields} points to resource "{target}", which the package does not have', table=res.name))
                continue
            if target not in by_name:
                continue  # its data or schema cannot be read: reported already
            target_names = {f.get("name") for f in by_name[target].schema.get("fields", [])}
            for key in ref_fields:
                if key not in target_names:
                    findings.append(_finding("schema-error", f'foreign key points to "{target}.{key}", which is not a field', table=res.name))
            if len(ref_fields) != len(fields):
                findings.append(_finding("schema-error", f"foreign key {fields} and its reference {ref_fields} differ in length", table=res.name))
    return findings


def _integrity_findings(package: DataPackage, resources: list[Resource]) -> list[Finding]:
    """The bytes and hash a resource states must match its file."""
    stated = {r.get("name"): r for r in package.descriptor.get("resources") or [] if isinstance(r, dict)}
    findings = []
    for res in resources:
        if res.is_remote:
            continue
        entry = stated.get(res.name, {})
        if "bytes" in entry:
            size = res.location.stat().st_size
            if size != entry["bytes"]:
                findings.append(_finding("byte-count", f'{res.file} has {size} bytes but the descriptor says {entry["bytes"]}: '
                                         "update \"bytes\" (or restore the file)", table=res.name, file=res.file))
        if "hash" in entry and isinstance(entry["hash"], str):
            algorithm, _, expected = entry["hash"].rpartition(":")
            algorithm = algorithm or "md5"
            if algorithm not in hashlib.algorithms_available:
                findings.append(_finding("hash-count", f'unknown hash algorithm "{algorithm}" in {res.name}.hash', table=res.name))
                continue
            actual = hashlib.new(algorithm, res.location.read_bytes()).hexdigest()
            if actual != expected.lower():
                findings.append(_finding("hash-count", f"{res.file} has {algorithm} {actual} but the descriptor says {expected}: "
                                         "update \"hash\" (or restore the file)", table=res.name, file=res.file))
    return findings


def check(package: DataPackage, resources: list[Resource]) -> list[Finding]:
    """Findings of the descriptor layer (resolution findings are added by the caller)."""
    return _frictionless_findings(package) + _key_findings(package, resources) + _integrity_findings(package, resources)
