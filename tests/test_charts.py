"""The dataset card's charts are generated from the data, and a test notices when they are stale."""

from __future__ import annotations

import csv
import io

from china_ai_landscape.charts import CHARTS, FOLDER, specs, stale
from china_ai_landscape.package import DataPackage


def test_the_committed_charts_match_the_data(repo_root):
    assert stale(DataPackage(repo_root), repo_root / FOLDER) == [], "run python -m china_ai_landscape.charts"
    for name in CHARTS:
        assert (repo_root / FOLDER / f"{name}.svg").read_text(encoding="utf-8").startswith("<svg")


def test_a_change_in_the_data_makes_a_chart_stale(package_copy, repo_root):
    path = package_copy / "data" / "events.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[0] = {**rows[0], "kind": "summit" if rows[0]["kind"] != "summit" else "report"}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    assert "events-per-kind" in stale(DataPackage(package_copy), repo_root / FOLDER)


def test_every_chart_carries_its_data_inline(repo_root):
    for name, text in specs(DataPackage(repo_root)).items():
        assert '"datasets"' in text or '"values"' in text, name
