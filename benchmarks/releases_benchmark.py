"""Cold load() from the installed package and from a cached release, against peers; release build time.

Each load runs in a fresh Python process (imports included), five times; the median is shown.
The release is built from the data in this checkout with the release builder, served once
from 127.0.0.1 to fill a temporary cache, and then read with the server stopped.

    python benchmarks/releases_benchmark.py            # prints a markdown table
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from china_ai_landscape.package import shipped  # noqa: E402
from china_ai_landscape.releases import download  # noqa: E402
from china_ai_landscape.releases.build import build  # noqa: E402
from china_ai_landscape.releases.registry import Registry  # noqa: E402
from release_helpers import serve  # noqa: E402

RUNS = 5
VERSION = "0.0.1"  # never a real release: read through the descriptor path, like a newer release
TIMED = """
import time; t = time.perf_counter()
{code}
print(time.perf_counter() - t)
"""


def cold(code: str, env: dict | None = None) -> float:
    """Median seconds of ``code`` in a fresh interpreter, imports included."""
    times = []
    for _ in range(RUNS):
        run = subprocess.run([sys.executable, "-c", TIMED.format(code=code)], capture_output=True, text=True,
                             env={**os.environ, **(env or {})}, check=True)
        times.append(float(run.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def build_times(package, folder: Path) -> float:
    times = []
    for i in range(RUNS):
        start = time.perf_counter()
        build(package, VERSION, "# Benchmark\n", folder / f"run{i}" / f"v{VERSION}")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    package = shipped()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build_seconds = build_times(package, work / "builds")
        served = work / "builds" / "run0"
        env = {"CHINA_AI_LANDSCAPE_CACHE": str(work / "cache")}
        with serve(served) as url:
            os.environ.update(env)
            download(VERSION, base_url=url, registry=Registry())
        env["CHINA_AI_LANDSCAPE_RELEASE_URL"] = url  # stopped: the cached release must be read offline
        rows = []
        for name in package.table_names():
            csv = package.data_path(name)
            rows.append((
                name,
                sum(1 for _ in open(csv, encoding="utf-8")) - 1,
                cold(f"from china_ai_landscape import load; load({name!r})"),
                cold(f"from china_ai_landscape import load; load({name!r}, version={VERSION!r})", env),
                cold(f"import pandas; pandas.read_csv({str(csv)!r})"),
            ))
        penguins = cold("import palmerpenguins; palmerpenguins.load_penguins()")
    print(f"Cold load, fresh process, imports included, median of {RUNS} (seconds)\n")
    print("| table | rows | `load(name)` | `load(name, version=...)` cached | `pandas.read_csv` of its CSV |")
    print("|---|--:|--:|--:|--:|")
    for name, count, shipped_s, release_s, pandas_s in rows:
        print(f"| {name} | {count} | {shipped_s:.3f} | {release_s:.3f} | {pandas_s:.3f} |")
    print(f"\n`palmerpenguins.load_penguins()` (344 rows): {penguins:.3f} s")
    print(f"\nRelease build of all {len(rows)} tables (Parquet, CSV, descriptor, sums, zip): "
          f"{build_seconds:.3f} s (median of {RUNS}, in process)")


if __name__ == "__main__":
    main()
