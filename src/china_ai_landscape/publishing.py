"""``publish()``: validate, compare with the previous release, check the version, build, record.

Every check runs before anything is written; the release folder appears whole or not at all;
the repository files (descriptor version, CHANGELOG.md, registry) change only after it.
"""

from __future__ import annotations

import copy
import datetime
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DatasetError
from .package import DESCRIPTOR_NAME, DataPackage
from .releases import versions
from .releases.build import build, build_staged, built_with, release_descriptor
from .releases.files import sha256_file
from .releases.registry import REPOSITORY_PATH, FileRecord, Registry
from .releases.repository import changelog_with_section, descriptor_with_version
from .releases.transaction import Transaction, recover

if TYPE_CHECKING:
    from .diffing import Diff


@dataclass
class Published:
    """What ``publish`` did (or, with ``dry_run``, would do)."""

    version: str
    previous: str | None
    bump: str  # major, minor, patch, or "first" for a first release
    changes: list[str]
    files: dict[str, FileRecord]
    folder: Path | None  # None for a dry run
    dry_run: bool = False
    reproduced: bool = False  # an already released version rebuilt byte for byte
    updated: list[Path] = field(default_factory=list)


def publish(path: Path | str = ".", *, version: str | None = None, bump: str | None = None,
            out: Path | str = "dist", dry_run: bool = False, registry: Path | str | None = None,
            base_url: str | None = None, date: datetime.date | None = None) -> Published:
    """Publish the data package at ``path`` as release ``version`` (or the next one, ``bump="auto"``).

    Refuses (DatasetError) invalid data, a version that is not newer than the latest release,
    a version smaller than the changes since that release require, and a release that
    changed nothing. An already released version may be rebuilt only byte for byte.
    ``registry`` defaults to ``src/china_ai_landscape/releases/registry.json`` under the package.
    """
    package = DataPackage(path)
    if (version is None) == (bump is None) or bump not in (None, "auto"):
        raise DatasetError("give either a version (--version X.Y.Z) or --bump auto")
    recovered = [] if dry_run else recover(package.root, Path(out))
    if recovered:
        package = DataPackage(path)  # a finished publish may have changed the descriptor
    known = Registry.read(Path(registry) if registry is not None else package.root / REPOSITORY_PATH)
    target = versions.normalise(version) if version is not None else None
    if target is not None and target not in known.releases:
        _check_newer(target, known)
    check_valid(package)
    previous = versions.latest(v for v in known.versions() if target is None or versions.parse(v) < versions.parse(target))
    old = previous_package(previous, Path(out), known, base_url) if previous else None
    target = target or _next_version(package, old, previous)
    changes = compare(old, package, previous, target) if old is not None else None
    if target not in known.releases and changes is not None:
        _check_bump(target, previous, changes)
    notes = release_notes(package, target, previous, changes)
    summary = data_changes(package, changes)
    bump_level = changes.bump if changes is not None else "first"
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="dataset-publish-") as tmp:
            files = build(package, target, notes, Path(tmp) / f"v{target}")
        if target in known.releases:
            _check_reproduced(files, target, known)
        return Published(target, previous, bump_level, summary, files, None, dry_run=True,
                         reproduced=target in known.releases)
    folder = Path(out) / f"v{target}"
    if target in known.releases and folder.exists():
        return _check_existing(package, known, target, notes, folder, previous, bump_level, summary)
    if target in known.releases:
        files = build(package, target, notes, folder)
        try:
            _check_reproduced(files, target, known)
        except DatasetError:
            shutil.rmtree(folder)
            raise
        return Published(target, previous, bump_level, summary, files, folder, reproduced=True)
    updated = publish_atomically(package, known, target, notes, folder, summary, date or datetime.date.today())
    return Published(target, previous, bump_level, summary, known.files(target), folder, updated=updated)


def _check_existing(package: DataPackage, known: Registry, version: str, notes: str, folder: Path,
                    previous: str | None, bump_level: str, summary: list[str]) -> Published:
    """A released version whose folder is there already (say, a rerun after an interrupted
    publish that had finished): rebuild it aside and check both against the registry."""
    with tempfile.TemporaryDirectory(prefix="dataset-publish-") as tmp:
        files = build(package, version, notes, Path(tmp) / f"v{version}")
    _check_reproduced(files, version, known)
    on_disk = {p.name: FileRecord(p.stat().st_size, sha256_file(p)) for p in sorted(folder.iterdir()) if p.is_file()}
    if on_disk != known.files(version):
        raise DatasetError(f"{folder} does not hold the files the registry records for {version}: "
                           "move it away and publish again to rebuild it", exit_code=1)
    return Published(version, previous, bump_level, summary, files, folder, reproduced=True)


def check_valid(package: DataPackage) -> None:
    """Every validation layer; invalid data is never published."""
    from .validation import validate

    report = validate(package)
    if report.ok:
        return
    errors = [f for f in report.findings if f.severity == "error"]
    first = errors[0] if errors else None
    where = f" ({first.table}, row {first.row}, field {first.field})" if first is not None and first.table else ""
    detail = f"; first: {first.message}{where}" if first is not None else ""
    raise DatasetError(f"{package.path}: the data is invalid ({len(errors)} errors), nothing was published{detail}; "
                       "run 'dataset validate' to see them all", exit_code=1)


def compare(old: DataPackage, package: DataPackage, previous: str, version: str) -> "Diff":
    """The changes since release ``previous``, comparing like with like: the two release
    descriptors, without the Parquet file details (their bytes embed the version)."""
    from .diffing import compare as compare_packages

    before, after = comparable(old.descriptor, old), comparable(release_descriptor(package, version), package)
    return compare_packages(before, after, labels=("previous release", "this release"))


def comparable(descriptor: dict, source: DataPackage) -> DataPackage:
    """A release descriptor reading ``source``'s CSV files (in memory), for diffing."""
    descriptor = copy.deepcopy(descriptor)
    descriptor.pop("database", None)  # the release database is derived from the tables
    for resource in descriptor["resources"]:
        resource.pop("parquet", None)
        resource["path"] = source.resource(resource["name"])["path"]
    return DataPackage.in_memory(descriptor, source.root)


def previous_package(previous: str, out: Path, known: Registry, base_url: str | None) -> DataPackage:
    """Release ``previous``: the folder in ``out`` when it matches the registry, else downloaded."""
    from .releases.download import release_package

    local = out / f"v{previous}"
    needed = {n: r for n, r in known.files(previous).items() if n == DESCRIPTOR_NAME or n.endswith(".csv")}
    if all((local / n).is_file() and sha256_file(local / n) == r.sha256 for n, r in needed.items()):
        return DataPackage(local / DESCRIPTOR_NAME)
    return release_package(previous, base_url=base_url, registry=known)


def release_notes(package: DataPackage, version: str, previous: str | None, changes: "Diff | None") -> str:
    title = f"# {package.descriptor.get('title') or package.descriptor.get('name', 'Data package')} {version}\n\n"
    if changes is None:
        return title + "First release.\n\n" + "".join(f"- {line}\n" for line in _table_counts(package))
    return title + f"Changes since {previous} ({changes.bump} release).\n\n" + changes.render("markdown").rstrip("\n") + "\n"


def data_changes(package: DataPackage, changes: "Diff | None") -> list[str]:
    """The lines the CHANGELOG section lists under "Data"."""
    if changes is None:
        return ["First release: " + ", ".join(_table_counts(package)) + "."]
    return list(changes.reasons)


def publish_atomically(package: DataPackage, known: Registry, version: str, notes: str, folder: Path,
                       summary: list[str], date: datetime.date) -> list[Path]:
    """Release folder, registry, descriptor version and CHANGELOG.md: all changed, or none.

    Returns the repository files changed.
    """
    transaction = Transaction(package.root)
    try:
        staged, files = build_staged(package, version, notes, folder)
        transaction.stage_folder(staged, folder)
        known.add(version, files, built_with())
        texts = {known.path: known.to_json(),
                 package.path: descriptor_with_version(package.path, version),
                 package.root / "CHANGELOG.md": changelog_with_section(package.root / "CHANGELOG.md", version, summary, date)}
        for target, text in texts.items():
            if text is not None:
                transaction.stage_text(target, text)
        transaction.commit()
    except BaseException:
        transaction.abort()
        known.releases.pop(version, None)
        raise
    return [target for target, text in texts.items() if text is not None]


def _table_counts(package: DataPackage) -> list[str]:
    from .loading import read_table

    return [f"{name} ({read_table(package, name).num_rows} rows)"
            for name in package.table_names()]


def _check_newer(version: str, known: Registry) -> None:
    latest = known.latest()
    if latest is not None and versions.parse(version) <= versions.parse(latest):
        raise DatasetError(f"version {version} is not newer than the latest release {latest}; "
                           f"releases so far: {', '.join(known.versions())}")


def _next_version(package: DataPackage, old: DataPackage | None, previous: str | None) -> str:
    """``--bump auto``: the previous release bumped as its changes require (first: the descriptor's)."""
    if old is None:
        return versions.normalise(package.version or "0.1.0")
    provisional = versions.bumped(previous, "patch")
    changes = compare(old, package, previous, provisional)
    if changes.bump == "none":
        raise DatasetError(f"nothing changed since release {previous}: there is nothing to publish", exit_code=1)
    return versions.bumped(previous, changes.bump)


def _check_bump(version: str, previous: str, changes: "Diff") -> None:
    if changes.bump == "none":
        raise DatasetError(f"nothing changed since release {previous}: there is nothing to publish", exit_code=1)
    needed = versions.bumped(previous, changes.bump)
    if versions.parse(version) < versions.parse(needed):
        raise DatasetError(f"version {version} is too small: the changes since {previous} need a {changes.bump} "
                           f"release ({needed} or later): {'; '.join(changes.reasons)}", exit_code=1)


def _check_reproduced(files: dict[str, FileRecord], version: str, known: Registry) -> None:
    """A rebuild of a released version must reproduce it byte for byte."""
    released = known.files(version)
    if files == released:
        return
    differing = sorted(n for n in set(files) | set(released) if files.get(n) != released.get(n))
    tools = known.built_with.get(version, {})
    hint = f"; it was built with pyarrow {tools['pyarrow']}, this build used {built_with()['pyarrow']}" \
        if tools.get("pyarrow") and tools["pyarrow"] != built_with()["pyarrow"] else ""
    raise DatasetError(f"version {version} is already released and this build differs from it ({', '.join(differing)}){hint}; "
                       "a release never changes: publish a new version", exit_code=1)
