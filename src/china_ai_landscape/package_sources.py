"""Where a data package comes from: a folder, a descriptor, a git revision or a release.

``diff`` and ``publish`` name packages this way. A side is a ``DataPackage``, a path (a folder or its ``datapackage.json``), ``git:REV`` (the
data package in the current folder as of that git revision, extracted with ``git archive``
into a temporary folder: the working tree and the index are never touched), or a release
version ``vX.Y.Z`` (a downloaded, verified release from ``releases.release_package``).
An existing path wins over the other readings, so a folder named ``v1.0.0`` is a folder.
"""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Iterator

from .errors import DatasetError
from .package import DESCRIPTOR_NAME, DataPackage

RELEASE = re.compile(r"^v\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$")
GIT_PREFIX = "git:"


def label(source) -> str:
    """How a side is named in messages and output."""
    if isinstance(source, DataPackage):
        return str(source.root)
    return str(source)


@contextmanager
def open_source(source) -> Iterator[DataPackage]:
    """The data package a side names; temporary files are removed on exit."""
    if isinstance(source, DataPackage):
        yield source
        return
    text = str(source)
    if Path(text).exists():
        yield DataPackage(text)
    elif text.startswith(GIT_PREFIX):
        with _git_package(text[len(GIT_PREFIX):], text) as package:
            yield package
    elif RELEASE.match(text):
        yield _release_package(text[1:])
    else:
        raise DatasetError(
            f"{text}: no such file or folder; a side is a data package folder or datapackage.json, "
            "git:REV (a git revision of this repository) or vX.Y.Z (a release)"
        )


def _release_package(version: str) -> DataPackage:
    from .releases.download import release_package

    return release_package(version)


def _git(args: list[str], cwd: Path, what: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise DatasetError(f"{what}: git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DatasetError(f"{what}: {message[-1]}" if message else what)
    return done.stdout


@contextmanager
def _git_package(rev: str, spec: str) -> Iterator[DataPackage]:
    cwd = Path.cwd()
    if not rev:
        raise DatasetError(f"{spec}: name a revision after 'git:', for example git:HEAD~1")
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd, f"{spec}: {cwd} is not in a git repository").decode().strip())
    prefix = _git(["rev-parse", "--show-prefix"], cwd, spec).decode().strip()
    commit = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top, f"{spec}: unknown revision {rev!r}")
    commit = commit.decode().strip()
    descriptor = PurePosixPath(prefix) / DESCRIPTOR_NAME
    listed = _git(["ls-tree", "-r", "--name-only", "--full-tree", "-z", commit, *(["--", prefix] if prefix else [])], top, spec)
    present = set(listed.decode("utf-8").split("\0")) - {""}
    if str(descriptor) not in present:
        raise DatasetError(f"{spec}: revision {rev} has no {descriptor}")
    wanted = _wanted(commit, descriptor, present, top, spec)
    with tempfile.TemporaryDirectory(prefix="dataset-diff-") as tmp:
        root = Path(tmp)
        tar = _git(["archive", "--format=tar", commit, "--", *sorted(wanted)], top, spec)
        with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
            try:
                archive.extractall(root, filter="data")
            except tarfile.FilterError as exc:  # a symlink out of the tree, an absolute member
                raise DatasetError(f"{spec}: {exc.tarinfo.name} leads outside the package; it is not read") from None
        try:
            yield DataPackage(root / descriptor)
        except DatasetError as exc:
            # Name the revision, not the temporary folder, in messages.
            raise DatasetError(str(exc).replace(str(root) + "/", f"{spec}:"), exc.exit_code) from None


def _wanted(commit: str, descriptor: PurePosixPath, present: set[str], cwd: Path, spec: str) -> set[str]:
    """The descriptor and the local files its resources name (data and schema files)."""
    import json

    text = _git(["show", f"{commit}:{descriptor}"], cwd, spec)
    try:
        resources = json.loads(text).get("resources", [])
    except (json.JSONDecodeError, AttributeError):
        raise DatasetError(f"{spec}:{descriptor}: not a valid JSON descriptor") from None
    wanted = {str(descriptor)}
    for res in resources if isinstance(resources, list) else []:
        for key in ("path", "schema"):
            value = res.get(key) if isinstance(res, dict) else None
            if isinstance(value, str) and "://" not in value:
                path = str(descriptor.parent / value)
                if path not in present:
                    raise DatasetError(f"{spec}: {value} (resource {res.get('name')!r}) is not in revision {commit[:12]}")
                wanted.add(path)
    return wanted
