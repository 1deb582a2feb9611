"""One CSV resource read into an Arrow table typed by its Table Schema, as its Table Dialect says.

This is the loading path, so it uses pyarrow only (no polars), imported when a table is read:
the dialect helpers here are shared with the validator, which imports them before any thread
pool may be loaded (see ``validation.forked``). Every cell is read as text and
then converted field by field with the options the schema gives (``trueValues``,
``falseValues``, ``decimalChar``, ``groupChar``, ``bareNumber``, date and datetime
``format``, ``missingValues``), the way ``dataset validate`` reads them: a package that
validates loads, diffs and publishes with the same values. A cell that cannot be converted
raises DatasetError naming the file, row and field.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DatasetError

if TYPE_CHECKING:
    import pyarrow as pa

TRUE = ["true", "True", "TRUE", "1"]
FALSE = ["false", "False", "FALSE", "0"]
PYTHON_ONLY = ("skipInitialSpace", "commentChar", "commentRows")  # dialect options pyarrow cannot honour
NOT_BARE = r"^[^-\d]*|\D*$"  # what bareNumber: false strips around a number


def read(path: Path | str | bytes, table_schema: dict, dialect: dict | None = None, encoding: str = "utf-8",
         name: str | None = None, use_threads: bool = True) -> pa.Table:
    """The table of one CSV file (a path, or its bytes), typed by ``table_schema``, its cells
    split as ``dialect`` says. ``name`` names the data in messages (default: the path);
    ``use_threads=False`` keeps pyarrow's reader on the calling thread."""
    import pyarrow as pa

    label = name or ("the CSV data" if isinstance(path, bytes) else path)
    dialect = dialect or {}
    fields = table_schema["fields"]
    nulls = table_schema.get("missingValues", [""])
    try:
        labels, first, columns = _columns(path, dialect, encoding, fields, label)
        if any(dialect.get(option) for option in PYTHON_ONLY) or encoding.lower().replace("-", "") != "utf8":
            cells = _python_text(path, columns, first, dialect, encoding)
            typed = [_convert(_nulled(c, nulls), f, label, first) for c, f in zip(cells, fields)]
        else:
            cells = _arrow_cells(path, len(labels), columns, fields, first, dialect, nulls, use_threads)
            typed = [_convert(c, f, label, first) if _needs_conversion(f) else c for c, f in zip(cells, fields)]
    except FileNotFoundError:
        raise DatasetError(f"{label}: file not found") from None
    except (UnicodeDecodeError, csv.Error, OSError, ValueError, TypeError, pa.ArrowInvalid) as exc:
        raise DatasetError(f"{label}: cannot be read as typed by its schema ({exc}); run 'dataset validate' for details") from None
    try:
        from .arrow_types import arrow_schema

        return pa.Table.from_arrays(typed, schema=arrow_schema(table_schema))
    except (ValueError, pa.ArrowInvalid) as exc:  # a required field left empty
        raise DatasetError(f"{label}: cannot be read as typed by its schema ({exc}); run 'dataset validate' for details") from None


def _columns(path, dialect: dict, encoding: str, fields: list[dict], label) -> tuple[list[str], int, list[int]]:
    """The header's labels, its last record, and the column of each field (a repeated label:
    its first column); DatasetError naming ``label`` when a field has no column."""
    labels, first = _labels(path, dialect, encoding, [f["name"] for f in fields])
    index = {text: i for i, text in reversed(list(enumerate(labels)))}
    missing = [f["name"] for f in fields if f["name"] not in index]
    if missing:
        raise DatasetError(f"{label}: no column {', '.join(map(repr, missing))} in the header; run 'dataset validate' for details")
    return labels, first, [index[f["name"]] for f in fields]


def _needs_conversion(field: dict) -> bool:
    """Whether pyarrow's own typed reading would differ from the schema's notation for this field."""
    kind = field.get("type", "string")
    if kind in ("list",) or (kind == "boolean" and ("trueValues" in field or "falseValues" in field)):
        return True
    if kind in ("integer", "number", "year"):
        return field.get("bareNumber") is False or bool(field.get("groupChar")) or field.get("decimalChar", ".") != "."
    if kind == "datetime":
        return True  # offsets and fractions are read by _iso_datetimes
    return kind == "date" and field.get("format", "default") not in ("default", "any")


def header_rows(dialect: dict) -> list[int]:
    """The record numbers that make the header (``headerRows``, default [1])."""
    rows = dialect.get("headerRows")
    if isinstance(rows, list) and rows and all(isinstance(r, int) and not isinstance(r, bool) and r >= 1 for r in rows):
        return sorted(set(rows))
    return [1]


def with_format_defaults(dialect: dict, resource: dict, path: str) -> dict:
    """The dialect with what a resource's format implies: a TSV file is tab-delimited."""
    if resource.get("format") == "tsv" or path.lower().endswith(".tsv"):
        return {"delimiter": "\t", **dialect}
    return dialect


def csv_options(dialect: dict) -> dict:
    """The csv module's options for a Table Dialect."""
    escape = dialect.get("escapeChar")
    return {
        "delimiter": dialect.get("delimiter", ","),
        "quotechar": dialect.get("quoteChar", '"'),
        "doublequote": dialect.get("doubleQuote", True),
        "skipinitialspace": dialect.get("skipInitialSpace", False),
        "escapechar": escape if isinstance(escape, str) and len(escape) == 1 else None,
    }


def joined_header(records: list[list[str]], dialect: dict) -> list[str]:
    """The labels of the header records: one record as it is, several joined by ``headerJoin``."""
    if len(records) <= 1:
        return records[0] if records else []
    join = dialect.get("headerJoin") if isinstance(dialect.get("headerJoin"), str) else " "
    width = max(len(r) for r in records)
    return [join.join(r[i] for r in records if i < len(r) and r[i] != "") for i in range(width)]


def _records(path, dialect: dict, encoding: str):
    """(record number, cells) of every record the csv module reads, comment rows after the first left out."""
    comment = dialect.get("commentChar")
    comment_rows = set(dialect.get("commentRows") or [])
    handle = (io.TextIOWrapper(io.BytesIO(path), encoding=encoding, newline="") if isinstance(path, bytes)
              else open(path, encoding=encoding, newline=""))
    with handle:
        for number, cells in enumerate(csv.reader(handle, **csv_options(dialect)), start=1):
            commented = number in comment_rows or (isinstance(comment, str) and comment and cells and cells[0].startswith(comment))
            if number > 1 and commented:  # as the validator reads them: the first record is never a comment
                continue
            yield number, cells


def _labels(path, dialect: dict, encoding: str, names: list[str]) -> tuple[list[str], int]:
    """The header's labels (``headerJoin`` joins several header rows) and the last header record."""
    if dialect.get("header", True) is False:
        return names, 0
    wanted = header_rows(dialect)
    rows = []
    for number, cells in _records(path, dialect, encoding):
        if number in wanted:
            rows.append(cells)
        if number >= wanted[-1]:
            break
    return joined_header(rows, dialect), wanted[-1]


def _python_text(path, columns: list[int], first: int, dialect: dict, encoding: str) -> list:
    """The wanted columns as text, read with the csv module (dialect options pyarrow lacks)."""
    import pyarrow as pa

    rows = [cells for number, cells in _records(path, dialect, encoding) if number > first]
    return [pa.array([r[i] if i < len(r) else None for r in rows], pa.string()) for i in columns]


def _nulled(text: pa.Array, nulls: list[str]) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    if not nulls:
        return text
    return pc.if_else(pc.is_in(text, value_set=pa.array(nulls, pa.string())), pa.scalar(None, pa.string()), text)


def _arrow_options(width: int, columns: list[int], fields: list[dict], first: int, dialect: dict, nulls: list[str],
                   block: int, use_threads: bool = True) -> tuple[list[str], dict]:
    """Column names and pyarrow's read, parse and convert options for the wanted columns: typed
    directly where pyarrow's reading matches the schema's notation, as text (for
    ``_convert``) where it does not."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    from .arrow_types import arrow_field

    names = [f"f{i}" for i in range(width)]
    types = {names[i]: (pa.string() if _needs_conversion(f) else arrow_field(f).type) for i, f in zip(columns, fields)}
    escape = dialect.get("escapeChar")
    parse = pacsv.ParseOptions(delimiter=dialect.get("delimiter", ","), quote_char=dialect.get("quoteChar", '"') or False,
                               double_quote=dialect.get("doubleQuote", True), newlines_in_values=True,
                               escape_char=escape if isinstance(escape, str) and escape else False)
    convert = pacsv.ConvertOptions(column_types=types, include_columns=sorted(set(types), key=names.index),
                                   null_values=nulls, strings_can_be_null=True, true_values=TRUE, false_values=FALSE)
    read = pacsv.ReadOptions(column_names=names, skip_rows=first, block_size=block, use_threads=use_threads)
    return names, {"read_options": read, "parse_options": parse, "convert_options": convert}


def _arrow_cells(path, width: int, columns: list[int], fields: list[dict], first: int, dialect: dict, nulls: list[str],
                 use_threads: bool = True) -> list:
    """The wanted columns read by pyarrow (see ``_arrow_options``)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    size = len(path) if isinstance(path, bytes) else Path(path).stat().st_size
    block = 1 << 20
    while True:
        names, options = _arrow_options(width, columns, fields, first, dialect, nulls, block, use_threads)
        source = io.BytesIO(path) if isinstance(path, bytes) else path
        try:
            table = pacsv.read_csv(source, **options)
            return [table.column(names[i]) for i in columns]
        except pa.ArrowInvalid as exc:
            if "straddling" not in str(exc) or block > size:
                raise
            block = min(size + 1, 2**31 - 1)  # a cell larger than a block


def typed_batches(source, path: Path, table_schema: dict, dialect: dict, block: int, use_threads: bool = True):
    """The table of a UTF-8 CSV file in batches, each typed as ``read`` types the whole
    file (pyarrow's streaming reader with the same options; ``source`` is ``path`` or a
    file object over it). Errors are pyarrow's or ``_convert``'s own, with row numbers
    counted within the batch: a caller that needs ``read``'s messages reads the file whole."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    from .arrow_types import arrow_schema

    if any(dialect.get(option) for option in PYTHON_ONLY):
        raise ValueError("this dialect is read by the csv module, not in batches")
    fields = table_schema["fields"]
    nulls = table_schema.get("missingValues", [""])
    labels, first, columns = _columns(path, dialect, "utf-8", fields, path)
    names, options = _arrow_options(len(labels), columns, fields, first, dialect, nulls, block, use_threads)
    schema = arrow_schema(table_schema)
    for batch in pacsv.open_csv(source, **options):
        cells = [batch.column(names[i]) for i in columns]
        typed = [_convert(c, f, path, first) if _needs_conversion(f) else c for c, f in zip(cells, fields)]
        yield pa.Table.from_arrays(typed, schema=schema)


def _convert(text: pa.Array, field: dict, path, first: int) -> pa.Array:
    """One column of text (missing values already null) as the field's Arrow type."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrow_types import arrow_field

    target = arrow_field(field).type
    kind = field.get("type", "string")
    try:
        if kind == "boolean":
            return _booleans(text, field)
        if kind == "list":
            return pc.split_pattern(text, pattern=field.get("delimiter", ",")).cast(target)
        if kind in ("integer", "year"):
            return pc.cast(_numeric_text(text, field, integer=True), target)
        if kind == "number":
            return pc.cast(_numeric_text(text, field, integer=False), target)
        if kind == "datetime" and field.get("format", "default") in ("default", "any"):
            return _iso_datetimes(text)
        if kind in ("date", "datetime") and field.get("format", "default") not in ("default", "any"):
            parsed = pc.strptime(text, format=field["format"].replace("%-", "%"), unit="s", error_is_null=False)
            return pc.cast(pc.cast(parsed, pa.timestamp("s")) if parsed.type.tz else parsed, target)
        return pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        raise DatasetError(_cell_problem(text, field, target, path, first)) from None


_ZONE = r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"


def _iso_datetimes(text: pa.Array) -> pa.Array:
    """ISO 8601 datetimes, with or without a UTC offset (converted to UTC, as the validator
    reads them); fractions of a second are dropped, as a timestamp in seconds holds none."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.cast(text, pa.timestamp("s"))
    except pa.ArrowInvalid:
        pass
    text = pc.replace_substring_regex(text, r"[.,][0-9]+(" + _ZONE[:-1] + ")?$", r"\1")
    zoned = pc.match_substring_regex(text, _ZONE)
    naive_text = pc.if_else(zoned, pa.scalar(None, pa.string()), text)
    zoned_text = pc.if_else(zoned, text, pa.scalar(None, pa.string()))
    in_utc = pc.cast(pc.cast(zoned_text, pa.timestamp("s", tz="UTC")), pa.timestamp("s"))
    return pc.if_else(zoned, in_utc, pc.cast(naive_text, pa.timestamp("s")))


def _booleans(text: pa.Array, field: dict) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    true = pc.is_in(text, value_set=pa.array(field.get("trueValues", TRUE), pa.string()))
    false = pc.is_in(text, value_set=pa.array(field.get("falseValues", FALSE), pa.string()))
    if pc.any(pc.and_(pc.is_valid(text), pc.invert(pc.or_(true, false)))).as_py():
        raise ValueError("not a boolean")
    return pc.if_else(true, True, pc.if_else(false, False, pa.scalar(None, pa.bool_())))


def _numeric_text(text: pa.Array, field: dict, integer: bool) -> pa.Array:
    """Number text as pyarrow casts it: bare, without group characters, with a "." decimal point."""
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(text)
    if field.get("bareNumber") is False:
        text = pc.replace_substring_regex(text, NOT_BARE, "")
    if field.get("groupChar"):
        text = pc.replace_substring(text, field["groupChar"], "")
    if not integer and field.get("decimalChar", ".") != ".":
        text = pc.replace_substring(text, field["decimalChar"], ".")
    return pc.replace_substring_regex(text, r"^\+|_", "")


def _cell_problem(text: pa.Array, field: dict, target, path, first: int) -> str:
    """The first cell of a column that cannot be read as its type, in words."""
    for index, value in enumerate(text.to_pylist()):
        if value is None:
            continue
        try:
            _convert_one(value, field, target)
        except (DatasetError, ValueError, TypeError, OverflowError, Exception):  # noqa: BLE001 (any failure is the answer)
            return (f'{path}: row {first + index + 1}, field {field["name"]!r}: "{value}" cannot be read as '
                    f'{field.get("type", "string")}; run \'dataset validate\' for details')
    return f"{path}: field {field['name']!r} cannot be read as {field.get('type', 'string')}; run 'dataset validate' for details"


def _convert_one(value: str, field: dict, target) -> None:
    import pyarrow as pa

    _convert(pa.array([value], pa.string()), field, "", 0)
