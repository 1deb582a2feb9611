"""How far does one machine go? `tables` + `rules` at 1, 5 and 20 million rows, in batches.

    python benchmarks/scale.py [--sizes 1000000,5000000,20000000] [--frictionless 5000000] [--readme]

For each size, the synthetic package of ``synthetic.py`` (companies 10,000 rows; investments
N rows) and a copy with 20 planted mistakes of each kind are generated under
benchmarks/out/scale-N (20M rows: 1.3 GB of CSV each). Every run is a fresh process that
reports its wall time (imports excluded) and peak memory (VmHWM):

- ours as shipped: a file of 32 MiB or more is checked in batches (``validation/streamed.py``);
- ours with every table read whole (``DATASET_STREAM_ABOVE`` set very high), the way
  validation worked before batches, at the sizes given by --whole;
- the floor: every table read typed by pyarrow, no checks;
- frictionless on the planted copy at the sizes given by --frictionless (slow: about half a
  minute per million rows), with its findings compared with ours at (table, row, field, code).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests"), str(HERE)]

from validate_speed import _FLOOR, _FRICTIONLESS, _OURS, _child  # noqa: E402

WHOLE = {"DATASET_STREAM_ABOVE": str(1 << 62)}


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,5000000,20000000")
    parser.add_argument("--whole", default="1000000,5000000", help="sizes also run with every table read whole")
    parser.add_argument("--frictionless", default="1000000,5000000", help="sizes at which frictionless checks the planted copy")
    parser.add_argument("--readme", action="store_true", help="also write the table into README.md (section bench-scale)")
    args = parser.parse_args()
    from benchmarks.synthetic import write_package
    from conformance import without_cascades

    table = ["| investments | CSV | run | clean: wall (s) | clean: peak (MiB) | planted: wall (s) | planted: peak (MiB) | findings |",
             "|---:|---:|---|---:|---:|---:|---:|---:|"]
    agreement = []
    for size in _sizes(args.sizes):
        out = HERE / "out" / f"scale-{size}"
        clean, planted = out / "clean", out / "planted"
        for folder, plant in ((clean, 0), (planted, 20)):
            if not (folder / "datapackage.json").exists():
                write_package(folder, 10_000, size, plant=plant)
        mib = (clean / "data" / "investments.csv").stat().st_size / 2**20
        runs = [("ours, in batches", _OURS, None)]
        if size in _sizes(args.whole):
            runs.append(("ours, tables read whole", _OURS, WHOLE))
        for label, body, env in runs:
            a, b = _child(body, clean, env), _child(body, planted, env)
            table.append(f"| {size:,} | {mib:,.0f} MiB | {label} | {a['seconds']:.2f} | {a['peak_mib']:,.0f} | "
                         f"{b['seconds']:.2f} | {b['peak_mib']:,.0f} | {b['findings']} |")
            print(table[-1], flush=True)
            if label == "ours, in batches":
                ours = {tuple(x) for x in b["locations"]}
        floor = _child(_FLOOR, clean)
        table.append(f"| {size:,} | {mib:,.0f} MiB | floor: pyarrow typed read, no checks | {floor['seconds']:.2f} | "
                     f"{floor['peak_mib']:,.0f} | | | |")
        print(table[-1], flush=True)
        if size in _sizes(args.frictionless):
            theirs_run = _child(_FRICTIONLESS, planted)
            theirs = without_cascades(planted / "datapackage.json", ours, {tuple(x) for x in theirs_run["locations"]})
            table.append(f"| {size:,} | {mib:,.0f} MiB | frictionless validate | | | {theirs_run['seconds']:.2f} | "
                         f"{theirs_run['peak_mib']:,.0f} | {theirs_run['findings']} |")
            print(table[-1], flush=True)
            same = "yes" if ours == theirs else f"NO: {len(ours - theirs)} only ours, {len(theirs - ours)} only frictionless"
            agreement.append(f"{size:,} rows: same (table, row, field, code) as frictionless on the planted copy: "
                             f"{same} ({len(theirs)} locations)")
    print("\n".join(["", *table, "", *agreement]))
    if args.readme:
        from readme_tables import write

        write("bench-scale", "\n".join(table + [""] + [f"- {line}" for line in agreement]))


if __name__ == "__main__":
    main()
