"""Shared fixtures and helpers.

The repository root, tests/ and tests/corpus/ go on sys.path so that tests can import
benchmarks.synthetic, the conformance helper and the corpus cases.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest

from china_ai_landscape.package import DataPackage

REPO = Path(__file__).resolve().parents[1]
for extra in (REPO, REPO / "tests", REPO / "tests" / "corpus"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def package() -> DataPackage:
    return DataPackage(REPO / "datapackage.json")


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A writable copy of this repository's data package; returns its folder."""
    dest = tmp_path / "pkg"
    dest.mkdir()
    shutil.copy(REPO / "datapackage.json", dest)
    shutil.copytree(REPO / "data", dest / "data")
    shutil.copytree(REPO / "schemas", dest / "schemas")
    return dest


def digest_tree(root: Path) -> dict[str, str]:
    """sha256 of every file under root, to show that nothing was written or changed."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def digest():
    return digest_tree
