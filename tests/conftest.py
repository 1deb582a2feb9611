"""Shared helpers: the repository root on sys.path (for benchmarks.synthetic and the corpus)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "tests", ROOT / "tests" / "corpus"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))


def digest_tree(root: Path) -> dict[str, str]:
    """sha256 of every file under root, to show that nothing was written or changed."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def digest():
    return digest_tree
