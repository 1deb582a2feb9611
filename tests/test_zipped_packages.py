"""Zipped data packages: validated like folders; hostile archives refused in one line, nothing written outside."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

import pytest

from china_ai_landscape import zipped
from china_ai_landscape.validation import validate
from hostile import SECRET, assert_one_line_error, attack_package, run_cli


def _zip(root: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(root).as_posix())
    return target


def _temporary_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("dataset-zip-*")}


def test_a_zipped_package_gives_the_findings_of_its_folder(tmp_path):
    root = attack_package(tmp_path)
    csv = next(root.rglob("*.csv"))
    csv.write_text(csv.read_text(encoding="utf-8") + "not,a,valid,row,at,all,,,,,\n", encoding="utf-8")
    before = _temporary_folders()
    folder = validate(root, skip=("expectations",))
    archive = validate(_zip(root, tmp_path / "p.zip"), skip=("expectations",))
    nested = validate(_zip(root, tmp_path / "nested.zip", prefix="pkg/"), skip=("expectations",))
    key = lambda r: sorted((f.code, f.table, f.row, f.field, f.file) for f in r.findings)  # noqa: E731
    assert not folder.ok and key(archive) == key(folder) == key(nested)
    assert archive.package == str(tmp_path / "p.zip")
    assert _temporary_folders() == before  # unpacked copies are removed


def test_the_cli_validates_a_zip_and_exits_1_when_it_is_invalid(tmp_path):
    root = attack_package(tmp_path)
    assert run_cli("validate", str(_zip(root, tmp_path / "ok.zip")), "--skip", "expectations").exit_code == 0
    next(root.rglob("*.csv")).write_text("", encoding="utf-8")
    assert run_cli("validate", str(_zip(root, tmp_path / "bad.zip")), "--skip", "expectations").exit_code == 1


def _hostile(tmp_path: Path, name: str, add) -> Path:
    root = attack_package(tmp_path)
    target = _zip(root, tmp_path / name)
    with zipfile.ZipFile(target, "a") as archive:
        add(archive)
    return target


def _symlink(archive: zipfile.ZipFile) -> None:
    info = zipfile.ZipInfo("data/link.csv")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive.writestr(info, "/etc/passwd")


@pytest.mark.parametrize("name, add, words", [
    ("dotdot.zip", lambda a: a.writestr("../escaped.csv", SECRET), ("outside the package",)),
    ("absolute.zip", lambda a: a.writestr("/tmp/escaped-absolute.csv", SECRET), ("outside the package",)),
    ("drive.zip", lambda a: a.writestr("C:/escaped.csv", SECRET), ("outside the package",)),
    ("symlink.zip", _symlink, ("symbolic link",)),
    ("duplicate.zip", lambda a: a.writestr("datapackage.json", "{}"), ("cannot be unpacked",)),
])
def test_a_hostile_archive_is_refused_in_one_line_and_writes_nothing_outside(tmp_path, name, add, words):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        target = _hostile(tmp_path, name, add)
    before = _temporary_folders()
    assert_one_line_error(run_cli("validate", str(target)), 2, name, *words)
    assert not (tmp_path / "escaped.csv").exists() and not Path("/tmp/escaped-absolute.csv").exists()
    assert _temporary_folders() == before


def test_a_zip_bomb_stops_at_the_byte_limit(tmp_path, monkeypatch):
    root = attack_package(tmp_path)
    (root / "padding.bin").write_bytes(b"\0" * 5_000_000)  # compresses to a few kB
    target = _zip(root, tmp_path / "bomb.zip")
    assert target.stat().st_size < 100_000
    monkeypatch.setattr(zipped, "MAX_BYTES", 1_000_000)
    assert_one_line_error(run_cli("validate", str(target)), 2, "more than")


def test_an_archive_without_a_descriptor_or_not_a_zip_is_one_line(tmp_path):
    target = tmp_path / "data.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("a.csv", "id\n1\n")
    assert_one_line_error(run_cli("validate", str(target)), 2, "no datapackage.json")
    fake = tmp_path / "fake.zip"
    fake.write_text("not a zip", encoding="utf-8")
    result = run_cli("validate", str(fake))
    assert result.exit_code == 2 and "Traceback" not in result.output
