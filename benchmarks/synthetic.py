"""A synthetic data package for benchmarks and conformance tests, with planted errors.

companies (id, name, country, founded) and investments (string id, two foreign keys into
companies, date, nullable amount, enum currency, enum round). ``plant`` puts a known number
of each kind of mistake at deterministic rows; ``RULESET`` gives the package its own
business rules through the pluggable rules API (this dataset's rules do not apply to it).

    python benchmarks/synthetic.py OUT_DIR [--companies N] [--investments N] [--plant N]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

NAME = "synthetic-investments"
CURRENCIES = ["CNY", "USD", "HKD", "EUR"]
ROUNDS = ["seed", "series-a", "series-b", "series-c", "strategic", "ipo"]
SLUG = "^[a-z0-9]+(-[a-z0-9]+)*$"

COMPANIES_SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True, "pattern": SLUG}},
        {"name": "name", "type": "string", "constraints": {"required": True, "maxLength": 200}},
        {"name": "country", "type": "string", "constraints": {"pattern": "^[A-Z]{2}$"}},
        {"name": "founded", "type": "integer", "constraints": {"minimum": 1800, "maximum": 2100}},
    ],
    "primaryKey": ["id"],
}
INVESTMENTS_SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True, "pattern": SLUG}},
        {"name": "investee_id", "type": "string", "constraints": {"required": True}},
        {"name": "investor_id", "type": "string"},
        {"name": "date", "type": "date", "constraints": {"required": True}},
        {"name": "amount", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "currency", "type": "string", "constraints": {"enum": CURRENCIES}},
        {"name": "round", "type": "string", "constraints": {"enum": ROUNDS}},
    ],
    "primaryKey": ["id"],
    "foreignKeys": [
        {"fields": ["investee_id"], "reference": {"resource": "companies", "fields": ["id"]}},
        {"fields": ["investor_id"], "reference": {"resource": "companies", "fields": ["id"]}},
    ],
}


def _descriptor() -> dict:
    def resource(name: str) -> dict:
        return {"name": name, "path": f"data/{name}.csv", "format": "csv", "encoding": "utf-8", "schema": f"schemas/{name}.json"}

    return {"name": NAME, "title": "Synthetic companies and investments", "licenses": [{"name": "CC0-1.0"}],
            "resources": [resource("companies"), resource("investments")]}


def _companies(n: int, rng: np.random.Generator):
    import polars as pl

    ids = [f"company-{i}" for i in range(n)]
    return pl.DataFrame({
        "id": ids,
        "name": [f"Company {i}" for i in range(n)],
        "country": rng.choice(["CN", "US", "HK", "SG"], n),
        "founded": rng.integers(1950, 2024, n).astype(str),
    })


def _investments(n: int, companies: int, rng: np.random.Generator):
    import polars as pl

    investee = rng.integers(0, companies, n)
    investor = (investee + rng.integers(1, companies, n)) % companies  # never the investee
    has_investor = rng.random(n) < 0.9
    days = rng.integers(0, 365 * 20, n)
    amount = rng.integers(100_000, 5_000_000_000, n)
    has_amount = rng.random(n) < 0.7
    frame = pl.DataFrame({
        "id": [f"inv-{i}" for i in range(n)],
        "investee_id": investee, "investor_id": investor,
        "date": (np.datetime64("2004-01-01") + days.astype("timedelta64[D]")).astype(str),
        "amount": amount.astype(str),
        "currency": rng.choice(CURRENCIES, n),
        "round": rng.choice(ROUNDS, n),
    })
    return frame.with_columns(
        ("company-" + pl.col("investee_id").cast(pl.String)).alias("investee_id"),
        pl.when(pl.Series(has_investor)).then("company-" + pl.col("investor_id").cast(pl.String)).alias("investor_id"),
        pl.when(pl.Series(has_amount)).then(pl.col("amount")).alias("amount"),
        pl.when(pl.Series(has_amount)).then(pl.col("currency")).alias("currency"),
    )


# Cell mistakes: (table, column, value); "{dup}" is an id that already exists.
_CELL_ERRORS = [
    ("investments", "date", "2021-02-30"), ("investments", "date", ""), ("investments", "amount", "12x"),
    ("investments", "amount", "-5"), ("investments", "currency", "XXX"), ("investments", "round", "series-z"),
    ("investments", "investee_id", "ghost-company"), ("investments", "investor_id", "nobody-at-all"),
    ("investments", "id", "{dup}"), ("investments", "id", "Not A Slug"),
    ("companies", "founded", "19x0"), ("companies", "founded", "1700"), ("companies", "country", "cn"),
    ("companies", "id", "{dup}"),
]


def _plant_cells(frame, table: str, per_kind: int, rng: np.random.Generator):
    """Cell mistakes at random rows; a repeated id is a copy of an existing row, appended."""
    import polars as pl

    columns = {c: frame.get_column(c).to_list() for c in frame.columns}
    for target, column, value in _CELL_ERRORS:
        if target != table:
            continue
        for row in rng.choice(np.arange(1, frame.height), per_kind, replace=False):
            if value == "{dup}":
                for name, values in columns.items():
                    values.append(values[row])
            else:
                columns[column][row] = value
    return pl.DataFrame(columns, schema={c: pl.String for c in columns})


def _plant_rows(text: str, per_kind: int, rng: np.random.Generator) -> str:
    """Row-level mistakes: an extra cell, a missing cell, a blank line, a self-investment."""
    lines = text.split("\n")
    rows = rng.choice(np.arange(1, len(lines) - 2), 4 * per_kind, replace=False)
    for i, row in enumerate(rows):
        kind = i % 4
        if kind == 0:
            lines[row] += ",surplus"
        elif kind == 1:
            lines[row] = lines[row].rsplit(",", 1)[0]
        elif kind == 2:
            lines[row] = ""
        else:
            cells = lines[row].split(",")
            cells[2] = cells[1]  # investor = investee: a business rule, not a Table Schema rule
            lines[row] = ",".join(cells)
    return "\n".join(lines)


def write_package(root: Path | str, companies: int = 10_000, investments: int = 1_000_000, plant: int = 0, seed: int = 7) -> Path:
    """Write the package into ``root``; ``plant`` mistakes of each kind when > 0."""
    root = Path(root)
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "schemas").mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    (root / "datapackage.json").write_text(json.dumps(_descriptor(), indent=2) + "\n")
    (root / "schemas/companies.json").write_text(json.dumps(COMPANIES_SCHEMA, indent=2) + "\n")
    (root / "schemas/investments.json").write_text(json.dumps(INVESTMENTS_SCHEMA, indent=2) + "\n")
    frames = {"companies": _companies(companies, rng), "investments": _investments(investments, companies, rng)}
    for name, frame in frames.items():
        if plant:
            frame = _plant_cells(frame, name, plant, rng)
        text = frame.write_csv(null_value="")
        if plant and name == "investments":
            text = _plant_rows(text, plant, rng)
        (root / f"data/{name}.csv").write_text(text, encoding="utf-8")
    return root / "datapackage.json"


def _ruleset():
    """This package's own business rules, brought through the pluggable rules API."""
    import polars as pl

    from china_ai_landscape.validation.rules import Rule, RuleSet

    def rules(ctx):
        yield Rule("investor-is-investee", "investments", "investor_id", lambda c: pl.col("investor_id") != pl.col("investee_id"),
                   "{investor_id} invests in itself in {id}")
        yield Rule("amount-without-currency", "investments", "currency",
                   lambda c: pl.col("amount").is_null() | pl.col("currency").is_not_null(), "amount {amount} has no currency")
        yield Rule("date-in-future", "investments", "date", lambda c: pl.col("date") <= c.today, "date {date} is in the future")

    return RuleSet(NAME, lambda package: package.descriptor.get("name") == NAME, rules)


def register_rules() -> None:
    from china_ai_landscape.validation.rules import register

    register(_ruleset())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--investments", type=int, default=1_000_000)
    parser.add_argument("--plant", type=int, default=0, help="mistakes of each kind to plant")
    args = parser.parse_args()
    print(write_package(args.out, args.companies, args.investments, args.plant))


if __name__ == "__main__":
    main()
