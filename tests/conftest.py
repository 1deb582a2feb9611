import shutil
from pathlib import Path

import pytest

from china_ai_landscape.package import DataPackage

REPO = Path(__file__).resolve().parents[1]


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
