"""A large local CSV file read in batches, so that memory stays bounded whatever its length.

pyarrow's streaming reader parses the file block by block, every column as a string;
each batch comes out shaped like ``reading.read_raw``'s table (``c0``.., ``__row``,
``__line``, rows with too few or too many cells merged in), so the ``tables`` layer
checks it with the same expressions as a whole table. What a whole table gets from one
look at its bytes (a byte order mark, CRLF line endings, the count of line breaks that
tells whether any value spans lines) is counted while pyarrow reads them (``PacedFile``,
which also keeps pyarrow from reading far ahead of the checks).

Only what the streaming reader can read exactly as ``read_raw`` does is streamed: a local,
uncompressed UTF-8 file with a one-row header, in a dialect pyarrow understands. Anything
else, or a file pyarrow refuses on the way (bad UTF-8, a cell larger than a block), is read
whole instead (``Unstreamable``).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..paced_file import PacedFile
from ..resource_bytes import Resource
from ..typed_csv import csv_options, header_rows
from .findings import Finding
from .reading import (
    LINE,
    ROW,
    RawTable,
    bom_warning,
    cells_frame,
    column,
    crlf_warning,
    needs_python_parser,
    with_irregular_rows,
)

# Files at least this large are streamed, unless the environment variable below says
# otherwise (tests lower it to stream small files too). Below it, reading whole is cheaper.
STREAM_ABOVE = 32 << 20
STREAM_ABOVE_VARIABLE = "DATASET_STREAM_ABOVE"
BLOCK_SIZE = 8 << 20  # bytes pyarrow parses at a time
READ_AHEAD = 6  # blocks read beyond the batch being checked
_HEADER_LIMIT = 16 << 20  # a header longer than this is left to the whole-file reader


def threshold() -> int:
    """Bytes from which a file is streamed: ``DATASET_STREAM_ABOVE`` when it is a whole
    number (0 streams every file that can be), else ``STREAM_ABOVE``."""
    value = os.environ.get(STREAM_ABOVE_VARIABLE, "").strip()
    return int(value) if value.isdigit() else STREAM_ABOVE


class Unstreamable(Exception):
    """The file cannot be read in batches exactly as it would be read whole."""


def local_file(res: Resource) -> Path | None:
    """The file to stream, or None when the resource is read whole."""
    location = res.location
    if not isinstance(location, Path) or res.compression or res.schema.get("fieldsMatch", "exact") != "exact":
        return None
    try:
        encoding = codecs.lookup(res.encoding).name
    except LookupError:
        return None
    if encoding not in ("utf-8", "utf-8-sig", "ascii") or needs_python_parser(res.dialect):
        return None
    if res.dialect.get("header", True) is False or header_rows(res.dialect) != [1]:
        return None
    try:
        return location if location.stat().st_size >= threshold() else None
    except OSError:
        return None  # the whole-file reader reports why it cannot be read


@dataclass
class FileFacts:
    """What the bytes tell beyond the cells: the file's warnings and its line breaks,
    counted while pyarrow reads them (``PacedFile``)."""

    findings: list[Finding] = field(default_factory=list)
    newlines: int = 0
    # Whether line numbers are worked out from line breaks inside values. At first they are
    # not; if the records then do not match the lines, the file is read again with them on.
    count_lines: bool = False
    records: int = 0  # records read (the header included), once read

    def lines_match(self) -> bool:
        return self.newlines in (self.records, self.records - 1)


def _file_findings(res: Resource, path: Path, counted: PacedFile) -> list[Finding]:
    """BOM and CRLF warnings, as ``reading`` gives them."""
    with open(path, "rb") as handle:
        bom = handle.read(3) == codecs.BOM_UTF8
    return ([bom_warning(res)] if bom else []) + ([crlf_warning(res)] if counted.crlf else [])


def header(res: Resource, path: Path) -> list[str]:
    """The header row, read with the csv module as ``reading`` reads it."""
    size = 1 << 16
    with open(path, "rb") as handle:
        while True:
            handle.seek(0)
            head = handle.read(size)
            cells, complete = _first_record(head, res.dialect)
            if complete or len(head) < size:
                break
            if size >= _HEADER_LIMIT:
                raise Unstreamable("the header was not read whole")
            size *= 4
    if cells is None or not complete:
        raise Unstreamable("no header")
    return cells


def _first_record(head: bytes, dialect: dict) -> tuple[list[str] | None, bool]:
    """The first record of ``head``, and whether it ends within it."""
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    # invalid UTF-8 in the header is caught by pyarrow, which reads it as record 1
    reader = csv.reader(io.StringIO(head.decode("utf-8", errors="replace"), newline=""), **csv_options(dialect))
    try:
        cells = next(reader, None)
    except csv.Error as exc:
        raise Unstreamable(str(exc)) from None
    return cells, head.count(b"\n") >= reader.line_num


def _numbers(good_before: int, count: int, bad: np.ndarray) -> np.ndarray:
    """Record numbers of ``count`` regular rows, the first of which has ``good_before``
    regular rows before it, given the sorted numbers of all irregular records so far.

    Irregular record j has j irregular records before it, so ``bad[j] - 1 - j`` regular
    ones: a regular row comes after it when its own index is at least that.
    """
    index = np.arange(good_before, good_before + count, dtype=np.int64)
    if not len(bad):
        return index + 1
    after = np.searchsorted(bad - 1 - np.arange(len(bad), dtype=np.int64), index, side="right")
    return index + 1 + after


def batches(res: Resource, path: Path, width: int, facts: FileFacts) -> Iterator[RawTable]:
    """The data rows (header excluded) in batches; Unstreamable if pyarrow refuses the file."""
    import polars as pl
    import pyarrow as pa
    from pyarrow import csv as pacsv

    dialect = res.dialect
    irregular: list[tuple[int, str]] = []

    def keep_aside(row) -> str:
        if row.number is None:
            raise Unstreamable("pyarrow gave no record number")
        irregular.append((row.number, row.text))
        return "skip"

    names = [f"f{i}" for i in range(width)]
    counted = None
    try:
        counted = PacedFile(path, BLOCK_SIZE, READ_AHEAD)
        reader = pacsv.open_csv(
            counted,
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(
                delimiter=dialect.get("delimiter", ","), quote_char=dialect.get("quoteChar", '"'),
                double_quote=dialect.get("doubleQuote", True), newlines_in_values=True,
                ignore_empty_lines=False, invalid_row_handler=keep_aside),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
        good = 0  # regular records so far
        last = 0  # highest record number given out
        shift = 0  # line breaks inside values so far
        for batch in _read_ahead(reader):
            bad = np.array(sorted(n for n, _ in irregular), dtype=np.int64)
            if batch is None:
                pending = [b for b in irregular if b[0] > last]
                facts.records = max([last] + [n for n, _ in irregular])
                facts.newlines, facts.findings = counted.newlines, _file_findings(res, path, counted)
                if pending:  # irregular records after the last regular one
                    frame = pl.DataFrame({**{column(i): [] for i in range(width)}, ROW: []},
                                         schema={**{column(i): pl.String for i in range(width)}, ROW: pl.Int64})
                    yield from _shaped(frame, sorted(pending), width, dialect, facts, shift)
                return
            rows = _numbers(good, batch.num_rows, bad)
            good += batch.num_rows
            end = int(rows[-1]) if len(rows) else last
            mine = sorted(b for b in irregular if last < b[0] <= end)
            last = end
            frame = cells_frame(pa.Table.from_batches([batch]), width, rows)
            for raw in _shaped(frame, mine, width, dialect, facts, shift):
                shift = raw.frame.get_column("__shift").item(-1) if raw.frame.height else shift
                yield RawTable(raw.labels, raw.frame.drop("__shift"), raw.extra_cells)
            counted.done()
    except pa.ArrowInvalid as exc:
        raise Unstreamable(str(exc)) from None
    finally:
        if counted is not None:
            counted.close()


def _read_ahead(reader, depth: int = 2):
    """pyarrow's batches, then None; the next ones are parsed in a thread (pyarrow lets go
    of the GIL) while the caller checks the last. Irregular records reach ``keep_aside``
    before the batch that follows them is handed over."""
    handed: queue.Queue = queue.Queue(maxsize=depth)

    def produce() -> None:
        try:
            for batch in reader:
                handed.put(batch)
            handed.put(None)
        except BaseException as exc:  # noqa: BLE001 (re-raised in the caller's thread)
            handed.put(exc)

    thread = threading.Thread(target=produce, name="csv-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = handed.get()
            if isinstance(item, BaseException):
                raise item
            yield item
            if item is None:
                return
    finally:
        while thread.is_alive():  # a caller that stops early: let the thread finish
            try:
                handed.get(timeout=0.05)
            except queue.Empty:
                pass


def _shaped(frame, mine, width: int, dialect: dict, facts: FileFacts, shift: int) -> Iterator[RawTable]:
    """One batch with its irregular records merged in, the header dropped, and line numbers."""
    import polars as pl

    frame, extra = with_irregular_rows(frame, mine, width, dialect)
    frame = frame.filter(pl.col(ROW) > 1)  # the header is record 1
    if facts.count_lines:
        inside = pl.sum_horizontal([pl.col(column(i)).str.count_matches("\n", literal=True).fill_null(0) for i in range(width)])
        total = inside.cum_sum() + shift
        frame = frame.with_columns((pl.col(ROW) + total - inside).cast(pl.Int64).alias(LINE), total.alias("__shift"))
    else:
        frame = frame.with_columns(pl.col(ROW).alias(LINE), pl.lit(shift, pl.Int64).alias("__shift"))
    yield RawTable([], frame, {n: cells for n, cells in extra.items() if n > 1})
