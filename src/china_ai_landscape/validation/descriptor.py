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
from collections import Counter
from pathlib import Path, PurePosixPath

from ..errors import DatasetError, UnsafePathError
from ..package import DataPackage, flat_dialect, path_problem, read_json
from .findings import Finding
from ..resource_bytes import COMPRESSIONS, Resource, compression_of, inline_csv, read_remote
from ..typed_csv import with_format_defaults

LAYER = "descriptor"
_TABULAR_FORMATS = {"csv", "tsv"}


def resource_dicts(package: DataPackage) -> list[dict]:
    """The descriptor's resources that are objects (anything else is reported by resolve())."""
    raw = package.descriptor.get("resources")
    return [r for r in raw if isinstance(r, dict)] if isinstance(raw, list) else []


def key_fields(value) -> list[str]:
    """A primaryKey or foreign key ``fields`` as a list of names (a string is one name)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _field_names(schema: dict) -> set[str]:
    return {f["name"] for f in schema.get("fields", []) if isinstance(f, dict) and isinstance(f.get("name"), str)}


def _finding(code: str, message: str, table: str | None = None, field: str | None = None,
             severity: str = "error", file: str | None = None) -> Finding:
    return Finding(code=code, message=message, table=table, field=field, layer=LAYER,
                   severity=severity, file=file)


def _unsafe_path_finding(error: UnsafePathError, name: str) -> Finding:
    code = "remote-path" if error.problem == "remote" else "unsafe-path"
    return _finding(code, str(error), table=name)


def _local(package: DataPackage, path: str, name: str, what: str) -> tuple[Path | None, Finding | None]:
    """The safe location of a local path, or the finding that says why it is not read."""
    try:
        return package.resolve(path, what=what), None
    except UnsafePathError as error:
        return None, _unsafe_path_finding(error, name)


def _load_schema(package: DataPackage, name: str, schema, allow_remote: bool) -> tuple[dict | None, list[Finding]]:
    if isinstance(schema, dict):
        return _checked_schema(schema, None, name)
    if not isinstance(schema, str):
        return None, [_finding("schema-error", f'resource "{name}" has no Table Schema: add "schema": "schemas/{name}.json"', table=name)]
    if path_problem(schema) == "remote" and allow_remote:
        try:
            text = read_remote(schema).decode("utf-8", errors="replace")
        except DatasetError as exc:  # one remote schema failing is a finding for its resource
            return None, [_finding("schema-error", str(exc), table=name, file=schema)]
    else:
        path, unsafe = _local(package, schema, name, "schema path")
        if unsafe:
            return None, [unsafe]
        if not path.is_file():
            state = "is a folder, not a file" if path.is_dir() else "does not exist"
            return None, [_finding("schema-error", f'schema file "{schema}" {state}: create it or fix the "schema" path', table=name, file=schema)]
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError as exc:
            return None, [_finding("schema-error", f'schema file "{schema}" cannot be read ({exc.strerror or exc.__class__.__name__})', table=name, file=schema)]
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [_finding("schema-error", f'schema file "{schema}" is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})', table=name, file=schema)]
    except RecursionError:
        return None, [_finding("schema-error", f'schema file "{schema}" is nested too deeply to be a Table Schema', table=name, file=schema)]
    return _checked_schema(value, schema if isinstance(schema, str) else None, name)


# Field properties the readers use, with the type each must have; others are left alone.
_FIELD_PROPERTIES = {"type": str, "format": str, "constraints": dict, "trueValues": list, "falseValues": list,
                     "decimalChar": str, "groupChar": str, "bareNumber": bool, "delimiter": str, "itemType": str,
                     "description": str, "missingValues": list}
_TYPE_NAMES = {str: "a string", dict: "an object", list: "a list", bool: "true or false"}
_RESERVED = {"__row", "__line", "__blank"}  # the tables layer's own columns


def _checked_schema(value, file: str | None, name: str) -> tuple[dict | None, list[Finding]]:
    """A schema the readers can use: fields that are objects with a name, and properties of the
    right JSON type. A property of the wrong type is dropped with a finding (the descriptor
    layer's profile check says the same in the standard's words)."""
    what = f'schema file "{file}"' if file else f'the inline schema of "{name}"'
    if not isinstance(value, dict) or not isinstance(value.get("fields"), list):
        return None, [_finding("schema-error", f'{what} must be an object with a "fields" list', table=name, file=file)]
    problems = []
    fields = []
    seen: set[str] = set()
    for index, field in enumerate(value["fields"]):
        if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not field["name"]:
            return None, [_finding("schema-error", f'{what}: field #{index + 1} needs a "name" (a non-empty string)', table=name, file=file)]
        if field["name"] in seen:
            return None, [_finding("schema-error", f'{what}: two fields are named "{field["name"]}"; field names must be unique',
                                   table=name, field=field["name"], file=file)]
        if field["name"] in _RESERVED or field["name"].startswith("__"):
            return None, [_finding("schema-error", f'{what}: the field name "{field["name"]}" is reserved by this validator '
                                   "(names starting with two underscores)", table=name, field=field["name"], file=file)]
        seen.add(field["name"])
        field = dict(field)
        for key, kind in _FIELD_PROPERTIES.items():
            if key in field and not isinstance(field[key], kind):
                problems.append(_finding("schema-error", f'{what}: "{key}" of field "{field["name"]}" must be {_TYPE_NAMES[kind]}; '
                                         "it is ignored", table=name, field=field["name"], file=file))
                del field[key]
        for key in ("trueValues", "falseValues", "missingValues"):
            if key in field and not all(isinstance(v, str) for v in field[key]):
                field[key] = [v for v in field[key] if isinstance(v, str)]
        fields.append(field)
    schema = {**value, "fields": fields}
    if "missingValues" in schema:
        missing = schema["missingValues"]
        schema["missingValues"] = [v for v in missing if isinstance(v, str)] if isinstance(missing, list) else [""]
    if "primaryKey" in schema:
        schema["primaryKey"] = key_fields(schema["primaryKey"])
    if "foreignKeys" in schema:
        foreign = schema["foreignKeys"] if isinstance(schema["foreignKeys"], list) else []
        schema["foreignKeys"] = [_usable_foreign_key(fk) for fk in foreign if isinstance(fk, dict)]
    return schema, problems


def _usable_foreign_key(fk: dict) -> dict:
    ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
    resource = ref.get("resource") if isinstance(ref.get("resource"), str) else ""
    return {"fields": key_fields(fk.get("fields")), "reference": {"resource": resource, "fields": key_fields(ref.get("fields"))}}


def _load_dialect(package: DataPackage, name: str, dialect, allow_remote: bool = False) -> tuple[dict, Finding | None]:
    """A resource's Table Dialect: inline, from a JSON/YAML file inside the package, or (when
    remote data is allowed) from a URL."""
    if dialect is None or isinstance(dialect, dict):
        return flat_dialect(dialect or {}), None
    if not isinstance(dialect, str):
        return {}, _finding("dialect-error", f'the dialect of "{name}" must be an object or a path to one', table=name)
    try:
        if path_problem(dialect) == "remote" and allow_remote:
            loaded = json.loads(read_remote(dialect).decode("utf-8"))
        else:
            location, unsafe = _local(package, dialect, name, "dialect path")
            if unsafe:
                return {}, unsafe
            loaded = read_json(location)
    except (ValueError, RecursionError) as exc:
        return {}, _finding("dialect-error", f"the dialect of \"{name}\" is not valid JSON ({exc})", table=name, file=dialect)
    except DatasetError as exc:
        return {}, _finding("dialect-error", f"the dialect of \"{name}\" cannot be read: {exc}", table=name, file=dialect)
    if not isinstance(loaded, dict):
        return {}, _finding("dialect-error", f'the dialect file of "{name}" must hold an object', table=name, file=dialect)
    return flat_dialect(loaded), None


_UNREADABLE = ("encoding-error", "source-error", "scheme-error", "format-error", "compression-error")


def _is_tabular(resource: dict) -> bool:
    path = PurePosixPath(resource["path"])
    if path.suffix.lower() in COMPRESSIONS:
        path = path.with_suffix("")
    fmt = resource.get("format") if isinstance(resource.get("format"), str) else path.suffix.lstrip(".").lower()
    return (fmt or path.suffix.lstrip(".").lower()) in _TABULAR_FORMATS


def resolve(package: DataPackage, allow_remote: bool = False) -> tuple[list[Resource], list[Finding]]:
    """The resources that can be read safely, and findings for those that cannot.

    This always runs (even with the descriptor layer skipped): an unsafe path is never read.
    """
    raw = package.descriptor.get("resources")
    if not isinstance(raw, list) or not raw:
        return [], [_finding("package-error", '"resources" must be a non-empty list of resources')]
    resources: list[Resource] = []
    findings: list[Finding] = []
    for index, res in enumerate(raw):
        if not isinstance(res, dict):
            findings.append(_finding("resource-error", f"resource #{index + 1} must be an object"))
            continue
        resource, problems = _resolve_one(package, res, index, allow_remote)
        findings += problems
        if resource is not None:
            resources.append(resource)
    return resources, findings


def _resolve_one(package: DataPackage, res: dict, index: int, allow_remote: bool) -> tuple[Resource | None, list[Finding]]:
    name = res.get("name") if isinstance(res.get("name"), str) and res.get("name") else f"#{index + 1}"
    path = res.get("path")
    if path is None and "data" in res:
        return _inline_resource(package, res, name)
    parts = path if isinstance(path, list) and path else [path]
    if not all(isinstance(p, str) and p for p in parts):
        return None, [_finding("resource-error", f'resource "{name}" needs a "path" (a string or a list of strings) or inline "data"', table=name)]
    file = parts[0] if len(parts) == 1 else " + ".join(parts)
    locations = []
    for part in parts:
        location, problem = _location(package, part, name, allow_remote)
        if problem is not None:
            return None, [problem]
        locations.append(location)
    if not _is_tabular({**res, "path": parts[0]}):
        return None, [_finding("resource-error", f'resource "{name}" ({file}) is not a CSV table; it is not checked',
                               table=name, severity="warning", file=parts[0])]
    schema, findings = _load_schema(package, name, res.get("schema"), allow_remote)
    dialect, problem = _load_dialect(package, name, res.get("dialect"), allow_remote)
    dialect = with_format_defaults(dialect, res, parts[0])
    encoding = res.get("encoding") if isinstance(res.get("encoding"), str) else "utf-8"
    if schema is None and res.get("schema") is None and problem is None and all(isinstance(x, Path) for x in locations):
        schema, dialect, findings = _inferred(locations[0], name, file, dialect, res.get("encoding"))
    if schema is None or problem is not None:
        return None, findings + ([problem] if problem else [])
    location = locations[0] if len(locations) == 1 else locations
    return Resource(name, file, location, schema, dialect, encoding, compression_of(res, parts[0])), findings


def _location(package: DataPackage, path: str, name: str, allow_remote: bool) -> tuple[Path | str | None, Finding | None]:
    """Where one (part of a) resource's data is, or why it is not read."""
    if path_problem(path) == "remote" and allow_remote:
        return path, None
    location, unsafe = _local(package, path, name, "resource path")
    if unsafe:
        return None, unsafe
    if not location.is_file():
        state = "is a folder, not a file" if location.is_dir() else "does not exist"
        return None, _finding("scheme-error", f'data file "{path}" {state}: add it or fix the resource "path"', table=name, file=path)
    return location, None


def _inferred(location: Path, name: str, file: str, dialect: dict, encoding) -> tuple[dict | None, dict, list[Finding]]:
    """A resource without a schema (the standard allows it): its field types, and the dialect options
    the descriptor leaves open (delimiter, header row, ...), inferred as frictionless infers them, so
    the table is read the way its types were guessed. The encoding is not taken from the guess: the
    table is read as UTF-8 unless the descriptor says otherwise, as the standard says."""
    try:
        from frictionless import Dialect
        from frictionless import Resource as FrictionlessResource

        stated = {"encoding": encoding} if isinstance(encoding, str) else {}
        inferred = FrictionlessResource(path=str(location), dialect=Dialect.from_descriptor(dialect), **stated)
        inferred.infer()
        schema = inferred.schema.to_descriptor()
        found = inferred.dialect.to_descriptor()
    except Exception as exc:  # noqa: BLE001 (frictionless cannot read the data: say why, as it would)
        error = getattr(exc, "error", None)
        code = getattr(error, "type", "")
        code = code if code in _UNREADABLE else "schema-error"
        why = getattr(error, "note", "") or type(exc).__name__
        return None, dialect, [_finding(code, f'resource "{name}" has no schema, and its data cannot be read to infer one: {why}',
                                        table=name, file=file)]
    return schema, {**flat_dialect(found), **dialect}, [_finding(
        "schema-inferred", f'resource "{name}" has no Table Schema: its field types (and the dialect options the descriptor '
        "leaves open) were inferred from the data, as frictionless infers them; add a schema to state them", table=name,
        severity="warning", file=file)]


def _inline_resource(package: DataPackage, res: dict, name: str) -> tuple[Resource | None, list[Finding]]:
    """Inline ``data`` (rows as lists, the first the header, or as objects) read like a CSV file."""
    data = res["data"]
    if not isinstance(data, list) or not all(isinstance(row, (list, dict)) for row in data):
        return None, [_finding("resource-error", f'the inline data of "{name}" must be a list of rows (lists or objects)', table=name)]
    schema, findings = (_load_schema(package, name, res.get("schema"), False) if res.get("schema") is not None
                        else (None, []))
    if schema is None and res.get("schema") is None:
        names = list(data[0]) if data and isinstance(data[0], (list, dict)) else []
        schema = {"fields": [{"name": str(n), "type": "any"} for n in names]}
    if schema is None:
        return None, findings
    return Resource(name, f"{name} (inline data)", inline_csv(data, [f["name"] for f in schema["fields"]]), schema, {},
                    "utf-8"), findings


def _frictionless_findings(package: DataPackage) -> list[Finding]:
    from frictionless import Package, Schema

    findings = []
    seen = set()
    errors = _profile_errors(lambda: Package.validate_descriptor(_without_unsafe_paths(package), basepath=str(package.root)),
                             package.path.name)
    for res in resource_dicts(package):
        schema = res.get("schema")
        location = _safe_file(package, schema)
        if location is not None:
            try:
                loaded = json.loads(location.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError, RecursionError, OSError):
                continue
            compact = _compact(loaded) if isinstance(loaded, dict) else loaded
            for kind, note in _profile_errors(lambda value=compact: Schema.validate_descriptor(value), schema):
                errors.append([kind, f'{schema}: {note}'])
    for kind, note in errors:
        if (kind, note) in seen or re.match(r'^path ".*" is not safe$', note):
            continue  # unsafe paths are reported by resolve(), with a hint
        seen.add((kind, note))
        findings.append(_finding(kind, f"{note} (fix {package.path.name} or the schema file to follow the Data Package standard)"))
    return findings


def _profile_errors(check, what: str) -> list[list[str]]:
    """frictionless's (type, note) errors of a descriptor check; its own failure is one error."""
    try:
        return list(check().flatten(["type", "note"]))
    except RecursionError:
        return [["descriptor-error", f"{what} is nested too deeply to be checked"]]
    except Exception as exc:  # noqa: BLE001 (frictionless chokes on some malformed descriptors)
        return [["descriptor-error", f"{what} cannot be checked against the standard ({type(exc).__name__}: {exc})"]]


def _safe_file(package: DataPackage, path) -> Path | None:
    """The location of a local file the package may read, or None (unsafe, remote or absent)."""
    if not isinstance(path, str):
        return None
    try:
        location = package.resolve(path)
    except UnsafePathError:
        return None
    return location if location.is_file() else None


def _without_unsafe_paths(package: DataPackage) -> dict:
    """A copy frictionless may load: paths it would open are kept only when they are safe."""
    copy = json.loads(json.dumps(package.descriptor))
    for res in copy.get("resources") or []:
        if not isinstance(res, dict):
            continue
        for key in ("schema", "dialect"):
            if isinstance(res.get(key), str) and _safe_file(package, res[key]) is None:
                res.pop(key)
        if isinstance(res.get("schema"), dict):
            res["schema"] = _compact(res["schema"])
    return copy


COMPACT_ABOVE = 200  # fields; a wider schema is checked with one field of each definition


def _compact(schema: dict) -> dict:
    """A wide schema with its repeated field definitions (same properties but the name) kept
    once, for frictionless's descriptor check, which takes about 0.1 ms a field: every field
    whose name is repeated or used by a key is kept, so nothing it reports is lost."""
    fields = schema.get("fields")
    if not isinstance(fields, list) or len(fields) <= COMPACT_ABOVE:
        return schema
    names = Counter(f.get("name") for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str))
    keep = {n for n, count in names.items() if count > 1} | set(key_fields(schema.get("primaryKey")))
    for fk in schema.get("foreignKeys") if isinstance(schema.get("foreignKeys"), list) else []:
        keep |= set(key_fields(fk.get("fields") if isinstance(fk, dict) else None))
    seen, out = set(), []
    for f in fields:
        if isinstance(f, dict) and isinstance(f.get("name"), str) and f["name"] not in keep:
            definition = json.dumps({k: v for k, v in f.items() if k != "name"}, sort_keys=True, default=str)
            if definition in seen:
                continue
            seen.add(definition)
        out.append(f)
    return {**schema, "fields": out}


def _key_findings(package: DataPackage, resources: list[Resource]) -> list[Finding]:
    """primaryKey and foreignKeys must name real fields and resources."""
    by_name = {r.name: r for r in resources}
    declared = {r.get("name") for r in resource_dicts(package) if isinstance(r.get("name"), str)}
    findings = []
    for res in resources:
        names = _field_names(res.schema)
        for key in key_fields(res.schema.get("primaryKey")):
            if key not in names:
                findings.append(_finding("schema-error", f'primaryKey names "{key}", which is not a field of {res.name}', table=res.name))
        foreign_keys = res.schema.get("foreignKeys")
        for fk in foreign_keys if isinstance(foreign_keys, list) else []:
            if not isinstance(fk, dict):
                findings.append(_finding("schema-error", f"a foreign key of {res.name} is not an object", table=res.name))
                continue
            fields = key_fields(fk.get("fields"))
            ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
            target = ref.get("resource") if isinstance(ref.get("resource"), str) and ref.get("resource") else res.name
            ref_fields = key_fields(ref.get("fields"))
            for key in fields:
                if key not in names:
                    findings.append(_finding("schema-error", f'foreign key field "{key}" is not a field of {res.name}', table=res.name))
            if target not in declared:
                findings.append(_finding("schema-error", f'foreign key {fields} points to resource "{target}", which the package does not have', table=res.name))
                continue
            if target not in by_name:
                continue  # its data or schema cannot be read: reported already
            target_names = _field_names(by_name[target].schema)
            for key in ref_fields:
                if key not in target_names:
                    findings.append(_finding("schema-error", f'foreign key points to "{target}.{key}", which is not a field', table=res.name))
            if len(ref_fields) != len(fields):
                findings.append(_finding("schema-error", f"foreign key {fields} and its reference {ref_fields} differ in length", table=res.name))
    return findings


def _integrity_findings(package: DataPackage, resources: list[Resource]) -> list[Finding]:
    """The bytes and hash a resource states must match its file."""
    stated = {r.get("name"): r for r in resource_dicts(package) if isinstance(r.get("name"), str)}
    findings = []
    for res in resources:
        if not isinstance(res.location, Path):
            continue  # remote, multipart or inline: no single local file to measure
        entry = stated.get(res.name, {})
        if isinstance(entry.get("bytes"), int) and not isinstance(entry.get("bytes"), bool):
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
            try:
                actual = hashlib.new(algorithm, res.location.read_bytes()).hexdigest()
            except (OSError, TypeError, ValueError):  # unreadable (reported by the tables layer), or a keyed hash
                continue
            if actual != expected.lower():
                findings.append(_finding("hash-count", f"{res.file} has {algorithm} {actual} but the descriptor says {expected}: "
                                         "update \"hash\" (or restore the file)", table=res.name, file=res.file))
    return findings


def check(package: DataPackage, resources: list[Resource]) -> list[Finding]:
    """Findings of the descriptor layer (resolution findings are added by the caller)."""
    return _frictionless_findings(package) + _key_findings(package, resources) + _integrity_findings(package, resources)
