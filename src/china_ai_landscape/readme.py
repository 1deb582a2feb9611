"""Generated parts of README.md: the table overview and the data dictionary.

Both are derived from the descriptor, the Table Schemas and the data, and sit between
``<!-- BEGIN name -->`` and ``<!-- END name -->`` markers. Regenerate with::

    python -m china_ai_landscape.readme          # rewrite ./README.md from ./datapackage.json
    python -m china_ai_landscape.readme --check  # exit 1 when README.md is stale

Run it from the repository's top folder (README.md is not part of the installed package).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .package import DataPackage
from .loading import read_table
from .summary import table_summaries


def _cell(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _constraints(field: dict) -> str:
    parts = []
    for key, value in field.get("constraints", {}).items():
        if key == "required" and value:
            parts.append("required")
        elif key == "unique" and value:
            parts.append("unique")
        elif key == "enum":
            parts.append("one of: " + ", ".join(f"`{v}`" for v in value))
        elif key == "pattern":
            parts.append(f"pattern `{value}`")
        else:
            parts.append(f"{key} {value}")
    return "; ".join(parts)


def _type(field: dict) -> str:
    if field.get("type") == "list":
        return f"list of {field.get('itemType', 'string')} (`{field.get('delimiter', ',')}`-separated)"
    return field.get("type", "string")


def tables_section(package: DataPackage) -> str:
    lines = ["| table | rows | what it holds |", "|---|---:|---|"]
    for row in table_summaries(package):
        lines.append(f"| `{row['name']}` | {row['rows']} | {_cell(row['description'])} |")
    return "\n".join(lines)


def dictionary_section(package: DataPackage) -> str:
    out = []
    for res in package.resources():
        schema = package.schema(res["name"])
        keys = ", ".join(f"`{k}`" for k in schema.get("primaryKey", []))
        out.append(f"### `{res['name']}`\n\n{res.get('description', '')} Primary key: {keys}.\n")
        out.append("| field | type | description | constraints |\n|---|---|---|---|")
        for field in schema["fields"]:
            out.append(f"| `{field['name']}` | {_type(field)} | {_cell(field.get('description'))} | {_cell(_constraints(field))} |")
        refs = [f"`{', '.join(fk['fields'])}` → `{fk['reference']['resource']}.{', '.join(fk['reference']['fields'])}`"
                for fk in schema.get("foreignKeys", [])]
        if refs:
            out.append("\nReferences: " + "; ".join(refs) + ".")
        out.append("")
    return "\n".join(out).rstrip()


def coverage_section(package: DataPackage) -> str:
    """Rows per year for each table, by the first date field of its schema."""
    counts: dict[str, dict[int, int]] = {}
    for res in package.resources():
        schema = package.schema(res["name"])
        date_field = next((f["name"] for f in schema["fields"] if f.get("type") == "date"), None)
        if date_field is None:
            continue
        table = read_table(package, res["name"])
        years = [d.year for d in table.column(date_field).to_pylist() if d is not None]
        counts[f"{res['name']}.{date_field}"] = {y: years.count(y) for y in set(years)}
    years = sorted({y for per_year in counts.values() for y in per_year})
    if not years:
        return "(no dated rows yet)"
    lines = ["| table.field | " + " | ".join(str(y) for y in years) + " |", "|---|" + "---:|" * len(years)]
    for key, per_year in counts.items():
        lines.append(f"| `{key}` | " + " | ".join(str(per_year.get(y, "")) for y in years) + " |")
    return "\n".join(lines)


def completeness_section(package: DataPackage) -> str:
    """Each completeness threshold (from the schemas and the dataset's views) with the share reached."""
    from .dataset_rules.completeness import figures

    lines = ["| rows | field | filled | share | guarded at |", "|---|---|---:|---:|---:|"]
    for row in figures(package):
        share = 100 * row["filled"] / row["rows"] if row["rows"] else 0.0
        lines.append(f"| {_cell(row['scope'])} | `{row['field']}` | {row['filled']} of {row['rows']} | {share:.1f}% | "
                     f"{row['threshold']:.0%} |")
    return "\n".join(lines)


SECTIONS = {"tables": tables_section, "coverage": coverage_section, "completeness": completeness_section,
            "data-dictionary": dictionary_section}


def replace_section(readme_text: str, name: str, content: str) -> str:
    """README text with the part between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` replaced."""
    pattern = re.compile(rf"(<!-- BEGIN {name} -->\n)(?:.*?\n)?(<!-- END {name} -->)", re.S)
    if not pattern.search(readme_text):
        raise ValueError(f"README.md lacks the <!-- BEGIN {name} --> / <!-- END {name} --> markers")
    return pattern.sub(lambda m: m.group(1) + content + "\n" + m.group(2), readme_text)


def render(readme_text: str, package: DataPackage) -> str:
    """README text with every generated section replaced by its current content."""
    for name, build in SECTIONS.items():
        readme_text = replace_section(readme_text, name, build(package))
    return readme_text


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = Path.cwd()
    readme = root / "README.md"
    current = readme.read_text(encoding="utf-8")
    fresh = render(current, DataPackage(root))
    if "--check" in argv:
        if fresh != current:
            print("README.md is stale: run python -m china_ai_landscape.readme", file=sys.stderr)
            return 1
        return 0
    readme.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
