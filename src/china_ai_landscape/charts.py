"""The charts of the dataset card, generated from the data with Vega-Altair.

Each chart is saved twice under ``docs/charts/``: its Vega-Lite specification with the data
inline (``<name>.vl.json``, what the staleness test compares) and an SVG rendered offline
with vl-convert (``<name>.svg``, what the README shows). Regenerate from the repository's
top folder with::

    python -m china_ai_landscape.charts            # rewrite docs/charts/
    python -m china_ai_landscape.charts --check    # exit 1 when a chart is stale
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .api import labelled
from .loading import read_table
from .package import DataPackage

FOLDER = Path("docs") / "charts"
TOP_GROUPS = 8  # developer groups shown by name; the rest are "other"
WIDTH = 640


def _frame(package: DataPackage, name: str):
    return labelled(package, name, lambda table: read_table(package, table)).to_pandas()


def _grouped(frame, column: str = "developer_group_name"):
    top = frame[column].value_counts().head(TOP_GROUPS).index
    frame = frame.copy()
    frame["group"] = frame[column].where(frame[column].isin(top), "other")
    return frame


def models_per_quarter(package: DataPackage):
    import altair as alt

    models = _frame(package, "models")
    models = models[models["developer_country"] == "CN"].copy()
    date = models["released"].fillna(models["announced"])
    models = models[date.notna()].assign(date=date[date.notna()])
    models["quarter"] = [f"{d.year}-Q{(d.month - 1) // 3 + 1}" for d in models["date"]]
    data = _grouped(models).groupby(["quarter", "group"]).size().reset_index(name="models")
    return alt.Chart(data.sort_values(["quarter", "group"]), width=WIDTH,
                     title="Models of Chinese developers released per quarter, by developer group").mark_bar().encode(
        x=alt.X("quarter:O", title="quarter (released, else announced)"),
        y=alt.Y("models:Q", title="models"),
        color=alt.Color("group:N", title="developer group"))


def open_weights_parameters(package: DataPackage):
    import altair as alt

    models = _frame(package, "models")
    chosen = models[(models["developer_country"] == "CN") & (models["access"] == "open-weights")
                    & models["parameters"].notna() & models["released"].notna()].copy()
    chosen["released"] = chosen["released"].astype(str)
    chosen["parameters"] = chosen["parameters"].astype("int64")
    data = _grouped(chosen)[["released", "parameters", "group", "name"]].sort_values(["released", "name"])
    return alt.Chart(data, width=WIDTH, title="Parameter counts of open-weights models over time").mark_circle(size=40).encode(
        x=alt.X("released:T", title="released"),
        y=alt.Y("parameters:Q", scale=alt.Scale(type="log"), title="parameters (log scale)"),
        color=alt.Color("group:N", title="developer group"),
        tooltip=["name:N", "parameters:Q", "released:T"])


def funding_per_year(package: DataPackage):
    import altair as alt

    deals = _frame(package, "investments")
    chosen = deals[deals["kind"].isin(["funding-round", "equity-stake", "acquisition", "ipo"])
                   & deals["amount_usd"].notna() & deals["date"].notna()].copy()
    chosen["year"] = [str(d.year) for d in chosen["date"]]
    data = chosen.groupby(["year", "kind"])["amount_usd"].sum().reset_index()
    data["billions"] = (data["amount_usd"] / 1e9).round(3)
    return alt.Chart(data[["year", "kind", "billions"]].sort_values(["year", "kind"]), width=WIDTH,
                     title="Disclosed funding per year (US$ at the year's average rate; "
                           "state capital increases and grants left out)").mark_bar().encode(
        x=alt.X("year:O", title="year (amounts in CNY, HKD and other currencies count only in 2012-2015 and "
                                "2017-2023, the years with a sourced exchange rate)"),
        y=alt.Y("billions:Q", title="US$ billion"),
        color=alt.Color("kind:N", title="kind of deal"))


def events_per_kind(package: DataPackage):
    import altair as alt

    events = _frame(package, "events")
    events["year"] = [str(d.year) for d in events["date"]]
    data = events.groupby(["year", "kind"]).size().reset_index(name="events")
    return alt.Chart(data.sort_values(["year", "kind"]), width=WIDTH, title="Events per kind per year").mark_bar().encode(
        x=alt.X("year:O", title="year"),
        y=alt.Y("events:Q", title="events"),
        color=alt.Color("kind:N", title="kind"))


CHARTS = {"models-per-quarter": models_per_quarter, "open-weights-parameters": open_weights_parameters,
          "funding-per-year": funding_per_year, "events-per-kind": events_per_kind}


def specs(package: DataPackage) -> dict[str, str]:
    """Every chart's Vega-Lite specification, as the text saved in ``<name>.vl.json``.

    The ``$schema`` line (the Vega-Lite version of the installed Altair) is left out, so
    that only a change in the data or the chart's definition makes a chart stale.
    """
    out = {}
    for name, build in CHARTS.items():
        spec = build(package).to_dict()
        spec.pop("$schema", None)
        out[name] = json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def write(package: DataPackage, folder: Path) -> None:
    import vl_convert

    folder.mkdir(parents=True, exist_ok=True)
    for name, text in specs(package).items():
        (folder / f"{name}.vl.json").write_text(text, encoding="utf-8")
        (folder / f"{name}.svg").write_text(vl_convert.vegalite_to_svg(json.loads(text)), encoding="utf-8")


def stale(package: DataPackage, folder: Path) -> list[str]:
    """Charts whose saved specification differs from the data's."""
    return [name for name, text in specs(package).items()
            if not (folder / f"{name}.vl.json").is_file() or (folder / f"{name}.vl.json").read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    package = DataPackage(Path.cwd())
    folder = Path.cwd() / FOLDER
    if "--check" in argv:
        names = stale(package, folder)
        if names:
            print(f"stale charts: {', '.join(names)}: run python -m china_ai_landscape.charts", file=sys.stderr)
            return 1
        return 0
    write(package, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
