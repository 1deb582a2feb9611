"""Released data versions (placeholder until publishing and downloads land)."""

from __future__ import annotations

from .errors import DatasetError


def load_release_table(name: str, version: str):
    raise DatasetError(
        f"loading a released version ({version}) is not available yet; "
        "use load(name) for the data shipped with this package"
    )
