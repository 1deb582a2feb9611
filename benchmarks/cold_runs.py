"""Cold `dataset validate` runs against their yardsticks, in A/B pairs, as a Markdown table.

Each job runs ours (A) and its yardstick (B) in turn, N pairs, each a fresh process; the
table gives medians of wall time and peak memory and the median of the paired A/B ratios
(pairing keeps the ratio meaningful on a machine whose speed drifts).

    python benchmarks/cold_runs.py            # 7 pairs per job
    python benchmarks/cold_runs.py --pairs 3
    python benchmarks/cold_runs.py --readme   # and write the table into README.md

Jobs: the shipped package with --skip expectations and with all four layers (yardstick:
importing great-expectations), an 8-row one-table package and a 10,000-column, 3-row
table (yardstick: frictionless validate).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one fresh process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def _pairs(a: list[str], b: list[str], pairs: int) -> dict:
    _run(a), _run(b)  # warm the file cache
    runs = [(_run(a), _run(b)) for _ in range(pairs)]
    return {"a": statistics.median(r[0][0] for r in runs), "a_mib": statistics.median(r[0][1] for r in runs),
            "b": statistics.median(r[1][0] for r in runs), "b_mib": statistics.median(r[1][1] for r in runs),
            "ratio": statistics.median(r[0][0] / r[1][0] for r in runs)}


def _small_package(folder: Path) -> Path:
    (folder / "cities.csv").write_text("id,name,population\n" + "".join(f"{i},city {i},{i * 1000}\n" for i in range(1, 9)),
                                       encoding="utf-8")
    fields = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}, {"name": "population", "type": "integer"}]
    descriptor = {"name": "cities", "resources": [{"name": "cities", "path": "cities.csv",
                                                   "schema": {"fields": fields, "primaryKey": ["id"]}}]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder / "datapackage.json"


def _wide_package(folder: Path, columns: int = 10_000) -> Path:
    kinds = [("integer", "12"), ("number", "3.5"), ("string", "abc"), ("date", "2024-01-02"), ("boolean", "true")]
    fields = [{"name": f"c{i}", "type": kinds[i % 5][0]} for i in range(columns)]
    row = ",".join(kinds[i % 5][1] for i in range(columns))
    (folder / "wide.csv").write_text(",".join(f["name"] for f in fields) + "\n" + f"{row}\n" * 3, encoding="utf-8")
    descriptor = {"name": "wide", "resources": [{"name": "wide", "path": "wide.csv", "schema": {"fields": fields}}]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder / "datapackage.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--readme", action="store_true", help="also write the table into README.md (section bench-cold-runs)")
    args = parser.parse_args()
    pairs = args.pairs
    dataset, frictionless = str(BIN / "dataset"), str(BIN / "frictionless")
    shipped = str(ROOT / "datapackage.json")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "small").mkdir()
        (Path(tmp) / "wide").mkdir()
        small, wide = _small_package(Path(tmp) / "small"), _wide_package(Path(tmp) / "wide")
        jobs = [
            ("`--skip expectations`, the shipped package", [dataset, "validate", shipped, "--skip", "expectations"],
             "`frictionless validate`", [frictionless, "validate", shipped]),
            ("all four layers, the shipped package", [dataset, "validate", shipped],
             "`python -c 'import great_expectations'`", [sys.executable, "-c", "import great_expectations"]),
            ("an 8-row, one-table package", [dataset, "validate", str(small)],
             "`frictionless validate`", [frictionless, "validate", str(small)]),
            ("10,000 columns x 3 rows", [dataset, "validate", str(wide)],
             "`frictionless validate`", [frictionless, "validate", str(wide)]),
        ]
        lines = ["| run | ours, wall (s) | ours, peak (MiB) | yardstick | yardstick, wall (s) | yardstick, peak (MiB) | ratio (paired) |",
                 "|---|---:|---:|---|---:|---:|---:|"]
        print("\n".join(lines))
        for name, a, yardstick, b in jobs:
            r = _pairs(a, b, pairs)
            lines.append(f"| {name} | {r['a']:.2f} | {r['a_mib']:.0f} | {yardstick} | {r['b']:.2f} | {r['b_mib']:.0f} | "
                         f"{r['ratio']:.2f} |")
            print(lines[-1], flush=True)
    if args.readme:
        from readme_tables import write

        write("bench-cold-runs", "\n".join(lines))


if __name__ == "__main__":
    main()
