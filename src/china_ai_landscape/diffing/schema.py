"""Schema and descriptor changes between two data packages, each with the bump it requires.

A constraint is *tightened* when data valid before could fail after (required or unique
added, enum values removed, a minimum raised, a maximum lowered, a pattern added or
changed...): MAJOR. It is *loosened* when everything valid before stays valid: MINOR.
"""

from __future__ import annotations

from typing import Any

from .model import Change

# Constraints whose bound tightens when it goes up, and those that tighten when it goes down.
RAISING_TIGHTENS = ("minimum", "exclusiveMinimum", "minLength")
LOWERING_TIGHTENS = ("maximum", "exclusiveMaximum", "maxLength")
FLAGS = ("required", "unique")
# Descriptor properties that describe the release itself and change with every version.
RELEASE_PROPERTIES = ("version", "created")
# Resource properties about how a file is stored, not what it holds (a release stores Parquet).
STORAGE_PROPERTIES = ("name", "path", "schema", "format", "mediatype", "scheme", "encoding",
                      "dialect", "hash", "bytes", "compression")
LICENCE_PROPERTIES = ("licenses", "license", "licences")


def descriptor_changes(old: dict, new: dict) -> list[Change]:
    """Package-level changes: licence (MAJOR: re-users must check the new terms), others PATCH."""
    out = []
    for prop in _union(old, new):
        if prop == "resources" or prop.startswith("$") or old.get(prop) == new.get(prop):
            continue
        before, after = old.get(prop), new.get(prop)
        if prop in RELEASE_PROPERTIES:
            out.append(Change(f"descriptor-{prop}", f"{prop}: {_short(before)} → {_short(after)}", "none", old=before, new=after))
        elif prop in LICENCE_PROPERTIES:
            out.append(Change("licence-changed", f"licence changed: {_licences(before)} → {_licences(after)}", "major",
                              old=before, new=after))
        else:
            out.append(Change("descriptor-changed", f"package {prop} changed", "patch", old=before, new=after))
    return out


def resource_changes(name: str, old: dict, new: dict) -> list[Change]:
    """Table-level descriptor changes (title, description...): PATCH."""
    return [
        Change("resource-changed", f"{name}: {prop} changed", "patch", table=name, old=old.get(prop), new=new.get(prop))
        for prop in _union(old, new)
        if prop not in STORAGE_PROPERTIES and old.get(prop) != new.get(prop)
    ]


def schema_changes(table: str, old: dict, new: dict) -> list[Change]:
    """Every difference between two Table Schemas of one table."""
    old_fields = {f["name"]: f for f in old.get("fields", [])}
    new_fields = {f["name"]: f for f in new.get("fields", [])}
    out = _added_removed_renamed(table, old.get("fields", []), new.get("fields", []))
    for name in (n for n in new_fields if n in old_fields):
        out += field_changes(table, old_fields[name], new_fields[name])
    shared_old = [n for n in old_fields if n in new_fields]
    shared_new = [n for n in new_fields if n in old_fields]
    if shared_old != shared_new:
        out.append(Change("fields-reordered", f"{table}: fields reordered", "patch", table=table, old=shared_old, new=shared_new))
    out += _key_changes(table, old, new)
    if old.get("missingValues", [""]) != new.get("missingValues", [""]):
        out.append(Change("missing-values-changed", f"{table}: missingValues changed", "patch", table=table,
                          old=old.get("missingValues", [""]), new=new.get("missingValues", [""])))
    return out


def _added_removed_renamed(table: str, old_fields: list[dict], new_fields: list[dict]) -> list[Change]:
    old_names = [f["name"] for f in old_fields]
    new_names = [f["name"] for f in new_fields]
    removed = [f for f in old_fields if f["name"] not in new_names]
    added = [f for f in new_fields if f["name"] not in old_names]
    out = []
    # A field that disappears where another of the same type appears, at the same position,
    # was probably renamed: say so, rather than listing an unrelated removal and addition.
    renamed = {}
    for gone in removed:
        position = old_names.index(gone["name"])
        for came in added:
            if new_names.index(came["name"]) == position and _type(came) == _type(gone) and came["name"] not in renamed.values():
                renamed[gone["name"]] = came["name"]
    for gone in removed:
        name = gone["name"]
        if name in renamed:
            out.append(Change("field-renamed", f"{table}.{name}: field removed or renamed to {renamed[name]}", "major", table=table,
                              field=name, old=name, new=renamed[name]))
        else:
            out.append(Change("field-removed", f"{table}.{name}: field removed", "major", table=table, field=name))
    for came in added:
        if came["name"] not in renamed.values():
            out.append(Change("field-added", f"{table}.{came['name']}: field added ({_type(came)})", "minor",
                              table=table, field=came["name"], new=_type(came)))
    return out


def field_changes(table: str, old: dict, new: dict) -> list[Change]:
    """Type, format, constraint and documentation changes of one field."""
    where = f"{table}.{new['name']}"
    out = []
    if _type(old) != _type(new):
        out.append(Change("type-changed", f"{where}: type changed {_type(old)} → {_type(new)}", "major",
                          table=table, field=new["name"], old=_type(old), new=_type(new)))
    if old.get("format", "default") != new.get("format", "default"):
        loosened = new.get("format", "default") == "default"
        out.append(_constraint(table, new["name"], "format", old.get("format"), new.get("format"), not loosened,
                               f"format {_short(old.get('format', 'default'))} → {_short(new.get('format', 'default'))}"))
    old_c, new_c = old.get("constraints", {}), new.get("constraints", {})
    for name in _union(old_c, new_c):
        if old_c.get(name) != new_c.get(name):
            change = constraint_change(table, new["name"], name, old_c.get(name), new_c.get(name))
            if change is not None:
                out.append(change)
    for prop in _union(old, new):
        if prop not in ("name", "type", "itemType", "format", "constraints") and old.get(prop) != new.get(prop):
            out.append(Change("field-documentation-changed", f"{where}: {prop} changed", "patch", table=table,
                              field=new["name"], old=old.get(prop), new=new.get(prop)))
    return out


def constraint_change(table: str, field: str, name: str, before: Any, after: Any) -> Change | None:
    """Whether one constraint was tightened or loosened, or None when it means the same."""
    if name in FLAGS:
        if bool(before) == bool(after):
            return None
        tightened = bool(after)
        text = f"now {name}" if tightened else f"no longer {name}"
    elif name == "enum":
        gone = [v for v in before or [] if v not in (after or [])]
        came = [v for v in after or [] if v not in (before or [])]
        if before is not None and after is not None and not gone and not came:
            return None  # same values in another order
        tightened = after is not None and (before is None or bool(gone))
        text = _enum_text(before, after, gone, came)
    elif before is None or after is None:
        tightened = after is not None
        text = f"{name} added ({_short(after)})" if tightened else f"{name} removed (was {_short(before)})"
    elif name in RAISING_TIGHTENS + LOWERING_TIGHTENS:
        try:
            raised = after > before
        except TypeError:  # bounds of different kinds: assume old data could fail
            raised = name in RAISING_TIGHTENS
        tightened = raised == (name in RAISING_TIGHTENS)
        text = f"{name} {'raised' if raised else 'lowered'} {_short(before)} → {_short(after)}"
    else:  # pattern and any other constraint: a changed rule may reject old data
        tightened = True
        text = f"{name} changed {_short(before)} → {_short(after)}"
    return _constraint(table, field, name, before, after, tightened, text)


def _constraint(table, field, name, before, after, tightened: bool, text: str) -> Change:
    word = "tightened" if tightened else "loosened"
    return Change(f"constraint-{word}", f"{table}.{field}: {text} ({word})", "major" if tightened else "minor",
                  table=table, field=field, old={name: before}, new={name: after})


def _enum_text(before, after, gone, came) -> str:
    if before is None:
        return f"enum added ({', '.join(map(_short, after))})"
    if after is None:
        return "enum removed"
    parts = []
    if gone:
        parts.append("removed " + ", ".join(map(_short, gone)))
    if came:
        parts.append("added " + ", ".join(map(_short, came)))
    return "enum values " + "; ".join(parts)


def _key_changes(table: str, old: dict, new: dict) -> list[Change]:
    out = []
    old_pk, new_pk = primary_key(old), primary_key(new)
    if old_pk != new_pk:
        out.append(Change("primary-key-changed", f"{table}: primary key changed {_fields(old_pk)} → {_fields(new_pk)}",
                          "major", table=table, old=old_pk, new=new_pk))
    for prop, kind, normal in (("foreignKeys", "foreign-key", _foreign_key), ("uniqueKeys", "unique-key", _unique_key)):
        before = {normal(k): k for k in old.get(prop, [])}
        after = {normal(k): k for k in new.get(prop, [])}
        for k in after.keys() - before.keys():
            out.append(Change(f"{kind}-added", f"{table}: {kind.replace('-', ' ')} added {_describe_key(k)} (old data could fail)",
                              "major", table=table, new=after[k]))
        for k in before.keys() - after.keys():
            out.append(Change(f"{kind}-removed", f"{table}: {kind.replace('-', ' ')} removed {_describe_key(k)}",
                              "minor", table=table, old=before[k]))
    return out


def primary_key(schema: dict) -> list[str]:
    key = schema.get("primaryKey") or []
    return [key] if isinstance(key, str) else list(key)


def _foreign_key(fk: dict) -> tuple:
    ref = fk.get("reference", {})
    as_list = lambda v: (v,) if isinstance(v, str) else tuple(v or ())  # noqa: E731
    return as_list(fk.get("fields")), ref.get("resource", ""), as_list(ref.get("fields"))


def _unique_key(key) -> tuple:
    return ((key,) if isinstance(key, str) else tuple(key)), "", ()


def _describe_key(k: tuple) -> str:
    fields, resource, ref = k
    return _fields(list(fields)) + (f" → {resource or '(self)'}{_fields(list(ref))}" if ref else "")


def _type(field: dict) -> str:
    kind = field.get("type", "any")
    return f"list<{field.get('itemType', 'string')}>" if kind == "list" else kind


def _fields(names: list[str]) -> str:
    return "(" + ", ".join(names) + ")"


def _licences(value) -> str:
    items = value if isinstance(value, list) else [value]
    return ", ".join(str(i.get("name") or i.get("path") or i) if isinstance(i, dict) else str(i) for i in items if i) or "none"


def _short(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _union(a: dict, b: dict) -> list[str]:
    return list(a) + [k for k in b if k not in a]
