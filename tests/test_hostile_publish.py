"""Publishing is all-or-nothing: interrupted at any moment, it leaves the repository as it was
or fully published, never a temporary file, and a rerun finishes by itself."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from china_ai_landscape.errors import DatasetError
from china_ai_landscape.publishing import publish
from china_ai_landscape.releases.transaction import JOURNAL_NAME, Transaction, recover
from conftest import digest_tree
from release_helpers import copy_fixture_package

VERSION = "0.0.1"


def _command(root: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "china_ai_landscape", "publish", "--package", str(root), "--version", VERSION,
            "--out", str(out), "--registry", str(root / "registry.json")]


def _leftovers(*folders: Path) -> list[str]:
    names = []
    for folder in folders:
        if folder.exists():
            names += [p.name for p in folder.rglob("*") if p.name.startswith(".") or p.name.endswith((".tmp", ".part"))]
    return names


def _published(root: Path, out: Path) -> bool:
    """True when every part of the release is in place, False when none is; fails on a mix."""
    parts = {
        "folder": (out / f"v{VERSION}").is_dir(),
        "registry": (root / "registry.json").exists() and VERSION in json.loads((root / "registry.json").read_text())["releases"],
        "descriptor": json.loads((root / "datapackage.json").read_text())["version"] == VERSION,
        "changelog": f"## [{VERSION}]" in (root / "CHANGELOG.md").read_text(),
    }
    assert len(set(parts.values())) == 1, f"half a release: {parts}"
    return parts["folder"]


@pytest.fixture(scope="module")
def duration(tmp_path_factory) -> float:
    """How long an uninterrupted publish of the fixture takes here."""
    base = tmp_path_factory.mktemp("timing")
    root = copy_fixture_package(base / "pkg")
    start = time.monotonic()
    subprocess.run(_command(root, base / "out"), check=True, capture_output=True)
    return time.monotonic() - start


@pytest.mark.parametrize("fraction", [0.55, 0.7, 0.8, 0.86, 0.9, 0.93, 0.96, 0.98, 1.0, 1.02])
def test_ctrl_c_at_any_moment_leaves_all_or_nothing_and_a_rerun_finishes(tmp_path, duration, fraction):
    root = copy_fixture_package(tmp_path / "pkg")
    out = tmp_path / "out"
    before = digest_tree(root)
    proc = subprocess.Popen(_command(root, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(duration * fraction)
    proc.send_signal(signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=60)
    assert "Traceback" not in stderr
    # -SIGINT: killed by the signal during interpreter shutdown, after the work; a shell shows 130 too
    assert proc.returncode in (0, 130, -signal.SIGINT), stderr
    done = _published(root, out)
    if not done:
        assert digest_tree(root) == before
        assert not out.exists() or list(out.iterdir()) == []
    assert _leftovers(root, out) == []
    rerun = subprocess.run(_command(root, out), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert _published(root, out) and _leftovers(root, out) == []


def test_a_publish_killed_during_its_commit_is_finished_by_the_next_run(tmp_path):
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "a.txt").write_text("old a")
    (root / "b.txt").write_text("old b")
    built = tmp_path / "out" / ".v1.partial"
    built.mkdir(parents=True)
    (built / "f").write_text("release")
    transaction = Transaction(root)
    transaction.stage_folder(built, tmp_path / "out" / "v1")
    transaction.stage_text(root / "a.txt", "new a")
    transaction.stage_text(root / "b.txt", "new b")
    transaction._write_journal()
    staged, final = transaction.moves[0]
    os.replace(staged, final)  # the process dies after the first rename
    assert (root / JOURNAL_NAME).exists()
    done = recover(root, tmp_path / "out")
    assert done and "finished" in done[0]
    assert (root / "a.txt").read_text() == "new a" and (root / "b.txt").read_text() == "new b"
    assert (tmp_path / "out" / "v1" / "f").read_text() == "release"
    assert _leftovers(root, tmp_path / "out") == []


def test_staged_files_without_a_journal_are_removed(tmp_path):
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "a.txt").write_text("old a")
    Transaction(root).stage_text(root / "a.txt", "new a")  # then killed before the commit
    (tmp_path / "out" / ".v1.x.partial").mkdir(parents=True)
    assert len(recover(root, tmp_path / "out")) == 2
    assert (root / "a.txt").read_text() == "old a"
    assert _leftovers(root, tmp_path / "out") == []


@pytest.mark.parametrize("blocked", ["out", "registry"])
def test_an_unwritable_out_folder_or_registry_changes_nothing(tmp_path, blocked):
    root = copy_fixture_package(tmp_path / "pkg")
    before = digest_tree(root)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "dist" if blocked == "out" else tmp_path / "out"
    registry = blocker / "registry.json" if blocked == "registry" else root / "registry.json"
    with pytest.raises(DatasetError, match="cannot write"):
        publish(root, version=VERSION, out=out, registry=registry)
    assert digest_tree(root) == before
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
