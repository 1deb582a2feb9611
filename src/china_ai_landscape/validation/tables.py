"""The ``tables`` layer: every Table Schema rule, checked column by column with polars.

Header labels, missing and extra cells, blank rows, types and formats, constraints,
unique fields, primary keys and foreign keys (to other tables, to the same table, and
multi-field keys). It reports every bad cell with the row number as frictionless counts
it and frictionless's error codes; tests compare the two on the same packages.
The typed tables it builds are handed to the rules layer.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import polars as pl

from . import cells, streamed, wide
from .batched_keys import KeyIndex, key_fields, key_groups
from .field_checks import LAYER, MAX_PER_CHECK, Check, Collector, collect, field_checks, stage
from .findings import Finding
from ..resource_bytes import ReadProblem, Resource
from .reading import LINE, MAX_COLUMNS, ROW, RawTable, column, read_raw


class TypedTable:
    """One table after the tables layer: typed columns (invalid cells null) plus __row/__line.

    A table read in batches lives in spill files (Arrow IPC, one per batch): ``scan`` reads
    it lazily, for polars' streaming engine; ``frame`` loads it whole only when asked."""

    def __init__(self, name: str, file: str | None, schema: dict, frame: pl.DataFrame | None = None,
                 spill: list[Path] | None = None):
        self.name, self.file, self.schema = name, file, schema
        self._frame, self.spill = frame, spill

    @property
    def frame(self) -> pl.DataFrame:
        if self._frame is None:
            self._frame = self.scan().collect()
        return self._frame

    @property
    def columns(self) -> list[str]:
        return self._frame.columns if self._frame is not None else self.scan().collect_schema().names()

    def scan(self) -> pl.LazyFrame:
        return self._frame.lazy() if self._frame is not None else pl.scan_ipc(self.spill)

    @property
    def streamed(self) -> bool:
        return self._frame is None


@dataclass
class TablesResult:
    findings: list[Finding] = field(default_factory=list)
    tables: dict[str, TypedTable] = field(default_factory=dict)
    # where the tables read in batches are spilled; removed by close() (or when collected)
    spill_dir: tempfile.TemporaryDirectory | None = None

    def close(self) -> None:
        if self.spill_dir is not None:
            self.spill_dir.cleanup()
            self.spill_dir = None


def _fields(schema: dict) -> list[dict]:
    return [f for f in schema.get("fields", []) if isinstance(f, dict)]


def _header_findings(res: Resource, raw: RawTable) -> list[Finding]:
    if not raw.has_header:
        return []
    names = [f.get("name") for f in _fields(res.schema)]
    out = []

    def add(code: str, field: str | None, message: str) -> None:
        out.append(Finding(code, message, res.name, 1, field, LAYER, "error", res.file, 1))

    seen: set[str] = set()
    labels = set(raw.labels)
    for i, label in enumerate(raw.labels):
        name = names[i] if i < len(names) else None
        repeated = label in seen
        seen.add(label)
        if name is None:  # beyond the schema: extra, whether blank or repeated (as frictionless says)
            add("extra-label", None, f'column {i + 1} "{label}" is not in the schema: remove it or add the field to the Table Schema')
        elif label == "":
            add("blank-label", name, f'column {i + 1} has no name in the header: name it "{name}"')
        elif repeated:
            add("duplicate-label", name, f'column {i + 1} repeats the header "{label}": the schema expects "{name}" there')
        elif label != name:
            where = (f'the header has no "{name}" column at all: add it' if name not in labels
                     else "put the columns in the order of the schema")
            add("incorrect-label", name, f'column {i + 1} is "{label}" but the schema expects "{name}" there; {where}')
    for i in range(len(raw.labels), len(names)):
        add("missing-label", names[i], f'the header has no column "{names[i]}" (expected at position {i + 1}): add the column')
    return out


# Table Schema v2 fieldsMatch: how header labels pair with fields when not by position.
NAMED_MODES = ("equal", "subset", "superset", "partial")
_EXTRA_LABELS_ALLOWED = ("subset", "partial")
_MISSING_FIELDS_ALLOWED = ("superset", "partial")  # unless the field is required or in the primary key


def _named_header_findings(res: Resource, raw: RawTable, fields: list[dict], mode: str) -> list[Finding]:
    """Header findings when labels pair with fields by name (as frictionless reports them)."""
    out = []
    names = {f["name"] for f in fields}
    labels = set(raw.labels)
    key = set(res.schema.get("primaryKey") or [])
    if mode not in _EXTRA_LABELS_ALLOWED:
        out += [Finding("extra-label", f'column {i + 1} "{label}" matches no field of the schema ("fieldsMatch": "{mode}")',
                        res.name, 1, None, LAYER, "error", res.file, 1)
                for i, label in enumerate(raw.labels) if label not in names]
    if mode == "partial" and fields and not names & labels:
        out.append(Finding("unmatched-header", f'no column of the header matches a field of the schema ("fieldsMatch": "partial")',
                           res.name, None, None, LAYER, "error", res.file, None))
    for f in fields:
        required = (f.get("constraints") or {}).get("required") or f["name"] in key
        if f["name"] not in labels and (mode not in _MISSING_FIELDS_ALLOWED or required):
            out.append(Finding("missing-label", f'the header has no column "{f["name"]}" ("fieldsMatch": "{mode}"): add it',
                               res.name, 1, f["name"], LAYER, "error", res.file, 1))
    return out


def _matched_by_name(fields: list[dict], raw: RawTable) -> tuple[list[dict], RawTable]:
    """The fields the header names, in header order, and the raw columns moved to match."""
    by_name = {f["name"]: f for f in fields}
    matched = [(i, by_name[label]) for i, label in enumerate(raw.labels) if label in by_name]
    unmatched = [i for i, label in enumerate(raw.labels) if label not in by_name]
    order = [i for i, _ in matched] + unmatched
    frame = raw.frame.select(*[pl.col(column(old)).alias(column(new)) for new, old in enumerate(order)], pl.col(ROW), pl.col(LINE))
    labels = [raw.labels[i] for i in order]
    return [f for _, f in matched], RawTable(labels, frame, raw.extra_cells, raw.has_header)


def _extra_column_names(labels: list[str]) -> list[str]:
    """Names for the header's columns, repeated ones numbered ("name", "name2"), as frictionless names them."""
    named = [label or f"field{i + 1}" for i, label in enumerate(labels)]
    if len(set(named)) == len(named):
        return named
    seen: dict[str, int] = {}
    out = []
    for label in named:
        seen[label] = seen.get(label, 0) + 1
        out.append(f"{label}{seen[label]}" if seen[label] > 1 else label)
    return out


def _row_checks(res: Resource, raw: RawTable, blank: pl.Expr, fields: int) -> tuple[list[Check], list[Finding]]:
    """Blank rows, extra cells, and rows that end before a column the schema does not describe."""
    width = len(raw.labels)
    # one finding per extra cell, as frictionless counts them
    extra = [Finding("extra-cell", f"cell {width + i + 1} is beyond the {width} columns of the header: remove the extra "
                     f'cell "{cells.short(cell)}", or quote a value that contains the delimiter',
                     res.name, row, None, LAYER, "error", res.file, None)
             for row, cells_ in raw.extra_cells.items() for i, cell in enumerate(cells_)]
    checks = [Check("blank-row", None, blank, lambda r: "the row is empty: remove it")]
    names = _extra_column_names(raw.labels) if width > fields else []
    for i in range(fields, width):
        checks.append(Check("missing-cell", names[i], pl.col(column(i)).is_null() & ~blank,
                             lambda r, n=names[i]: f'the row ends before column "{n}" of the header: add the missing cell'))
    return checks, extra


def _key_findings(res: Resource, typed: pl.DataFrame, fields: list[dict], present: set[str]) -> list[Finding]:
    """unique fields and the primary key: every repeat after the first, and empty keys.

    A value counts as repeated when an earlier row has it; the message names that row.
    """
    out = []
    for code, keys in key_groups(res.schema, fields, present):
        cols = [pl.col(k) for k in keys]
        all_null = pl.all_horizontal([c.is_null() for c in cols])
        repeated = typed.filter(~all_null & ~pl.struct(cols).is_first_distinct())
        if code == "primary-key":
            empty = typed.filter(all_null).select(ROW, LINE)
            out += [Finding(code, f"the primary key ({', '.join(keys)}) is empty: every row needs a key", res.name, r, ",".join(keys),
                            LAYER, "error", res.file, line) for r, line in empty.head(MAX_PER_CHECK).iter_rows()]
        if repeated.height == 0:
            continue
        firsts = typed.join(repeated.select(keys).unique(), on=keys, nulls_equal=True).group_by(keys, maintain_order=True).agg(pl.col(ROW).min().alias("first"))
        hits = repeated.join(firsts, on=keys, nulls_equal=True, how="left").sort(ROW)
        for r in hits.head(MAX_PER_CHECK).iter_rows(named=True):
            shown = ", ".join("" if r[k] is None else str(r[k]) for k in keys)
            if code == "unique-error":
                message = f'{keys[0]} "{cells.short(shown)}" already appears in row {r["first"]}: each value must be unique'
            else:
                message = f"the primary key ({', '.join(keys)}) = ({cells.short(shown)}) is already used in row {r['first']}: make it unique or merge the rows"
            out.append(Finding(code, message, res.name, r[ROW], ",".join(keys), LAYER, "error", res.file, r[LINE]))
        if hits.height > MAX_PER_CHECK:
            out.append(Finding(code, f"… and {hits.height - MAX_PER_CHECK} more rows with this problem", res.name, None, ",".join(keys), LAYER, "error", res.file))
    return out


def _check_one(res: Resource, read: Callable[[Resource], bytes], result: TablesResult) -> tuple[list[Finding], TypedTable | None]:
    path = streamed.local_file(res)
    if path is not None:
        if result.spill_dir is None:
            result.spill_dir = tempfile.TemporaryDirectory(prefix="dataset-validate-")
        spill = Path(result.spill_dir.name) / f"{len(list(Path(result.spill_dir.name).iterdir()))}"
        spill.mkdir()
        try:
            return _check_streamed(res, path, spill)
        except (streamed.Unstreamable, OSError):  # e.g. no room for the spill files: read whole instead
            for part in spill.iterdir():
                part.unlink()
    try:
        raw, findings = read_raw(res, read(res))  # the file's bytes are freed once parsed
    except ReadProblem as problem:
        return [Finding(problem.code, f"{res.file} {problem}", res.name, None, None, LAYER, "error", res.file)], None
    if raw is None:
        return findings, None
    fields = _fields(res.schema)
    mode = res.schema.get("fieldsMatch", "exact")
    if mode in NAMED_MODES and raw.has_header:
        findings += _named_header_findings(res, raw, fields, mode)
        fields, raw = _matched_by_name(fields, raw)
    else:
        findings += _header_findings(res, raw)
    width = min(len(raw.labels), len(fields))
    missing_values = res.schema.get("missingValues", [""])
    if wide.applies(width, raw.frame.height):
        return _check_wide(res, raw, fields, width, missing_values, findings)
    frame = raw.frame.with_columns(stage(fields, width, missing_values))
    blank = pl.all_horizontal([pl.col(f"__missing{i}") for i in range(width)]) if width else pl.lit(False)
    frame = frame.with_columns(blank.alias("__blank"))
    blank = pl.col("__blank")
    cell_checks, typed_exprs = field_checks(fields, width, blank)
    row_checks, extra = _row_checks(res, raw, blank, len(fields))
    if frame.height == 0:
        findings.append(Finding("empty-table", "the file has a header but no data rows", res.name, None, None, LAYER, "warning", res.file))
    blank_rows = set(frame.filter(blank).get_column(ROW).to_list()) if frame.height else set()
    findings += [f for f in extra if f.row not in blank_rows]
    findings += collect(res, frame, row_checks + cell_checks)
    typed = frame.select(pl.col(ROW), pl.col(LINE), *[e.alias(n) for n, e in typed_exprs.items()])
    del frame
    return _typed_table(res, typed, set(typed_exprs), findings)


def _check_wide(res: Resource, raw: RawTable, fields: list[dict], width: int, missing_values: list[str],
                findings: list[Finding]) -> tuple[list[Finding], TypedTable]:
    """A very wide table: its cells checked in long format (see ``wide``)."""
    def row_checks(blank: pl.Expr):
        checks, _ = _row_checks(res, raw, blank, len(fields))
        return checks

    cell_findings, typed, blank_rows = wide.check_cells(res, raw.frame, fields[:width], missing_values, row_checks)
    _, extra = _row_checks(res, raw, pl.lit(False), len(fields))
    if raw.frame.height == 0:
        findings.append(Finding("empty-table", "the file has a header but no data rows", res.name, None, None, LAYER, "warning", res.file))
    findings += [f for f in extra if f.row not in blank_rows] + cell_findings
    return _typed_table(res, typed, {f["name"] for f in fields[:width]}, findings)


def _typed_columns(res: Resource, typed: pl.DataFrame, present: set[str]) -> pl.DataFrame:
    """Every field in schema order (null where the file lacks it), typed."""
    fields = _fields(res.schema)
    typed = typed.with_columns(
        pl.lit(None, dtype=cells.polars_dtype(f)).alias(f["name"]) for f in fields if f["name"] not in present
    )
    current = typed.schema  # only the columns not yet of their field's type are cast (wide tables: thousands)
    typed = typed.with_columns(pl.col(f["name"]).cast(dtype, strict=False) for f in fields
                               if current.get(f["name"]) != (dtype := cells.polars_dtype(f)))
    names = [f["name"] for f in fields]
    return typed.select(ROW, LINE, *names) if len(set(names)) == len(names) else typed


def _typed_table(res: Resource, typed: pl.DataFrame, present: set[str], findings: list[Finding]) -> tuple[list[Finding], TypedTable]:
    """The typed table; then the key checks."""
    typed = _typed_columns(res, typed, present)
    findings += _key_findings(res, typed, _fields(res.schema), present)
    return findings, TypedTable(res.name, res.file, res.schema, typed)


def _check_streamed(res: Resource, path: Path, spill: Path, facts: streamed.FileFacts | None = None) -> tuple[list[Finding], TypedTable]:
    """A large file checked batch by batch (see ``streamed``): the same checks and findings
    as ``_check_one``, with the typed batches spilled to disk and the keys kept as hashes."""
    facts = facts or streamed.FileFacts()
    labels = streamed.header(res, path)
    fields = _fields(res.schema)
    width = min(len(labels), len(fields))
    if len(labels) > MAX_COLUMNS or width >= wide.MIN_COLUMNS:
        raise streamed.Unstreamable("too wide")
    header = RawTable(labels, None)
    findings = _header_findings(res, header)
    blank = pl.all_horizontal([pl.col(f"__missing{i}") for i in range(width)]) if width else pl.lit(False)
    cell_checks, typed_exprs = field_checks(fields, width, pl.col("__blank"))
    row_checks, _ = _row_checks(res, header, pl.col("__blank"), len(fields))
    collector = Collector(res, row_checks + cell_checks)
    present = set(typed_exprs)
    keys = KeyIndex(res, fields, present, facts.count_lines)
    staging = stage(fields, width, res.schema.get("missingValues", [""]))
    extras, files, rows = [], [], 0
    for raw in streamed.batches(res, path, max(len(labels), 1), facts):
        frame = raw.frame.with_columns(staging).with_columns(blank.alias("__blank"))
        _, extra = _row_checks(res, RawTable(labels, None, raw.extra_cells), pl.lit(False), len(fields))
        if extra:
            blank_rows = set(frame.filter(pl.col("__blank")).get_column(ROW).to_list())
            extras += [f for f in extra if f.row not in blank_rows]
        collector.add(frame)
        typed = _typed_columns(res, frame.select(pl.col(ROW), pl.col(LINE), *[e.alias(n) for n, e in typed_exprs.items()]), present)
        del frame
        keys.add(typed)
        files.append(spill / f"{len(files):06d}.arrow")
        typed.write_ipc(files[-1])
        rows += typed.height
    if not facts.count_lines and not facts.lines_match():  # a value spans lines: read again, counting them
        for part in files:
            part.unlink()
        facts.count_lines = True
        return _check_streamed(res, path, spill, facts)
    if rows == 0:
        findings.append(Finding("empty-table", "the file has a header but no data rows", res.name, None, None, LAYER, "warning", res.file))
        files.append(spill / "empty.arrow")
        _typed_columns(res, pl.DataFrame(schema={ROW: pl.Int64, LINE: pl.Int64}), set()).write_ipc(files[-1])
    table = TypedTable(res.name, res.file, res.schema, spill=files)
    findings = facts.findings + findings + extras + collector.findings() + keys.findings(table.scan())
    return findings, table


def _foreign_key_findings(table: TypedTable, tables: dict[str, TypedTable]) -> list[Finding]:
    out = []
    for fk in table.schema.get("foreignKeys") or []:
        keys = key_fields(fk.get("fields"))
        ref = fk.get("reference") or {}
        target = tables.get(ref.get("resource") or table.name)
        ref_keys = key_fields(ref.get("fields"))
        if (target is None or not keys or len(keys) != len(ref_keys) or not set(ref_keys) <= set(target.columns)
                or not set(keys) <= set(table.columns)):
            continue  # the descriptor layer reports broken foreign key definitions
        frame = table.scan().filter(~pl.all_horizontal([pl.col(k).is_null() for k in keys]))
        lookup = target.scan().select([pl.col(r).cast(pl.String).alias(k) for r, k in zip(ref_keys, keys)]).unique()
        probe = frame.select(pl.col(ROW), pl.col(LINE), *[pl.col(k).cast(pl.String) for k in keys])
        dangling = probe.join(lookup, on=keys, how="anti", nulls_equal=True)
        count, dangling = _count_and_first(dangling, MAX_PER_CHECK, table.streamed or target.streamed)
        target_name = target.name
        for r in dangling.iter_rows(named=True):
            values = ", ".join("" if r[k] is None else str(r[k]) for k in keys)
            message = (f'{", ".join(keys)} "{cells.short(values)}" matches no {", ".join(ref_keys)} in {target_name}: '
                       f"add that row to {target_name} or correct the reference")
            out.append(Finding("foreign-key", message, table.name, r[ROW], ",".join(keys), LAYER, "error", table.file, r[LINE]))
        if count > MAX_PER_CHECK:
            out.append(Finding("foreign-key", f"… and {count - MAX_PER_CHECK} more rows with this problem", table.name, None, ",".join(keys), LAYER, "error", table.file))
    return out


def _count_and_first(rows: pl.LazyFrame, limit: int, streaming: bool) -> tuple[int, pl.DataFrame]:
    """How many rows, and the first ``limit`` of them by row number; with the streaming
    engine (one pass each, in bounded memory) when a table was read in batches."""
    if not streaming:
        found = rows.collect()
        return found.height, found.sort(ROW).head(limit)
    count = rows.select(pl.len()).collect(engine="streaming").item()
    return count, rows.sort(ROW).head(limit).collect(engine="streaming") if count else rows.head(0).collect()


def check(resources: list[Resource], read: Callable[[Resource], bytes]) -> TablesResult:
    """Check every resource; foreign keys once all tables are typed."""
    result = TablesResult()
    for res in resources:
        findings, typed = _check_one(res, read, result)
        result.findings += findings
        if typed is not None:
            result.tables[res.name] = typed
    for table in result.tables.values():
        result.findings += _foreign_key_findings(table, result.tables)
    return result
