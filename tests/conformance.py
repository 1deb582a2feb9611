"""Compare the tables layer with frictionless on the same package: (table, row, field, code).

frictionless is the reference. Its locations are normalised the way our findings state
them: header errors are on row 1; a foreign-key or primary-key error names its key fields;
errors about a whole file (encoding, source, scheme) have no row or field.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from china_ai_landscape.errors import DatasetError
from china_ai_landscape.package import DataPackage
from china_ai_landscape.validation import validate

HEADER = {"blank-label", "duplicate-label", "extra-label", "incorrect-label", "missing-label"}
WHOLE_FILE = {"encoding-error", "source-error", "scheme-error", "byte-count", "hash-count"}


def _normalise(table, row, field, code):
    if code in HEADER:
        row = 1
    if code in WHOLE_FILE:
        row, field = None, None
    if code in ("extra-cell", "blank-row"):
        field = None
    return (table, row, field or None, code)


def frictionless_locations(path: Path) -> set[tuple]:
    import frictionless

    package = DataPackage(path)
    return frictionless_report_locations(package, frictionless.validate(str(package.path), limit_errors=10**7))


def frictionless_report_locations(package: DataPackage, report) -> set[tuple]:
    found = set()
    for task in report.tasks:
        try:
            schema = package.schema(task.name) if task.name in package.table_names() else {}
        except DatasetError:  # no schema: frictionless inferred one
            schema = {}
        pk = schema.get("primaryKey") or []
        pk = [pk] if isinstance(pk, str) else pk
        for error in task.errors:
            field = getattr(error, "field_name", None)
            if error.type == "foreign-key":
                field = ",".join(error.field_names)
            elif error.type == "primary-key":
                field = ",".join(pk)
            found.add(_normalise(task.name, getattr(error, "row_number", None), field, error.type))
    return found


def our_locations(path: Path) -> set[tuple]:
    return report_locations(validate(path, skip=("rules", "expectations")))


def report_locations(report) -> set[tuple]:
    return {_normalise(f.table, f.row, f.field, f.code) for f in report.findings
            if f.severity == "error" and (f.layer == "tables" or f.code in WHOLE_FILE)}


def _referencing(package: DataPackage, broken: set[str]) -> set[str]:
    """Tables with a foreign key into a table whose file cannot be read."""
    out = set()
    for name in package.table_names():
        resource = package.resource(name)
        schema = package.schema(name) if isinstance(resource.get("schema"), (str, dict)) else {}
        for fk in schema.get("foreignKeys") or []:
            if (fk.get("reference") or {}).get("resource") in broken:
                out.add(name)
    return out


def without_cascades(path: Path, ours: set, theirs: set) -> set:
    """frictionless's locations minus its cascades into tables referring to an unreadable file."""
    broken = {table for table, _, _, code in theirs if code in WHOLE_FILE - {"byte-count", "hash-count"}}
    broken = {t for t in broken if any(o[0] == t and o[3] in WHOLE_FILE for o in ours)}
    cascades = _referencing(DataPackage(path), broken) - broken
    return {t for t in theirs if t[0] not in cascades or t[3] not in WHOLE_FILE | {"foreign-key"}}


def compare(path: Path) -> tuple[set, set]:
    """Our locations and frictionless's, without frictionless's cascades.

    When a referenced file cannot be read, frictionless also reports its error (or every
    foreign key as dangling) in each table that refers to it; we report it once, where it is.
    """
    ours, theirs = our_locations(Path(path)), frictionless_locations(Path(path))
    return ours, without_cascades(Path(path), ours, theirs)


@contextmanager
def described(path: Path):
    """The descriptor of a package: ``path`` itself, or the unpacked copy of a zipped package."""
    from china_ai_landscape.zipped import is_zipped, unpacked

    if is_zipped(path):
        with unpacked(path) as inner:
            yield inner
    else:
        yield path


def frictionless_verdict(path: Path) -> tuple[bool, set[tuple]]:
    """frictionless's verdict and its (table, row, field, code) locations for one package."""
    import frictionless

    report = frictionless.validate(str(path), limit_errors=10**7)
    with described(path) as descriptor:
        return report.valid, frictionless_report_locations(DataPackage(descriptor), report)


def our_verdict(path: Path) -> tuple[bool, set[tuple]]:
    """Our verdict (descriptor and tables layers) and our locations for one package."""
    report = validate(path, skip=("rules", "expectations"))
    return report.ok, report_locations(report)
