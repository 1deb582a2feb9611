"""Arrow types derived from Table Schema field types: the only mapping in the project."""

from __future__ import annotations

import pyarrow as pa

_SCALAR = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("s"),
    "year": pa.int64(),
    "any": pa.string(),
}


def arrow_type(field: dict) -> pa.DataType:
    """Arrow type for one Table Schema field (a list becomes a list of its item type)."""
    kind = field.get("type", "string")
    if kind == "list":
        return pa.list_(_SCALAR.get(field.get("itemType", "string"), pa.string()))
    return _SCALAR.get(kind, pa.string())


def arrow_field(field: dict) -> pa.Field:
    constraints = field.get("constraints")
    required = isinstance(constraints, dict) and constraints.get("required") is True
    description = field.get("description")
    metadata = {"description": description} if isinstance(description, str) and description else None
    return pa.field(field["name"], arrow_type(field), nullable=not required, metadata=metadata)


def arrow_schema(table_schema: dict) -> pa.Schema:
    return pa.schema([arrow_field(f) for f in table_schema["fields"]])
