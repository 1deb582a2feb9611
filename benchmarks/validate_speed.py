"""How fast is `dataset validate`? tables + rules against `frictionless validate`, and cold runs.

    python benchmarks/validate_speed.py [--investments 1000000] [--companies 10000] [--plant 20]

1. Generates the synthetic package (benchmarks/out/clean) and a copy with planted mistakes
   (benchmarks/out/planted); see benchmarks/synthetic.py.
2. Times two floors: reading every table typed by its schema with pyarrow, no checks; and
   that read plus the same checks done as bare pyarrow counts (benchmarks/arrow_floor.py).
   Runs frictionless.validate (without its limit of 1000 errors) and our tables + rules
   layers on each, every run in a fresh process that reports its wall time and peak memory
   (ours and the floors: the fastest of --runs processes, default 3; frictionless runs once)
   (VmHWM: the high-water mark of the process after exec, so the generator does not count).
3. Checks that both find the same (table, row, field, code) on the planted copy.
4. Times the cold, full four-layer `dataset validate` on the shipped package, and the
   great-expectations import on its own.

Prints a markdown table. Slow by design (frictionless takes minutes on a million rows).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"

_CHILD = r'''
import json, re, sys, time
sys.path[:0] = [{root!r}, {tests!r}]
start = time.perf_counter()
{body}
print(json.dumps({{"seconds": seconds, "import_seconds": imported - start,
                  "peak_mib": int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1)) / 1024,
                  "locations": [list(x) for x in locations], "findings": count}}, default=str))
'''

_OURS = r'''
from china_ai_landscape.package import DataPackage
from china_ai_landscape.validation import validate
import polars, pandera.polars, frictionless
from benchmarks.synthetic import register_rules
from conformance import report_locations
register_rules()
imported = time.perf_counter()
report = validate({path!r}, skip=("descriptor", "expectations"))
seconds = time.perf_counter() - imported
locations = report_locations(report)
count = len(report.findings)
'''

_FLOOR = r'''
from china_ai_landscape.package import DataPackage
from china_ai_landscape.loading import read_table
import pyarrow
imported = time.perf_counter()
package = DataPackage({path!r})
tables = [read_table(package, name) for name in package.table_names()]
seconds = time.perf_counter() - imported
locations, count = [], 0
'''

_FLOOR_CHECKS = r'''
from benchmarks.arrow_floor import check_counts
imported = time.perf_counter()
counts = check_counts({path!r})
seconds = time.perf_counter() - imported
locations, count = [], sum(counts.values())
'''

_FRICTIONLESS = r'''
import frictionless
from china_ai_landscape.package import DataPackage
from conformance import frictionless_report_locations
imported = time.perf_counter()
report = frictionless.validate({path!r}, limit_errors=10**7)
seconds = time.perf_counter() - imported
locations = frictionless_report_locations(DataPackage({path!r}), report)
count = sum(len(t.errors) for t in report.tasks)
'''


def _child(body: str, path: Path, env: dict | None = None) -> dict:
    code = _CHILD.format(root=str(ROOT), tests=str(ROOT / "tests"), body=body.format(path=str(path / "datapackage.json")))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if done.returncode:
        raise SystemExit(f"benchmark run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _best(body: str, path: Path, runs: int) -> dict:
    """The fastest of ``runs`` fresh processes: on a shared machine the minimum is the figure
    least disturbed by other work (frictionless, at half a minute a run, runs once)."""
    return min((_child(body, path) for _ in range(runs)), key=lambda r: r["seconds"])


def _wall(args: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode


def _dataset_cli() -> str:
    return str(Path(sys.executable).with_name("dataset"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--investments", type=int, default=1_000_000)
    parser.add_argument("--plant", type=int, default=20, help="mistakes of each kind in the planted copy")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per run of ours and the floors; the fastest is kept")
    parser.add_argument("--skip-frictionless", action="store_true", help="only time our layers")
    parser.add_argument("--readme", action="store_true", help="also write the 1M-row table into README.md (section bench-validate)")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from benchmarks.synthetic import write_package
    from conformance import without_cascades

    clean, planted = OUT / "clean", OUT / "planted"
    write_package(clean, args.companies, args.investments)
    write_package(planted, args.companies, args.investments, plant=args.plant)
    size = (clean / "data" / "investments.csv").stat().st_size / 2**20

    rows = []
    results = {}
    floor = _best(_FLOOR, clean, args.runs)
    rows.append(("floor: pyarrow typed read of every table (no checks), clean", floor))
    floor_checks = _best(_FLOOR_CHECKS, clean, args.runs)
    rows.append(("floor: pyarrow typed read + the same checks as counts (benchmarks/arrow_floor.py), clean", floor_checks))
    for label, path in (("clean", clean), ("planted", planted)):
        results[("ours", label)] = ours = _best(_OURS, path, args.runs)
        rows.append((f"tables + rules, {label}", ours))
        if not args.skip_frictionless:
            results[("frictionless", label)] = theirs = _child(_FRICTIONLESS, path)
            rows.append((f"frictionless validate, {label}", theirs))

    print(f"\nSynthetic package: companies {args.companies:,} rows, investments {args.investments:,} rows "
          f"({size:.0f} MiB CSV); planted copy: {args.plant} mistakes of each kind.\n")
    table = ["| run | wall (s) | imports (s) | peak memory (MiB) | findings |", "|---|---:|---:|---:|---:|"]
    table += [f"| {label} | {r['seconds']:.2f} | {r['import_seconds']:.2f} | {r['peak_mib']:.0f} | {r['findings']} |"
              for label, r in rows]
    print("\n".join(table))
    if args.readme:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from readme_tables import write

        write("bench-validate", "\n".join(table))
    ours_clean = results[("ours", "clean")]["seconds"]
    print(f"\nClean run against the floor of reading only: {ours_clean / floor['seconds']:.2f}x; "
          f"against reading + the same checks: {ours_clean / floor_checks['seconds']:.2f}x")
    if not args.skip_frictionless:
        for label in ("clean", "planted"):
            speedup = results[("frictionless", label)]["seconds"] / results[("ours", label)]["seconds"]
            print(f"\nSpeed-up, {label}: {speedup:.1f}x", end="")
        ours = {tuple(x) for x in results[("ours", "planted")]["locations"]}
        theirs = {tuple(x) for x in results[("frictionless", "planted")]["locations"]}
        theirs = without_cascades(planted / "datapackage.json", ours, theirs)
        same = "yes" if ours == theirs else f"NO: {len(ours - theirs)} only ours, {len(theirs - ours)} only frictionless"
        print(f"\nSame (table, row, field, code) on the planted copy: {same} ({len(theirs)} locations)")

    ge_import = float(subprocess.run([sys.executable, "-c", "import time; t = time.perf_counter(); import great_expectations; "
                                      "print(time.perf_counter() - t)"], capture_output=True, text=True, check=True).stdout)
    full, code = _wall([_dataset_cli(), "validate"])
    without_ge, _ = _wall([_dataset_cli(), "validate", "--skip", "expectations"])
    print("\nShipped package, cold `dataset validate` (fresh process each):\n")
    print("| run | wall (s) |")
    print("|---|---:|")
    print(f"| all four layers (exit {code}) | {full:.2f} |")
    print(f"| without expectations (`--skip expectations`) | {without_ge:.2f} |")
    print(f"| `import great_expectations` alone | {ge_import:.2f} |")


if __name__ == "__main__":
    main()
