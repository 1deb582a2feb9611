"""The floor for the tables + rules layers: pyarrow reads each table typed, then counts what
every check of the Table Schema would find, with pyarrow compute kernels and nothing else.

It is what the issue calls "pyarrow typed read + checks": the same work as the tables layer
(required, unique, pattern, length, range, enum, primary and foreign keys) and the synthetic
package's three business rules, but only counts: no row numbers, no messages, no caps, no
batches, one table after another. It is the yardstick the performance issue names: how long
the checks take with nothing said about where a problem is.

``check_counts(descriptor)`` returns {(table, field, check): count}. It needs a package whose
cells all read (the clean one): a typed read stops at the first malformed cell.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from china_ai_landscape.loading import read_table
from china_ai_landscape.package import DataPackage


def _field_counts(column: pa.ChunkedArray, constraints: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    present = pc.drop_null(column)
    if constraints.get("required"):
        counts["required"] = column.null_count
    if constraints.get("unique"):
        counts["unique"] = len(present) - pc.count_distinct(present).as_py()
    if "pattern" in constraints:
        counts["pattern"] = len(present) - pc.sum(pc.match_substring_regex(present, f"^(?:{constraints['pattern']})$")).as_py()
    if "maxLength" in constraints:
        counts["maxLength"] = pc.sum(pc.greater(pc.utf8_length(present), constraints["maxLength"])).as_py() or 0
    if "minimum" in constraints:
        counts["minimum"] = pc.sum(pc.less(present, constraints["minimum"])).as_py() or 0
    if "maximum" in constraints:
        counts["maximum"] = pc.sum(pc.greater(present, constraints["maximum"])).as_py() or 0
    if "enum" in constraints:
        counts["enum"] = len(present) - pc.sum(pc.is_in(present, pa.array(constraints["enum"]))).as_py()
    return counts


def _key_counts(tables: dict[str, pa.Table], name: str, schema: dict) -> dict[tuple, int]:
    counts: dict[tuple, int] = {}
    table = tables[name]
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    if key:
        distinct = table.group_by(key).aggregate([]).num_rows
        counts[(name, ",".join(key), "primary-key")] = table.num_rows - distinct
    for fk in schema.get("foreignKeys", []):
        (field,) = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = fk["reference"]
        (ref_field,) = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        parent = tables[ref.get("resource") or name].column(ref_field)
        child = pc.drop_null(table.column(field))
        counts[(name, field, "foreign-key")] = len(child) - pc.sum(pc.is_in(child, parent.combine_chunks())).as_py()
    return counts


def _synthetic_rule_counts(investments: pa.Table) -> dict[tuple, int]:
    """The synthetic package's own rules (benchmarks/synthetic.py), in pyarrow."""
    today = pa.scalar(dt.date.today(), pa.date32())
    broken = {
        "investor-is-investee": pc.equal(investments["investor_id"], investments["investee_id"]),
        "amount-without-currency": pc.and_(pc.is_valid(investments["amount"]), pc.is_null(investments["currency"])),
        "date-in-future": pc.greater(investments["date"], today),
    }
    return {("investments", rule, "rule"): pc.sum(mask).as_py() or 0 for rule, mask in broken.items()}


def check_counts(descriptor: str) -> dict[tuple, int]:
    package = DataPackage(descriptor)
    tables = {name: read_table(package, name) for name in package.table_names()}
    counts: dict[tuple, int] = {}
    for name, table in tables.items():
        schema = package.schema(name)
        for field in schema["fields"]:
            for check, n in _field_counts(table.column(field["name"]), field.get("constraints", {})).items():
                counts[(name, field["name"], check)] = n
        counts.update(_key_counts(tables, name, schema))
    if "investments" in tables and "investor_id" in tables["investments"].column_names:
        counts.update(_synthetic_rule_counts(tables["investments"]))
    return counts
