"""Releases: build them reproducibly, fetch them verified (``download``), read them.

Modules: ``build`` (the release folder, byte for byte reproducible), ``registry`` (the hashes
of every known release, shipped in the package), ``download`` (verified, cached fetching),
``repository`` (the descriptor version and CHANGELOG.md), ``transaction`` (publishing
all-or-nothing), ``versions`` and ``files`` (helpers). Publishing a release (validate,
compare, check the version, build, record) is ``china_ai_landscape.publishing``, one floor
up: it uses this package and ``diffing``.

Importing this package imports neither requests nor the validation toolkit; they are imported
when used.
"""

from __future__ import annotations

from .download import cache_dir, download, known_versions, load_release_table, release_package

__all__ = ["cache_dir", "download", "known_versions", "load_release_table", "release_package"]
