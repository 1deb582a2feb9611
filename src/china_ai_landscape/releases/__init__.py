"""Releases: build them reproducibly (``publish``), fetch them verified (``download``), read them.

Modules: ``build`` (the release folder, byte for byte reproducible), ``registry`` (the hashes
of every known release, shipped in the package), ``download`` (verified, cached fetching),
``publish`` (validate, compare, check the version, build, record), ``repository`` (the
descriptor version and CHANGELOG.md), ``versions`` and ``files`` (helpers).

Importing this package imports neither requests nor the validation toolkit; they are imported
when used.
"""

from __future__ import annotations

from .download import cache_dir, download, known_versions, load_release_table, release_package
from .publish import Published, publish

__all__ = ["Published", "cache_dir", "download", "known_versions", "load_release_table", "publish", "release_package"]
