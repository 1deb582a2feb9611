"""What publishing changes in the repository: the descriptor's version and CHANGELOG.md."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

from ..errors import DatasetError

_TOP_LEVEL_VERSION = re.compile(r'^(  "version"\s*:\s*)"[^"]*"', re.MULTILINE)
_SECTION = re.compile(r"^## \[(?P<name>[^\]]+)\].*$", re.MULTILINE)
CHANGELOG_HEADER = "# Changelog\n\n## [Unreleased]\n"


def descriptor_with_version(path: Path, version: str) -> str | None:
    """The text of a ``datapackage.json`` with its top-level ``version`` set, only that line changed.

    The package version is read from this line by hatchling; None when it already says
    ``version``.
    """
    text = path.read_text(encoding="utf-8")
    if json.loads(text).get("version") == version:
        return None
    updated, count = _TOP_LEVEL_VERSION.subn(rf'\g<1>"{version}"', text, count=1)
    if count != 1 or json.loads(updated).get("version") != version:
        raise DatasetError(f'{path}: cannot find its top-level "version" line to set it to {version}')
    return updated


def changelog_with_section(path: Path, version: str, data_changes: list[str], date: datetime.date) -> str | None:
    """The changelog with ``## [Unreleased]`` turned into a dated ``## [version]`` section.

    Entries written under Unreleased move into the new section, after a "Data" list; an
    empty Unreleased section stays on top. None when the changelog already has a section
    for ``version``.
    """
    text = _with_unreleased(path.read_text(encoding="utf-8") if path.exists() else CHANGELOG_HEADER)
    sections = list(_SECTION.finditer(text))
    if any(m["name"] == version for m in sections):
        return None
    unreleased = next(m for m in sections if m["name"].lower() == "unreleased")
    following = next((m for m in sections if m.start() > unreleased.start()), None)
    body_end = following.start() if following else len(text)
    moved = text[unreleased.end():body_end].strip("\n")
    section = f"## [{version}] - {date.isoformat()}\n\n### Data\n" + "".join(f"- {line}\n" for line in data_changes)
    if moved:
        section += f"\n{moved}\n"
    rest = "\n" + text[body_end:] if following else ""
    return (text[:unreleased.end()] + "\n\n" + section + rest).rstrip("\n") + "\n"


def _with_unreleased(text: str) -> str:
    """The changelog text with an ``## [Unreleased]`` section (added before the first release)."""
    sections = list(_SECTION.finditer(text))
    if any(m["name"].lower() == "unreleased" for m in sections):
        return text
    start = sections[0].start() if sections else len(text)
    return text[:start].rstrip("\n") + "\n\n## [Unreleased]\n\n" + text[start:]
