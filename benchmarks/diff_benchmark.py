"""How fast and how lean is `dataset diff` against its peers, on a 1,000,000-row table?

Two versions of one table (1% of rows changed, 0.5% removed, 0.5% added), as data packages
in CSV and in Parquet. Each tool runs in its own process; the figures are the time it takes
to read both versions and compare them (interpreter start-up and imports excluded; best of
--repeat runs, and the first run), and the process's peak resident memory (VmHWM). Every
tool must find exactly the counts the generator planted.

    python benchmarks/diff_benchmark.py                      # 1M rows, every tool
    python benchmarks/diff_benchmark.py --rows 100000 --tools ours,polars
    python benchmarks/diff_benchmark.py --daff-rows 100000   # time daff on fewer rows

Peers: daff (pip install daff), datacompy with polars (pip install datacompy polars) and a
plain polars full join. Generated files go to benchmarks/out/diff/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "name", "type": "string"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["model", "product", "series"]}},
        {"name": "parameters", "type": "integer"},
        {"name": "score", "type": "number"},
        {"name": "released", "type": "date"},
        {"name": "open_weights", "type": "boolean"},
        {"name": "source_ids", "type": "list", "itemType": "string", "delimiter": ";"},
        {"name": "description", "type": "string"},
    ],
    "primaryKey": ["id"],
}
CHANGED, REMOVED, ADDED = 0.01, 0.005, 0.005
TOOLS = ("ours", "datacompy", "polars", "daff")


# --- data -----------------------------------------------------------------------------------

def generate(root: Path, rows: int) -> dict:
    """Write old/new packages in CSV and Parquet under root; return the planted counts."""
    import numpy as np

    marker = root / "planted.json"
    if marker.is_file() and json.loads(marker.read_text()).get("rows") == rows:
        return json.loads(marker.read_text())
    rng = np.random.default_rng(20260101)
    old_numbers = np.arange(rows, dtype=np.int64) * 2                 # even numbers: old ids
    removed = rng.choice(rows, int(rows * REMOVED), replace=False)
    keep = np.ones(rows, dtype=bool)
    keep[removed] = False
    added_numbers = rng.choice(rows, int(rows * ADDED), replace=False) * 2 + 1   # odd: new ids
    old = _table(old_numbers, rng)
    survivors = np.flatnonzero(keep)
    changed = np.sort(rng.choice(survivors, int(rows * CHANGED), replace=False))
    new = _change(old, changed)
    new = new.filter(keep)
    new = _concat_sorted(new, _table(added_numbers, rng))
    for fmt in ("csv", "parquet"):
        _write_package(root / f"{fmt}-old", old, fmt)
        _write_package(root / f"{fmt}-new", new, fmt)
    planted = {"rows": rows, "added": len(added_numbers), "removed": len(removed), "changed": len(changed)}
    marker.write_text(json.dumps(planted))
    return planted


def _table(numbers, rng):
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from china_ai_landscape.arrow_types import arrow_schema

    n = len(numbers)
    text = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), 9, "0")
    params = pa.array(rng.integers(1, 10**12, n), mask=rng.random(n) < 0.1)
    sources = pc.binary_join_element_wise("s", pa.array(rng.integers(0, 500, n)).cast(pa.string()), "")
    columns = {
        "id": pc.binary_join_element_wise("m-", text, ""),
        "name": pc.binary_join_element_wise("Model ", text, ""),
        "kind": pa.array(np.array(["model", "product", "series"])[rng.integers(0, 3, n)]),
        "parameters": params,
        "score": pa.array(np.round(rng.random(n) * 100, 3)),
        "released": pa.array(rng.integers(17000, 20000, n).astype("int32")).cast(pa.date32()),
        "open_weights": pa.array(rng.random(n) < 0.5),
        "source_ids": pc.split_pattern(pc.binary_join_element_wise(sources, "s1", ";"), ";"),
        "description": pc.binary_join_element_wise("A synthetic model used to measure diffs, number ", text, ""),
    }
    return pa.table(columns).cast(arrow_schema(SCHEMA))


def _change(table, rows):
    """Change one field in each of the given rows, cycling through the field types."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    which = np.arange(len(rows)) % 5
    for k, name in enumerate(("name", "parameters", "score", "released", "source_ids")):
        at = rows[which == k]
        column = table.column(name).combine_chunks()
        picked = column.take(pa.array(at))
        if name == "name":
            new = pc.binary_join_element_wise(picked, " v2", "")
        elif name == "parameters":
            new = pc.add(pc.fill_null(picked, 0), 1)
        elif name == "score":
            new = pc.add(picked, 0.5)
        elif name == "released":
            new = pc.cast(pc.cast(pc.add(pc.cast(picked, pa.int32()), 1), pa.int32()), pa.date32())
        else:
            new = pc.split_pattern(pc.binary_join_element_wise(pc.binary_join(picked, ";"), "s999", ";"), ";")
        mask = np.zeros(len(column), dtype=bool)
        mask[at] = True
        positions = np.cumsum(mask) - 1
        merged = pc.if_else(pa.array(mask), new.cast(column.type).take(pa.array(np.where(mask, positions, 0))), column)
        table = table.set_column(table.schema.get_field_index(name), table.schema.field(name), merged)
    return table


def _concat_sorted(a, b):
    """Both tables' rows, sorted by id (data files are kept sorted by primary key)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    both = pa.concat_tables([a, b])
    return both.take(pc.sort_indices(both.column("id")))


def _write_package(folder: Path, table, fmt: str) -> None:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from pyarrow import csv

    (folder / "data").mkdir(parents=True, exist_ok=True)
    path = f"data/models.{fmt}"
    if fmt == "parquet":
        pq.write_table(table, folder / path, compression="zstd")
    else:
        as_text = table.set_column(
            table.schema.get_field_index("source_ids"), "source_ids", pc.binary_join(table.column("source_ids"), ";"))
        csv.write_csv(as_text, folder / path, csv.WriteOptions(quoting_style="needed"))
    descriptor = {"name": "diff-benchmark", "version": "1.0.0",
                  "resources": [{"name": "models", "path": path, "schema": SCHEMA}]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2))


# --- the tools (each runs in a child process) ----------------------------------------------

def run_ours(old: Path, new: Path) -> dict:
    from china_ai_landscape.diffing import diff

    t = diff(old, new).tables["models"]
    return {"added": t.added, "removed": t.removed, "changed": t.changed}


def _polars_read(folder: Path):
    import polars as pl

    fmt = "parquet" if (folder / "data/models.parquet").exists() else "csv"
    if fmt == "parquet":
        return pl.read_parquet(folder / "data/models.parquet")
    return pl.read_csv(folder / "data/models.csv", try_parse_dates=True)


def run_polars(old: Path, new: Path) -> dict:
    import polars as pl

    a, b = _polars_read(old), _polars_read(new)
    joined = a.join(b, on="id", how="full", suffix="_new", coalesce=False)
    value_columns = [c for c in a.columns if c != "id"]
    matched = joined.filter(pl.col("id").is_not_null() & pl.col("id_new").is_not_null())
    differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}_new")) for c in value_columns])
    return {
        "added": joined.filter(pl.col("id").is_null()).height,
        "removed": joined.filter(pl.col("id_new").is_null()).height,
        "changed": matched.filter(differs).height,
    }


def run_datacompy(old: Path, new: Path) -> dict:
    from datacompy.polars import PolarsCompare

    a, b = _polars_read(old), _polars_read(new)
    compare = PolarsCompare(a, b, join_columns="id")
    return {"added": compare.df2_unq_rows.height, "removed": compare.df1_unq_rows.height,
            "changed": compare.all_mismatch().height}


def run_daff(old: Path, new: Path) -> dict:
    import csv

    import daff

    def rows(folder):
        with open(folder / "data/models.csv", newline="", encoding="utf-8") as fh:
            return [row for row in csv.reader(fh)]

    flags = daff.CompareFlags()
    flags.addPrimaryKey("id")
    alignment = daff.Coopy.compareTables(daff.PythonTableView(rows(old)), daff.PythonTableView(rows(new)), flags).align()
    highlighter = daff.TableDiff(alignment, flags)
    highlighter.hilite(daff.PythonTableView([]))
    summary = highlighter.getSummary()
    return {"added": summary.row_inserts, "removed": summary.row_deletes, "changed": summary.row_updates}


RUNNERS = {"ours": run_ours, "polars": run_polars, "datacompy": run_datacompy, "daff": run_daff}


IMPORTS = {
    "ours": ("pyarrow", "pyarrow.compute", "pyarrow.csv", "pyarrow.parquet", "pyarrow.acero", "china_ai_landscape.diffing"),
    "polars": ("polars",),
    "datacompy": ("polars", "datacompy.polars"),
    "daff": ("daff",),
}


def child(tool: str, old: str, new: str, repeat: int) -> None:
    import importlib

    for module in IMPORTS[tool]:
        importlib.import_module(module)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        counts = RUNNERS[tool](Path(old), Path(new))
        times.append(time.perf_counter() - start)
    print(json.dumps({**counts, "first": times[0], "seconds": min(times), "peak_mib": _peak_rss_mib()}))


def _peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, it does not include the
    parent's memory inherited at fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(tool: str, old: Path, new: Path, repeat: int) -> dict:
    """Run one tool in a child process: its counts, first and best seconds, peak RSS."""
    done = subprocess.run([sys.executable, __file__, "--child", tool, str(old), str(new), "--repeat", str(repeat)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit {done.returncode}"}
    return json.loads(done.stdout)


# --- main -----------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--daff-rows", type=int, default=None, help="run daff on this many rows instead (extrapolated)")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--work", type=Path, default=HERE / "out" / "diff")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool (daff: 1); the best is reported")
    parser.add_argument("--readme", action="store_true", help="also write the table into README.md (section bench-diff)")
    parser.add_argument("--child", nargs=3, metavar=("TOOL", "OLD", "NEW"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child, args.repeat)
    tools = args.tools.split(",")
    results = []
    for fmt in args.formats.split(","):
        for tool in tools:
            if tool == "daff" and fmt != "csv":
                continue  # daff reads CSV only
            rows = args.daff_rows if tool == "daff" and args.daff_rows else args.rows
            planted = generate(args.work / str(rows), rows)
            folder = args.work / str(rows)
            repeat = 1 if tool == "daff" else args.repeat
            result = measure(tool, folder / f"{fmt}-old", folder / f"{fmt}-new", repeat)
            results.append((tool, fmt, rows, planted, result))
            print(f"  {tool} {fmt} {rows}: {result}", file=sys.stderr)
    text = report(results, args.rows, args.repeat)
    print(text)
    if args.readme:
        sys.path.insert(0, str(HERE))
        from readme_tables import write

        write("bench-diff", "\n".join(line for line in text.splitlines() if line.startswith("|")))


def report(results, rows: int, repeat: int) -> str:
    lines = [f"Two versions of a {rows:,}-row table (1% rows changed, 0.5% removed, 0.5% added); "
             f"{os.cpu_count()} CPU cores. Seconds to read both versions and compare them (imports "
             f"excluded): best of {repeat} runs in one process (daff: one run), and the first run.", "",
             "| tool | input | rows | seconds (best) | seconds (first run) | peak memory (MiB) | counts exact |",
             "|---|---|--:|--:|--:|--:|---|"]
    for tool, fmt, n, planted, r in results:
        if "error" in r:
            lines.append(f"| {tool} | {fmt} | {n:,} | failed: {r['error']} | | | |")
            continue
        exact = all(r[k] == planted[k] for k in ("added", "removed", "changed"))
        seconds = f"{r['seconds']:.2f}"
        if n != rows:
            seconds += f" (≈{r['seconds'] * rows / n:.0f} at {rows:,}, extrapolated linearly)"
        counts = "yes" if exact else f"no: {r['added']}/{r['removed']}/{r['changed']}"
        lines.append(f"| {tool} | {fmt} | {n:,} | {seconds} | {r['first']:.2f} | {r['peak_mib']:.0f} | {counts} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    main()
