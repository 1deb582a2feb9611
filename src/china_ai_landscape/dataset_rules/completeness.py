"""How complete the data is where it matters: figures over derived views of the tables.

Some questions span tables ("models of Chinese developers with a primary source"), so they
are answered on *views*: frames derived from the typed tables, each with a small Table
Schema whose fields carry ``expectations`` like any table's. The expectations layer checks
them; ``figures()`` prints them into the README. One definition, two uses: the README
cannot drift from what validation guards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

from .rules import WEAK_SOURCE_KINDS

ROW = "__row"


@dataclass(frozen=True)
class View:
    """A derived frame and the schema (with expectations) of its columns."""

    name: str
    title: str
    build: Callable[[dict[str, pl.DataFrame]], pl.DataFrame]
    schema: dict


def _filled(name: str, description: str, mostly: float) -> dict:
    return {"name": name, "type": "string", "description": description,
            "expectations": [{"filled": mostly, "severity": "error"}]}


def _chinese_models(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    companies = frames["companies"].select(pl.col("id").alias("developer_id"), pl.col("country"))
    primary = frames["sources"].filter(pl.col("kind") == "primary").get_column("id").implode()
    models = frames["models"].join(companies, on="developer_id", how="left").filter(pl.col("country") == "CN")
    dated = pl.coalesce("announced", "released", "internal_testing").cast(pl.String)
    cites_primary = pl.col("source_ids").list.eval(pl.element().is_in(primary)).list.any()
    return models.select(pl.col(ROW), dated.alias("dated"),
                         pl.when(cites_primary).then(pl.lit("yes")).alias("primary_source"))


def _chinese_open_weights_models(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    companies = frames["companies"].select(pl.col("id").alias("developer_id"), pl.col("country"))
    models = frames["models"].join(companies, on="developer_id", how="left")
    chosen = models.filter((pl.col("country") == "CN") & (pl.col("access") == "open-weights") & (pl.col("kind") == "model"))
    return chosen.select(pl.col(ROW), pl.col("parameters").cast(pl.String), pl.col("licence"), pl.col("weights_url"))


def _strongly_sourced(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    strong = frames["sources"].filter(~pl.col("kind").is_in(WEAK_SOURCE_KINDS)).get_column("id").implode()
    parts = []
    for table in ("companies", "models", "events", "investments", "programmes", "statistics", "people"):
        if table in frames:
            rows = frames[table].select(pl.col(ROW), pl.lit(table).alias("table"),
                                        pl.col("source_ids").list.eval(pl.element().is_in(strong)).list.any().alias("ok"))
            parts.append(rows)
    frame = pl.concat(parts)
    return frame.select(pl.col(ROW), pl.col("table"), pl.when(pl.col("ok")).then(pl.lit("yes")).alias("strong_source"))


VIEWS = (
    View("chinese_models", "Models of Chinese developers", _chinese_models, {"fields": [
        _filled("dated", "announced, released or internal-testing date", 0.99),
        _filled("primary_source", "cites a primary source (the developer's own material)", 0.95)]}),
    View("chinese_open_weights_models", "Open-weights models of Chinese developers", _chinese_open_weights_models, {"fields": [
        _filled("parameters", "parameter count", 0.95),
        _filled("licence", "licence of the weights", 0.95),
        _filled("weights_url", "page of the weights", 0.99)]}),
    View("main_rows", "Rows of the main tables", _strongly_sourced, {"fields": [
        {"name": "table", "type": "string"},
        _filled("strong_source", "cites a source that is not a reference page or a copy", 0.97)]}),
)


def views(ctx) -> dict[str, tuple[pl.DataFrame, dict]]:
    """The views the expectations layer checks, for a rule context with this dataset's tables."""
    frames = {name: table.frame for name, table in ctx.tables.items()}
    if not {"sources", "companies", "models"} <= set(frames):
        return {}
    return {view.name: (view.build(frames), view.schema) for view in VIEWS}


def _frames(package) -> dict[str, pl.DataFrame]:
    from ..loading import read_table

    frames = {}
    for name in package.table_names():
        frame = pl.from_arrow(read_table(package, name))
        frames[name] = frame.with_columns(pl.int_range(2, frame.height + 2).alias(ROW))
    return frames


def _filled_specs(schema: dict):
    for field in schema.get("fields", []):
        for spec in field.get("expectations") or []:
            if isinstance(spec, dict) and isinstance(spec.get("filled"), (int, float)):
                yield field, spec


def figures(package) -> list[dict]:
    """Every completeness threshold of the package (tables and views) with the share reached."""
    from ..validation.expectations import filled_share

    frames = _frames(package)
    checked = [(name, name, package.schema(name), frames[name]) for name in frames]
    checked += [(view.name, view.title, view.schema, view.build(frames)) for view in VIEWS]
    rows = []
    for name, title, schema, frame in checked:
        for field, spec in _filled_specs(schema):
            where = spec.get("where") or {}
            filled, total = filled_share(frame, field["name"], where)
            scope = title + "".join(f" ({k} = {v})" for k, v in where.items())
            rows.append({"scope": scope, "field": field["name"], "description": field.get("description", ""),
                         "filled": filled, "rows": total, "threshold": spec["filled"], "severity": spec.get("severity", "warning")})
    return rows
