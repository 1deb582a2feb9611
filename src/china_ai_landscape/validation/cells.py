"""Table Schema types and constraints as vectorised polars expressions.

Each parser takes an expression of raw strings (missing values already null) and gives
the typed value and whether the cell is a valid value of its type, following what
frictionless accepts (its readers are the reference the conformance tests compare with).
Constraint expressions are True where a typed, present cell breaks the constraint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Callable

import polars as pl

from ..arrow_types import arrow_type
from ..typed_csv import FALSE, NOT_BARE, TRUE

_INT = r"^\s*[+-]?[0-9]+(_[0-9]+)*\s*$"  # what int(cell.strip()) accepts
_DIGITS = r"[0-9]+(_[0-9]+)*"
_NUMBER = rf"^[+-]?(({_DIGITS})(\.({_DIGITS})?)?|\.{_DIGITS})([eE][+-]?{_DIGITS})?$|^(?i)[+-]?(inf|infinity|s?nan)$"
_YEAR_FIRST = r"^[0-9]{4}-"
_URI = r"^[^:/?#]+:"
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_UUID = r"^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"
_STRPTIME_TO_CHRONO = {"%z": "%#z"}
_OFFSET = r"(Z|([+-])([0-9]{2})(?::?([0-9]{2}))?)?"
_ISO_DATETIME = rf"^([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}).([0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}})([.,][0-9]+)?{_OFFSET}$"
_ISO_TIME = rf"^([0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}})([.,][0-9]+)?{_OFFSET}$"

TYPE_HINTS = {
    "integer": "write a whole number without separators or units, e.g. 10000000000000",
    "number": "write a number such as 3.5, without units",
    "boolean": "write true or false",
    "date": "write a real calendar date as YYYY-MM-DD",
    "datetime": "write a date and time as YYYY-MM-DDTHH:MM:SS",
    "time": "write a time as HH:MM:SS",
    "year": "write a four-digit year such as 2023",
    "yearmonth": "write a month as YYYY-MM",
    "object": 'write a JSON object such as {"key": "value"}',
    "array": "write a JSON array such as [1, 2]",
    "duration": "write an ISO 8601 duration such as P1Y2M or PT3H",
    "geopoint": 'write "longitude, latitude" such as "116.39, 39.91"',
    "geojson": 'write a GeoJSON object such as {"type": "Point", "coordinates": [116.39, 39.91]}',
}
FORMAT_HINTS = {
    "uri": "write a full URL with its scheme, such as https://example.com/page",
    "email": "write an e-mail address such as name@example.com",
    "uuid": "write a UUID such as 123e4567-e89b-12d3-a456-426614174000",
    "binary": "write the bytes in base64, such as aGVsbG8=",
}


@dataclass(frozen=True)
class Parsed:
    value: pl.Expr  # typed value, null where missing or invalid
    ok: pl.Expr  # False where a present cell is not a valid value of the type


def polars_dtype(field: dict) -> pl.DataType:
    """The polars type of a field, derived from the one Table Schema → Arrow mapping."""
    return _polars_dtype(field.get("type", "string"), field.get("itemType", "string"))


@lru_cache(maxsize=None)
def _polars_dtype(kind, item_type) -> pl.DataType:
    import pyarrow as pa

    field = {"type": kind, "itemType": item_type} if isinstance(kind, str) and isinstance(item_type, str) else {}
    return pl.from_arrow(pa.nulls(0, type=arrow_type(field))).dtype  # pa.array() would import pandas


def _regex_ok(raw: pl.Expr, pattern: str) -> pl.Expr:
    return raw.str.contains(pattern)


def _parse_integer(raw: pl.Expr, field: dict) -> Parsed:
    """Table Schema integers are unbounded: a valid integer beyond 64 bits is valid (its
    typed value is then null, so range constraints do not see it)."""
    if field.get("bareNumber") is False:
        raw = raw.str.strip_chars().str.replace_all(NOT_BARE, "")
    value = raw.str.replace_all(r"[\s_+]", "").cast(pl.Int64, strict=False)
    return Parsed(value, raw.str.contains(_INT))


def _parse_number(raw: pl.Expr, field: dict) -> Parsed:
    text = raw.str.strip_chars()
    if field.get("bareNumber") is False:
        text = text.str.replace_all(NOT_BARE, "")
    if field.get("groupChar"):
        text = text.str.replace_all(field["groupChar"], "", literal=True)
    decimal = field.get("decimalChar", ".")
    ok = pl.lit(True)
    if decimal != ".":
        ok = ~text.str.contains(".", literal=True)
        text = text.str.replace_all(decimal, ".", literal=True)
    value = text.str.replace_all("_", "").str.strip_prefix("+").cast(pl.Float64, strict=False)
    return Parsed(value, ok & text.str.contains(_NUMBER) & value.is_not_null())


def _parse_boolean(raw: pl.Expr, field: dict) -> Parsed:
    true, false = field.get("trueValues", TRUE), field.get("falseValues", FALSE)
    value = pl.when(raw.is_in(true)).then(True).when(raw.is_in(false)).then(False).otherwise(None)
    return Parsed(value, raw.is_in(true + false))


def _chrono(fmt: str) -> str:
    for python, chrono in _STRPTIME_TO_CHRONO.items():
        fmt = fmt.replace(python, chrono)
    return fmt


def _parse_date(raw: pl.Expr, field: dict) -> Parsed:
    fmt = field.get("format", "default")
    if fmt == "default":
        # chrono reads one-digit months and days as strptime("%Y-%m-%d") does, but also
        # accepts years that are not four digits, which strptime does not
        value = raw.str.to_date("%Y-%m-%d", strict=False)
        return Parsed(value, value.is_not_null() & raw.str.contains(_YEAR_FIRST))
    if fmt == "any":
        value = raw.str.to_date(strict=False)
        return Parsed(value, pl.lit(True))
    value = raw.str.to_date(_chrono(fmt), strict=False)
    return Parsed(value, value.is_not_null())


def _offset_seconds(raw: pl.Expr, pattern: str, sign_group: int) -> pl.Expr:
    """Seconds east of UTC of an ISO 8601 offset (Z, +03, +0300, +03:00); 0 without one."""
    sign = pl.when(raw.str.extract(pattern, sign_group) == "-").then(-1).otherwise(1)
    hours = raw.str.extract(pattern, sign_group + 1).cast(pl.Int64, strict=False).fill_null(0)
    minutes = raw.str.extract(pattern, sign_group + 2).cast(pl.Int64, strict=False).fill_null(0)
    return sign * (hours * 3600 + minutes * 60)


def _parse_datetime(raw: pl.Expr, field: dict) -> Parsed:
    """Default format: ISO 8601 as frictionless reads it (dateutil's isoparse): any one
    separator, optional fractional seconds and offset; the value is stored in UTC."""
    fmt = field.get("format", "default")
    if fmt == "any":
        value = raw.str.to_datetime(strict=False, time_unit="ms")
        return Parsed(value, pl.lit(True))
    if fmt != "default":
        value = raw.str.to_datetime(_chrono(fmt), strict=False, time_unit="ms")
        return Parsed(value, value.is_not_null())
    base = raw.str.extract(_ISO_DATETIME, 1) + "T" + raw.str.extract(_ISO_DATETIME, 2)
    fraction = raw.str.extract(_ISO_DATETIME, 3).str.slice(1, 6).str.pad_end(6, "0").cast(pl.Int64, strict=False)
    local = base.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="ms")
    value = local + pl.duration(microseconds=fraction.fill_null(0)) - pl.duration(seconds=_offset_seconds(raw, _ISO_DATETIME, 5))
    return Parsed(value, raw.str.contains(_ISO_DATETIME) & local.is_not_null())


def _parse_time(raw: pl.Expr, field: dict) -> Parsed:
    fmt = field.get("format", "default")
    if fmt != "default":
        value = raw.str.to_time(_chrono(fmt), strict=False)
        return Parsed(value.cast(pl.String), value.is_not_null())
    ok = raw.str.contains(_ISO_TIME) & raw.str.extract(_ISO_TIME, 1).str.to_time("%H:%M:%S", strict=False).is_not_null()
    return Parsed(pl.when(ok).then(raw), ok)


def _parse_year(raw: pl.Expr, field: dict) -> Parsed:
    value = raw.cast(pl.Int64, strict=False)
    ok = (raw.str.len_chars() == 4) & value.is_not_null() & value.is_between(0, 9999)
    return Parsed(pl.when(ok).then(value), ok)


def _parse_yearmonth(raw: pl.Expr, field: dict) -> Parsed:
    ok = raw.str.contains(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
    return Parsed(pl.when(ok).then(raw), ok)


def _parse_string(raw: pl.Expr, field: dict) -> Parsed:
    if field.get("format") == "binary":
        return _cellwise(_is_base64)(raw, field)
    pattern = {"uri": _URI, "email": _EMAIL, "uuid": _UUID}.get(field.get("format", "default"))
    if pattern is None:
        return Parsed(raw, pl.lit(True))
    ok = _regex_ok(raw, pattern)
    return Parsed(pl.when(ok).then(raw), ok)


def _parse_any(raw: pl.Expr, field: dict) -> Parsed:
    return Parsed(raw, pl.lit(True))


def _cellwise(check: Callable[[str, dict], bool]) -> Callable[[pl.Expr, dict], Parsed]:
    """A parser for types read cell by cell in Python (JSON, ISO durations, geopoints):
    rare in tables, and exactly as frictionless reads them. The value stays the text."""
    def parse_cells(raw: pl.Expr, field: dict) -> Parsed:
        def valid(cell):
            try:
                return bool(check(cell, field))
            except Exception:  # noqa: BLE001 (any failure to read the cell means it is invalid)
                return False
        ok = raw.map_elements(valid, return_dtype=pl.Boolean, skip_nulls=True)
        return Parsed(pl.when(ok).then(raw), ok)
    return parse_cells


def _is_object(cell: str, field: dict) -> bool:
    return isinstance(json.loads(cell), dict)


def _is_array(cell: str, field: dict) -> bool:
    return isinstance(json.loads(cell), list)


def _is_base64(cell: str, field: dict) -> bool:
    import base64

    base64.b64decode(cell)  # as frictionless reads it: characters outside the alphabet are skipped
    return True


@lru_cache(maxsize=2)
def _geojson_validator(fmt: str):
    import jsonschema
    from frictionless import settings

    profile = settings.TOPOJSON_PROFILE if fmt == "topojson" else settings.GEOJSON_PROFILE
    return jsonschema.validators.validator_for(profile)(profile)


def _is_geojson(cell: str, field: dict) -> bool:
    """A JSON object; for the formats default and topojson, one that meets the GeoJSON (or
    TopoJSON) JSON Schema that frictionless checks it against."""
    value = json.loads(cell)
    if not isinstance(value, dict):
        return False
    fmt = field.get("format", "default")
    if fmt in ("default", "topojson"):
        return _geojson_validator(fmt).is_valid(value)
    return True


def _is_duration(cell: str, field: dict) -> bool:
    import isodate

    isodate.parse_duration(cell)
    return True


def _is_geopoint(cell: str, field: dict) -> bool:
    fmt = field.get("format", "default")
    if fmt == "array":
        lon, lat = json.loads(cell)
    elif fmt == "object":
        value = json.loads(cell)
        if len(value) != 2:
            return False
        lon, lat = value["lon"], value["lat"]
    else:
        lon, lat = (part.strip() for part in cell.split(","))
    lon, lat = Decimal(lon), Decimal(lat)
    return -180 <= lon <= 180 and -90 <= lat <= 90


def _parse_list(raw: pl.Expr, field: dict) -> Parsed:
    items = raw.str.split(field.get("delimiter", ","))
    item_type = field.get("itemType", "string")
    if item_type == "string":
        return Parsed(items, pl.lit(True))
    item = parser(item_type)(pl.element(), {"type": item_type})
    values = items.list.eval(item.value)
    ok = items.list.eval(item.ok.fill_null(False)).list.all()
    return Parsed(pl.when(ok).then(values), ok)


_PARSERS: dict[str, Callable[[pl.Expr, dict], Parsed]] = {
    "string": _parse_string,
    "integer": _parse_integer,
    "number": _parse_number,
    "boolean": _parse_boolean,
    "date": _parse_date,
    "datetime": _parse_datetime,
    "time": _parse_time,
    "year": _parse_year,
    "yearmonth": _parse_yearmonth,
    "list": _parse_list,
    "object": _cellwise(_is_object),
    "array": _cellwise(_is_array),
    "duration": _cellwise(_is_duration),
    "geopoint": _cellwise(_is_geopoint),
    "geojson": _cellwise(_is_geojson),
}


def parser(kind: str) -> Callable[[pl.Expr, dict], Parsed]:
    return _PARSERS.get(kind, _parse_any)


def parse(raw: pl.Expr, field: dict) -> Parsed:
    """Typed value and validity of a column of raw cells (missing values already null)."""
    parsed = parser(field.get("type", "string"))(raw, field)
    return Parsed(parsed.value, raw.is_null() | parsed.ok.fill_null(False))


def parse_constants(values: list, field: dict) -> list:
    """Constraint values (enum, minimum, ...) read with the field's own type."""
    kind = field.get("type", "string")
    if kind in ("string", "any", "list"):
        return values
    frame = pl.DataFrame({"v": [str(v) if not isinstance(v, bool) else str(v).lower() for v in values]})
    return frame.select(parse(pl.col("v"), field).value).to_series().to_list()


def type_name(field: dict) -> str:
    """"uri" for a string of format uri, else the type."""
    kind, fmt = field.get("type", "string"), field.get("format", "default")
    return fmt if kind == "string" and fmt in FORMAT_HINTS else kind


def type_hint(field: dict) -> str:
    fmt = field.get("format", "default")
    if field.get("type", "string") == "string" and fmt in FORMAT_HINTS:
        return FORMAT_HINTS[fmt]
    if field.get("type") == "list":
        return f'write items of type {field.get("itemType", "string")} separated by "{field.get("delimiter", ",")}"'
    return TYPE_HINTS.get(field.get("type", "string"), f'write a value of type {field.get("type")}')


@dataclass(frozen=True)
class Constraint:
    """One constraint of a field as a polars expression, with words for its finding."""

    name: str
    broken: pl.Expr  # True where a present, well-typed cell breaks the constraint
    describe: Callable[[str], str]  # raw value -> message


_BOUNDS = {"minimum": ("<", "at least"), "maximum": (">", "at most"),
           "exclusiveMinimum": ("<=", "more than"), "exclusiveMaximum": (">=", "less than")}
_LENGTH_TYPES = {"string", "list", "array", "object"}
_BOUND_TYPES = {"integer", "number", "date", "datetime", "time", "year", "yearmonth", "duration"}


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else f"{value[:limit]}… ({len(value)} characters)"


def _compare(value: pl.Expr, op: str, bound) -> pl.Expr:
    bound = pl.lit(bound)
    return {"<": value < bound, ">": value > bound, "<=": value <= bound, ">=": value >= bound}[op]


def _python_pattern(pattern: str) -> pl.Expr | None:
    """A pattern polars' regex engine cannot compile (look-arounds...) is checked in Python."""
    try:
        pl.select(pl.lit("").str.contains(f"^(?:{pattern})$"))
        return None
    except pl.exceptions.ComputeError:
        compiled = re.compile(f"^{pattern}$")
        return compiled


def constraints(raw: pl.Expr, value: pl.Expr, field: dict) -> list[Constraint]:
    """The constraints of a field (required aside) that apply to its type."""
    kind = field.get("type", "string")
    found = []
    for name, bound in (field.get("constraints") or {}).items():
        if name == "enum" and kind not in ("list",):
            allowed = parse_constants(list(bound), field)
            shown = ", ".join(str(v) for v in bound)
            found.append(Constraint("enum", ~value.is_in(allowed),
                                    lambda v, shown=shown: f'"{_short(v)}" is not allowed; use one of: {shown}'))
        elif name == "pattern" and kind == "string":
            compiled = _python_pattern(bound)
            if compiled is None:
                broken = ~raw.str.contains(f"^(?:{bound})$")
            else:
                broken = ~raw.map_elements(lambda s, c=compiled: bool(c.match(s)), return_dtype=pl.Boolean)
            found.append(Constraint("pattern", broken, lambda v, p=bound: f'"{_short(v)}" does not match the pattern {p}'))
        elif name in ("minLength", "maxLength") and kind in _LENGTH_TYPES:
            length = value.list.len() if kind == "list" else raw.str.len_chars()
            unit = "items" if kind == "list" else "characters"
            if name == "minLength":
                found.append(Constraint(name, length < bound, lambda v, b=bound, u=unit: f'"{_short(v)}" is too short: at least {b} {u}'))
            else:
                found.append(Constraint(name, length > bound, lambda v, b=bound, u=unit: f'"{_short(v)}" is too long: at most {b} {u}'))
        elif name in _BOUNDS and kind in _BOUND_TYPES:
            op, words = _BOUNDS[name]
            limit = parse_constants([bound], field)[0]
            broken = _compare(value, op, limit)
            if kind == "number":  # NaN is no number's equal: it meets no bound (polars orders it above all)
                broken = broken | value.is_nan()
            found.append(Constraint(name, broken, lambda v, w=words, b=bound: f'"{_short(v)}" is out of range: must be {w} {b}'))
    return found


def short(value: str | None) -> str:
    return "" if value is None else _short(value)
