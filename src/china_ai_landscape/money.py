"""Comparable amounts: ``<prefix>amount_usd`` beside every amount, computed, never typed in.

A table with ``<prefix>amount`` and ``<prefix>currency`` fields and a date gets
``<prefix>amount_usd``: the amount converted at the average rate of the date's year from
the package's ``exchange_rates`` table (``year``, ``currency``, ``rate``, ``quoted_as``).
Where the year has no rate, or the currency is unknown, the value stays empty: nothing is
guessed. US dollars are copied as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .package import DataPackage

if TYPE_CHECKING:
    import pyarrow as pa

RATES_TABLE = "exchange_rates"


def amount_fields(package: DataPackage, name: str) -> list[tuple[str, str, str]]:
    """(amount, currency, date) field triples of a table, by naming convention."""
    fields = package.schema(name)["fields"]
    names = {f["name"] for f in fields}
    date = next((f["name"] for f in fields if f.get("type") == "date"), None)
    if date is None:
        return []
    return [(f"{c[:-len('currency')]}amount", c, date) for c in sorted(names)
            if c.endswith("currency") and f"{c[:-len('currency')]}amount" in names]


def usd_per_unit(rates: "pa.Table") -> dict[tuple[int, str], float]:
    """US dollars for one unit of each currency, by (year, currency)."""
    out = {}
    for row in rates.to_pylist():
        rate = row["rate"]
        if rate:
            out[(row["year"], row["currency"])] = rate if row["quoted_as"] == "usd-per-currency" else 1 / rate
    return out


def with_amount_usd(package: DataPackage, name: str, table: "pa.Table", read: Callable[[str], "pa.Table"]) -> "pa.Table":
    """``table`` with ``<prefix>amount_usd`` after each amount it has (see the module doc)."""
    import pyarrow as pa

    triples = amount_fields(package, name)
    if not triples or RATES_TABLE not in package.table_names():
        return table
    rates = usd_per_unit(read(RATES_TABLE))
    for amount, currency, date in triples:
        values = []
        for a, c, d in zip(table.column(amount).to_pylist(), table.column(currency).to_pylist(), table.column(date).to_pylist()):
            factor = 1.0 if c == "USD" else rates.get((d.year, c)) if d is not None else None
            values.append(round(a * factor, 2) if a is not None and factor is not None else None)
        position = table.schema.get_field_index(currency) + 1
        table = table.add_column(position, f"{amount}_usd", pa.array(values, pa.float64()))
    return table
