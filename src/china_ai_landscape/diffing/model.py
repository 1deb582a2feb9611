"""The values a diff is made of: one table's row differences, one schema change, the whole diff."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .bump import requirements, strongest
from .render import render, to_dict

if TYPE_CHECKING:
    import pyarrow as pa

@dataclass(frozen=True)
class Change:
    """One schema or descriptor change, with the semver level it requires.

    ``kind`` is a stable kebab-case code (``field-removed``, ``constraint-tightened``, ...);
    ``table`` and ``field`` are None for package-level and table-level changes.
    """

    kind: str
    message: str
    bump: str
    table: str | None = None
    field: str | None = None
    old: Any = None
    new: Any = None


@dataclass
class TableDiff:
    """Row differences of one table.

    ``status`` is ``added`` or ``removed`` (the table exists on one side only) or
    ``compared``. ``key`` names the fields rows were matched on; empty when the table has no
    primary key and whole rows were compared. Counts always satisfy
    ``added + changed + unchanged == new_rows`` and ``removed + changed + unchanged == old_rows``.
    The row tables are Arrow tables: full rows for ``added_rows`` / ``removed_rows``; for
    changed rows, ``changed_old`` and ``changed_new`` hold the fields both sides share and
    ``changed_mask`` says, per non-key field, whether that field changed in that row.
    """

    name: str
    status: str
    key: list[str]
    old_rows: int
    new_rows: int
    added: int = 0
    removed: int = 0
    changed: int = 0
    unchanged: int = 0
    field_changes: dict[str, int] = field(default_factory=dict)
    added_rows: pa.Table | None = None
    removed_rows: pa.Table | None = None
    changed_old: pa.Table | None = None
    changed_new: pa.Table | None = None
    changed_mask: pa.Table | None = None

    @property
    def differs(self) -> bool:
        return self.status != "compared" or bool(self.added or self.removed or self.changed)


@dataclass
class Diff:
    """Everything that differs between two versions of a data package.

    ``tables`` maps table name to its ``TableDiff`` (new-side order, then removed tables);
    ``schema`` lists schema and descriptor changes; ``bump`` is the semver level the change
    requires (``major``, ``minor``, ``patch`` or ``none``) and ``reasons`` says why.
    """

    old: str
    new: str
    old_version: str | None
    new_version: str | None
    tables: dict[str, TableDiff]
    schema: list[Change]
    warnings: list[str] = field(default_factory=list)

    @property
    def requirements(self) -> list[tuple[str, str]]:
        """(level, reason) pairs, strongest level first."""
        return requirements(self)

    @property
    def bump(self) -> str:
        return strongest(level for level, _ in self.requirements)

    @property
    def reasons(self) -> list[str]:
        return [f"{level}: {reason}" for level, reason in self.requirements]

    @property
    def differs(self) -> bool:
        return bool(self.schema) or any(t.differs for t in self.tables.values())

    def to_dict(self, limit: int | None = None) -> dict:
        """A JSON-ready dict with stable keys; ``limit`` caps the sample rows per table and kind."""
        return to_dict(self, limit)

    def render(self, fmt: str = "text", limit: int | None = 10) -> str:
        """The diff as ``text``, ``markdown`` or ``json``; ``limit`` caps sample rows (None: all)."""
        return render(self, fmt, limit)
