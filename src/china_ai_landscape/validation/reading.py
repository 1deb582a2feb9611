"""Reading a CSV resource into raw strings, vectorised, keeping every cell as written.

pyarrow parses the file with every column as a string (so nothing is lost to type
inference); rows with too few or too many cells, which pyarrow cannot put in columns, are
parsed again one by one with the ``csv`` module. The result is a polars frame with the
cells by position (``c0``, ``c1``, ...; null = the row had no such cell), the record
number as frictionless counts it (``__row``, the header is row 1) and the physical line
(``__line``).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

import numpy as np

from ..resource_bytes import Resource
from ..typed_csv import csv_options, header_rows, joined_header
from .findings import Finding

ROW = "__row"
LINE = "__line"
_CHUNK = 1 << 24
_BOM = codecs.BOM_UTF8
# Limits on hostile input; each one hit is a finding that names it.
MAX_COLUMNS = 20_000
# Cells are bounded by the file, not by the csv module's 128 KiB default.
csv.field_size_limit(2**31 - 1)


@dataclass
class RawTable:
    """Cells of one CSV file as strings, by position, with row and line numbers."""

    labels: list[str]
    frame: "object"  # polars.DataFrame: c0..cN (String), __row, __line (Int64)
    extra_cells: dict[int, list[str]] = field(default_factory=dict)
    has_header: bool = True


def column(i: int) -> str:
    return f"c{i}"


def _finding(res: Resource, code: str, message: str, row: int | None = None, severity: str = "error") -> Finding:
    return Finding(code=code, message=message, table=res.name, row=row, layer="tables", severity=severity, file=res.file)


def _first_bad_byte(data: bytes, encoding: str) -> tuple[int, str] | None:
    """Offset and reason of the first byte that does not decode, reading in chunks."""
    decoder = codecs.getincrementaldecoder(encoding)()
    for start in range(0, len(data), _CHUNK):
        try:
            decoder.decode(data[start:start + _CHUNK], final=start + _CHUNK >= len(data))
        except UnicodeDecodeError as exc:
            return start + exc.start, exc.reason
    return None


def _encoding_finding(res: Resource, data: bytes, encoding: str) -> Finding | None:
    bad = _first_bad_byte(data, encoding)
    if bad is None:
        return None
    offset, reason = bad
    line = data.count(b"\n", 0, offset) + 1
    return _finding(res, "encoding-error", f"byte 0x{data[offset]:02x} at line {line} is not valid {res.encoding} "
                    f"({reason}): save the file as {res.encoding}", row=line)


def bom_warning(res: Resource) -> Finding:
    return _finding(res, "utf8-bom", "the file starts with a byte order mark (BOM); save it as UTF-8 without BOM",
                    row=1, severity="warning")


def crlf_warning(res: Resource) -> Finding:
    return _finding(res, "crlf-line-endings", "the file has Windows (CRLF) line endings; convert it to LF so that "
                    "diffs stay clean", severity="warning")


def _decode_findings(res: Resource, data: bytes) -> tuple[bytes | None, list[Finding]]:
    """The file as UTF-8 bytes without BOM, or None if it does not decode.

    UTF-8 is checked by pyarrow while parsing (see read_raw); other encodings are decoded here.
    """
    findings = []
    try:
        encoding = codecs.lookup(res.encoding).name
    except LookupError:
        return None, [_finding(res, "encoding-error", f'unknown encoding "{res.encoding}": use a standard name such as utf-8')]
    if data.startswith(_BOM) and encoding in ("utf-8", "utf-8-sig"):
        findings.append(bom_warning(res))
        data = data[len(_BOM):]
    if encoding not in ("utf-8", "utf-8-sig", "ascii"):
        problem = _encoding_finding(res, data, encoding)
        if problem is not None:
            return None, findings + [problem]
        data = data.decode(encoding).encode("utf-8")
    if b"\r\n" in data:
        findings.append(crlf_warning(res))
    return data, findings


def _header(data: bytes, dialect: dict) -> list[str]:
    """The header, read whole whatever its length: its rows' cells joined by ``headerJoin``."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace", newline="")
    wanted = header_rows(dialect)
    records = []
    for number, cells in enumerate(csv.reader(text, **csv_options(dialect)), start=1):
        if number in wanted:
            records.append(cells)
        if number >= wanted[-1]:
            break
    return joined_header(records, dialect)


def needs_python_parser(dialect: dict) -> bool:
    """Dialect options pyarrow's reader has no equivalent for."""
    return any(dialect.get(option) for option in ("skipInitialSpace", "escapeChar", "commentChar", "commentRows"))


def _is_comment(number: int, cells: list[str], dialect: dict) -> bool:
    """A comment row: listed in commentRows, or starting with commentChar (its number still counts)."""
    rows = dialect.get("commentRows")
    if isinstance(rows, list) and number in rows:
        return True
    char = dialect.get("commentChar")
    return isinstance(char, str) and bool(char) and bool(cells) and cells[0].startswith(char)


def _parse_python(data: bytes, width: int, dialect: dict):
    """The csv module's reading, shaped like ``_arrow_read``: regular rows as string columns,
    irregular ones as (row number, re-written text) for ``with_irregular_rows``."""
    import pyarrow as pa

    options = csv_options(dialect)
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="strict", newline="")
    columns: list[list[str]] = [[] for _ in range(width)]
    bad, skipped = [], []
    for number, cells in enumerate(csv.reader(text, **options), start=1):
        if number > 1 and _is_comment(number, cells, dialect):
            skipped.append(number)
        elif len(cells) == width:
            for i, cell in enumerate(cells):
                columns[i].append(cell)
        else:
            out = io.StringIO()
            csv.writer(out, **{**options, "skipinitialspace": False}, lineterminator="").writerow(cells)
            bad.append((number, out.getvalue()))
    table = pa.table({f"f{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)})
    return table, bad, skipped


def _arrow_read(data: bytes, width: int, dialect: dict, use_threads: bool, block_size: int):
    import pyarrow as pa
    from pyarrow import csv as pacsv

    bad: list[tuple[int | None, str]] = []

    def keep_aside(row) -> str:
        bad.append((row.number, row.text))
        return "skip"

    table = pacsv.read_csv(
        io.BytesIO(data),
        # named columns, not autogenerated ones: the width is the header's, even when a record
        # before the header (headerRows) has fewer cells
        read_options=pacsv.ReadOptions(column_names=[f"f{i}" for i in range(width)], use_threads=use_threads,
                                       block_size=block_size),
        parse_options=pacsv.ParseOptions(
            delimiter=dialect.get("delimiter", ","), quote_char=dialect.get("quoteChar", '"'),
            double_quote=dialect.get("doubleQuote", True), newlines_in_values=True,
            ignore_empty_lines=False, invalid_row_handler=keep_aside),
        convert_options=pacsv.ConvertOptions(
            column_types={f"f{i}": pa.string() for i in range(width)},
            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    return table, bad


def _parse_arrow(data: bytes, width: int, dialect: dict):
    import pyarrow as pa

    block_size = 1 << 20
    for use_threads in (True, False):
        try:
            table, bad = _arrow_read(data, width, dialect, use_threads, block_size)
        except pa.ArrowInvalid as exc:
            if "straddling" not in str(exc) and "block" not in str(exc):
                raise
            block_size = len(data) + 1  # a single huge cell: read the file as one block
            table, bad = _arrow_read(data, width, dialect, use_threads, block_size)
        if all(number is not None for number, _ in bad):
            return table, bad, []
    raise AssertionError("pyarrow gave no row numbers for irregular rows")  # pragma: no cover


# From this many columns on, what pyarrow's reader freed is handed back to the system after the
# read: its per-column working memory (about 10 KiB a column) otherwise stays in the C
# allocator's arenas and stacks under the checks that follow.
WIDE_READ = 1000


def _return_freed_memory() -> None:
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to hand back this way
        pass


def read_raw(res: Resource, data: bytes) -> tuple[RawTable | None, list[Finding]]:
    """Parse one CSV file into raw cells, or findings saying why it cannot be read."""
    import pyarrow as pa

    if not data or data.isspace():
        return None, [_finding(res, "source-error", "the file is empty: it needs at least the header row", row=1)]
    data, findings = _decode_findings(res, data)
    if data is None:
        return None, findings
    has_header = res.dialect.get("header", True)
    labels = _header(data, res.dialect) if has_header else [f.get("name") for f in res.schema.get("fields", [])]
    if len(labels) > MAX_COLUMNS:
        return None, findings + [_finding(res, "source-error", f"the header has {len(labels):,} columns, more than the "
                                          f"{MAX_COLUMNS:,} this validator reads; the file is not checked", row=1)]
    width = max(len(labels), 1)
    try:
        parse = _parse_python if needs_python_parser(res.dialect) else _parse_arrow
        table, bad, skipped = parse(data, width, res.dialect)
    except (pa.ArrowInvalid, UnicodeDecodeError, csv.Error) as exc:
        problem = _encoding_finding(res, data, "utf-8") if "utf8" in str(exc).lower() else None
        if problem is None:
            problem = _finding(res, "source-error", f"cannot be parsed as CSV ({exc}); check quotes and delimiters")
        return None, findings + [problem]
    newlines = data.count(b"\n")
    del data  # only the parsed cells are kept
    first = header_rows(res.dialect)[-1] if has_header else 0
    bad_numbers = np.array(sorted([n for n, _ in bad] + skipped), dtype=np.int64)
    total = table.num_rows + len(bad) + len(skipped)
    rows = np.arange(1, total + 1, dtype=np.int64)
    if len(bad_numbers):
        rows = np.setdiff1d(rows, bad_numbers, assume_unique=True)
    frame = cells_frame(table, width, rows)
    del table
    if width >= WIDE_READ:
        _return_freed_memory()
    frame, extra = with_irregular_rows(frame, bad, width, res.dialect)
    frame = frame.slice(first)  # the header is the first record (it sets the number of columns)
    frame = _with_lines(frame, newlines, total, width)
    return RawTable(labels, frame, extra, has_header), findings


def cells_frame(table, width: int, rows):
    """pyarrow's string cells as the polars frame both readers hand on: ``c0``.. and ``__row``
    (the record numbers). Named in Arrow, where a rename is only metadata (a polars rename of
    10,000 columns is not)."""
    import polars as pl

    frame = pl.from_arrow(table.rename_columns([column(i) for i in range(width)]))
    if not isinstance(frame, pl.DataFrame):  # pragma: no cover
        frame = frame.to_frame()
    return frame.with_columns(pl.Series(ROW, rows))


def with_irregular_rows(frame, bad, width: int, dialect: dict):
    """Rows with too few or too many cells: parsed by the csv module and merged in order."""
    import polars as pl

    if not bad:
        return frame, {}
    extra: dict[int, list[str]] = {}
    records = {column(i): [] for i in range(width)}
    numbers = []
    for number, text in bad:
        cells = next(csv.reader(io.StringIO(text, newline=""), **csv_options(dialect)), [])
        numbers.append(number)
        for i in range(width):
            records[column(i)].append(cells[i] if i < len(cells) else None)
        if len(cells) > width:
            extra[number] = cells[width:]
    irregular = pl.DataFrame({**records, ROW: numbers}, schema={**{column(i): pl.String for i in range(width)}, ROW: pl.Int64})
    return frame.merge_sorted(irregular.sort(ROW), key=ROW), extra


def _with_lines(frame, newlines: int, total: int, width: int):
    """Physical line of each record: differs from the row only after a value spanning lines."""
    import polars as pl

    if newlines in (total, total - 1):  # no value spans lines
        return frame.with_columns(pl.col(ROW).alias(LINE))
    inside = pl.sum_horizontal([pl.col(column(i)).str.count_matches("\n").fill_null(0) for i in range(width)])
    shift = inside.cum_sum() - inside
    return frame.with_columns((pl.col(ROW) + shift).cast(pl.Int64).alias(LINE))
