"""Write a benchmark's Markdown table into its marked section of README.md.

Each benchmark script takes ``--readme``; its table then replaces the lines between
``<!-- BEGIN name -->`` and ``<!-- END name -->`` (the markers the README generator uses), so
the figures in the README are always a benchmark's own output.
"""

from __future__ import annotations

from pathlib import Path

from china_ai_landscape.readme import replace_section

README = Path(__file__).resolve().parent.parent / "README.md"


def write(name: str, table: str) -> None:
    README.write_text(replace_section(README.read_text(encoding="utf-8"), name, table.strip()), encoding="utf-8")
    print(f"README.md: section {name} updated")
