"""One error model for every layer: a ``Finding`` and the ``Report`` that collects them.

A finding is a small value (code, message, table, row, field, layer, severity). ``row``
counts CSV records as frictionless does (the header is row 1); ``line`` is the physical
line in the file when it differs (a quoted value spanning lines), for annotations.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Iterable

LAYERS = ("descriptor", "tables", "rules", "expectations")
SEVERITIES = ("error", "warning")
FORMATS = ("text", "json", "github")


@dataclass(frozen=True)
class Finding:
    """One problem found in a data package, with where it is and how to fix it."""

    code: str
    message: str
    table: str | None = None
    row: int | None = None
    field: str | None = None
    layer: str = "tables"
    severity: str = "error"
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def sort_key(self) -> tuple:
        return (self.table or "", self.row or 0, self.field or "", self.code)


@dataclass
class Report:
    """Findings of one validation run, renderable as text, JSON or GitHub annotations."""

    package: str
    findings: list[Finding] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    base: str = ""  # the package folder relative to the working directory, for annotations

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def to_dict(self) -> dict:
        return {
            "package": self.package,
            "valid": self.ok,
            "layers": self.layers,
            "skipped": self.skipped,
            "notes": self.notes,
            "counts": {"errors": len(self.errors), "warnings": len(self.warnings)},
            "findings": [f.to_dict() for f in self.findings],
        }

    def render(self, fmt: str = "text") -> str:
        if fmt == "json":
            return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
        if fmt == "github":
            return render_github(self)
        if fmt == "text":
            return render_text(self)
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def _location(f: Finding) -> str:
    parts = []
    if f.row is not None:
        parts.append(f"row {f.row}")
    if f.field:
        parts.append(f.field)
    return ", ".join(parts) or "-"


def render_text(report: Report) -> str:
    """Findings grouped by table, one line each; a summary line last."""
    lines = []
    groups: dict[str, list[Finding]] = {}
    for f in report.findings:
        groups.setdefault(f.file or f.table or "package", []).append(f)
    for where, items in groups.items():
        lines.append(f"{where}")
        width = max(len(_location(f)) for f in items)
        for f in sorted(items, key=Finding.sort_key):
            mark = "error  " if f.severity == "error" else "warning"
            lines.append(f"  {mark} {_location(f):<{width}}  {f.message}  [{f.code}, {f.layer}]")
        lines.append("")
    for note in report.notes:
        lines.append(f"note: {note}")
    status = "valid" if report.ok else "INVALID"
    ran = ", ".join(report.layers) or "none"
    skipped = f"; skipped: {', '.join(report.skipped)}" if report.skipped else ""
    lines.append(
        f"{report.package}: {status} — {len(report.errors)} error(s), {len(report.warnings)} warning(s)"
        f" (layers: {ran}{skipped})"
    )
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """GitHub Actions workflow commands, so a pull request shows findings on its lines."""
    out = []
    for f in report.findings:
        props = []
        if f.file:
            path = f"{report.base}/{f.file}" if report.base else f.file
            props.append(f"file={_escape_property(path)}")
            line = f.line or f.row
            if line:
                props.append(f"line={line}")
        title = f"{f.code} ({f.table or 'package'}{', ' + f.field if f.field else ''})"
        props.append(f"title={_escape_property(title)}")
        out.append(f"::{f.severity} {','.join(props)}::{_escape_data(f.message)}")
    out.append(f"{report.package}: {'valid' if report.ok else 'INVALID'} — {len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    return "\n".join(out)
