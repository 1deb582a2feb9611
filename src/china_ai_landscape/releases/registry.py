"""The registry of published releases: every file of every release with its size and SHA-256.

It ships inside the package (``registry.json`` next to this module), so an installed
package knows, without asking any server, what each release it has heard of must contain.
``dataset publish`` adds the release it builds to the repository's copy of the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import DatasetError
from ..package import read_json
from . import versions

FILE_NAME = "registry.json"
# Where the registry lives in a source checkout of this project (publish writes it there).
REPOSITORY_PATH = Path("src") / "china_ai_landscape" / "releases" / FILE_NAME


@dataclass(frozen=True)
class FileRecord:
    """One file of a release: its size in bytes and its hex SHA-256."""

    bytes: int
    sha256: str


class Registry:
    """Known releases: version -> {file name: FileRecord}, and the tools each was built with.

    Parquet bytes depend on the pyarrow (and bundled zstd) version, so a release is
    reproduced byte for byte with the pyarrow version recorded in ``built_with``.
    """

    def __init__(self, releases: dict[str, dict[str, FileRecord]] | None = None, path: Path | None = None,
                 built_with: dict[str, dict[str, str]] | None = None):
        self.releases = releases or {}
        self.path = path
        self.built_with = built_with or {}

    @classmethod
    def read(cls, path: Path | str) -> "Registry":
        """Read a registry file; a missing file is an empty registry."""
        path = Path(path)
        if not path.exists():
            return cls({}, path)
        data = read_json(path)
        try:
            releases = {
                version: {name: FileRecord(int(rec["bytes"]), str(rec["sha256"])) for name, rec in entry["files"].items()}
                for version, entry in data.get("releases", {}).items()
            }
            built_with = {version: dict(entry.get("built_with", {})) for version, entry in data.get("releases", {}).items()}
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise DatasetError(f"{path}: not a release registry ({exc!r})") from None
        return cls(releases, path, built_with)

    @classmethod
    def shipped(cls) -> "Registry":
        """The registry installed with this package."""
        with resources.as_file(resources.files(__package__) / FILE_NAME) as path:
            return cls.read(path)

    def versions(self) -> list[str]:
        """Known versions, oldest first."""
        return versions.ordered(self.releases)

    def latest(self) -> str | None:
        return versions.latest(self.releases)

    def files(self, version: str) -> dict[str, FileRecord] | None:
        return self.releases.get(version)

    def add(self, version: str, files: dict[str, FileRecord], built_with: dict[str, str]) -> None:
        if version in self.releases:
            raise DatasetError(f"version {version} is already in the release registry {self.path}")
        self.releases[version] = dict(files)
        self.built_with[version] = dict(built_with)

    def to_json(self) -> str:
        data = {
            "releases": {
                version: {
                    "built_with": dict(sorted(self.built_with.get(version, {}).items())),
                    "files": {name: {"bytes": rec.bytes, "sha256": rec.sha256} for name, rec in sorted(self.releases[version].items())},
                }
                for version in self.versions()
            }
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
