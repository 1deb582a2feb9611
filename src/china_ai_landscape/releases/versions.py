"""Release versions: ``X.Y.Z`` strings, their order, and the semantic bumps between them."""

from __future__ import annotations

import re

from ..errors import DatasetError

BUMPS = ("major", "minor", "patch")
_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def parse(version: str) -> tuple[int, int, int]:
    """``"1.2.3"`` -> ``(1, 2, 3)``; anything else is a usage error."""
    match = _VERSION.match(str(version))
    if not match:
        raise DatasetError(f"invalid version {version!r}: expected MAJOR.MINOR.PATCH, for example 0.2.0")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def normalise(version: str) -> str:
    """Accept ``v1.2.3`` as well as ``1.2.3``; return ``1.2.3``."""
    text = str(version).strip()
    text = text[1:] if text.startswith("v") else text
    parse(text)
    return text


def bumped(version: str, level: str) -> str:
    """The smallest version that makes a ``level`` change after ``version``."""
    major, minor, patch = parse(version)
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    if level == "patch":
        return f"{major}.{minor}.{patch + 1}"
    raise ValueError(f"unknown bump level {level!r}")


def latest(versions) -> str | None:
    """The highest of ``versions``, or None when there are none."""
    ordered = sorted(versions, key=parse)
    return ordered[-1] if ordered else None


def ordered(versions) -> list[str]:
    return sorted(versions, key=parse)
