"""dataset publish: checks before it writes, a whole release or none, the repository updated after."""

import datetime
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from china_ai_landscape.cli import main
from china_ai_landscape.errors import DatasetError
from china_ai_landscape.package import DataPackage
from china_ai_landscape.publishing import publish
from china_ai_landscape.releases.files import sha256_file
from china_ai_landscape.releases.registry import Registry
from release_helpers import copy_fixture_package, registry_path, serve

NEW_MODEL = "qwen-2,Qwen2,zhipu,72000000000,2024-06-07,84.0,open-weights\n"


@pytest.fixture
def checkout(tmp_path) -> Path:
    return copy_fixture_package(tmp_path / "pkg")


@pytest.fixture
def released(checkout, tmp_path) -> tuple[Path, Path]:
    """The fixture checkout with release 0.1.0 published into ``out``."""
    out = tmp_path / "out"
    publish(checkout, version="0.1.0", out=out)
    return checkout, out


def add_model(root: Path) -> None:
    with open(root / "data" / "models.csv", "a", encoding="utf-8") as handle:
        handle.write(NEW_MODEL)


def remove_last_model(root: Path) -> None:
    path = root / "data" / "models.csv"
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]), encoding="utf-8")


def repository_state(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(*args):
    return CliRunner().invoke(main, ["publish", *args])


def test_publish_builds_the_release_and_records_it(checkout, tmp_path):
    result = run("--version", "0.1.0", "--out", str(tmp_path / "out"), "--package", str(checkout))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "v0.1.0"
    registry = Registry.read(registry_path(checkout))
    assert registry.versions() == ["0.1.0"]
    assert registry.files("0.1.0") == {p.name: registry.files("0.1.0")[p.name] for p in folder.iterdir()}
    assert all(sha256_file(p) == registry.files("0.1.0")[p.name].sha256 for p in folder.iterdir())
    assert DataPackage(checkout).version == "0.1.0"
    changelog = (checkout / "CHANGELOG.md").read_text()
    assert re.search(r"## \[Unreleased\]\n\n## \[0\.1\.0\] - \d{4}-\d{2}-\d{2}\n\n### Data\n- First release: labs \(4 rows\), "
                     r"models \(4 rows\)\.\n\n### Added\n- The first tables\.\n", changelog), changelog
    assert "First release." in (folder / "RELEASE_NOTES.md").read_text()


def test_publishing_the_same_version_into_two_folders_gives_identical_bytes(checkout, tmp_path):
    first = run("--version", "0.1.0", "--out", str(tmp_path / "a"), "--package", str(checkout))
    second = run("--version", "0.1.0", "--out", str(tmp_path / "b"), "--package", str(checkout))
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "identical to the released files" in second.output
    a, b = tmp_path / "a" / "v0.1.0", tmp_path / "b" / "v0.1.0"
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    assert all((a / p.name).read_bytes() == p.read_bytes() for p in b.iterdir())


def test_two_checkouts_build_identical_releases(tmp_path):
    results = [publish(copy_fixture_package(tmp_path / f"pkg{i}"), version="0.1.0", out=tmp_path / f"out{i}") for i in (1, 2)]
    assert results[0].files == results[1].files


def test_invalid_data_is_refused_and_nothing_is_written(checkout, tmp_path):
    path = checkout / "data" / "models.csv"
    path.write_text(path.read_text().replace("deepseek,671000000000", "nobody,671000000000"))
    before = repository_state(checkout)
    result = run("--version", "0.1.0", "--out", str(tmp_path / "out"), "--package", str(checkout))
    assert result.exit_code == 1
    assert "data is invalid" in result.output and "models" in result.output
    assert not (tmp_path / "out").exists()
    assert repository_state(checkout) == before


def test_a_version_below_the_required_bump_is_refused(released):
    checkout, out = released
    add_model(checkout)
    before = repository_state(checkout)
    with pytest.raises(DatasetError, match=r"0\.1\.1 is too small: the changes since 0\.1\.0 need a minor release \(0\.2\.0") as caught:
        publish(checkout, version="0.1.1", out=out)
    assert caught.value.exit_code == 1
    assert repository_state(checkout) == before and not (out / "v0.1.1").exists()


def test_a_new_minor_release_carries_the_diff_in_its_notes_and_changelog(released):
    checkout, out = released
    add_model(checkout)
    result = publish(checkout, version="0.2.0", out=out, date=datetime.date(2027, 1, 2))
    assert (result.previous, result.bump) == ("0.1.0", "minor")
    notes = (out / "v0.2.0" / "RELEASE_NOTES.md").read_text()
    assert "Changes since 0.1.0 (minor release)" in notes and "qwen-2" in notes
    changelog = (checkout / "CHANGELOG.md").read_text()
    section = changelog.split("## [0.2.0] - 2027-01-02\n\n### Data\n", 1)[1].split("## [0.1.0]")[0]
    assert result.changes and all(f"- {line}" in section for line in result.changes)
    assert Registry.read(registry_path(checkout)).versions() == ["0.1.0", "0.2.0"]


@pytest.mark.parametrize(("change", "expected"), [(add_model, "0.2.0"), (remove_last_model, "1.0.0")])
def test_bump_auto_picks_the_version_the_changes_require(released, change, expected):
    checkout, out = released
    change(checkout)
    result = publish(checkout, bump="auto", out=out)
    assert result.version == expected and (out / f"v{expected}").is_dir()
    assert DataPackage(checkout).version == expected


def test_a_version_not_newer_than_the_latest_release_is_refused(released):
    checkout, out = released
    add_model(checkout)
    publish(checkout, version="0.2.0", out=out)
    models = checkout / "data" / "models.csv"
    models.write_text(models.read_text() + "yi-34b,Yi-34B,zhipu,34000000000,2023-11-02,,\n")
    with pytest.raises(DatasetError, match=r"0\.1\.5 is not newer than the latest release 0\.2\.0") as caught:
        publish(checkout, version="0.1.5", out=out)
    assert caught.value.exit_code == 2


def test_a_released_version_with_different_data_is_refused(released, tmp_path):
    checkout, _ = released
    add_model(checkout)
    with pytest.raises(DatasetError, match="0.1.0 is already released and this build differs"):
        publish(checkout, version="0.1.0", out=tmp_path / "again")
    assert list((tmp_path / "again").iterdir()) == []


def test_nothing_changed_means_nothing_to_publish(released):
    checkout, out = released
    with pytest.raises(DatasetError, match="nothing changed since release 0.1.0"):
        publish(checkout, bump="auto", out=out)


def test_dry_run_checks_and_builds_but_writes_nothing(released):
    checkout, out = released
    add_model(checkout)
    before = repository_state(checkout)
    result = run("--bump", "auto", "--dry-run", "--out", str(out), "--package", str(checkout))
    assert result.exit_code == 0, result.output
    assert "would publish v0.2.0 (a minor release after 0.1.0)" in result.output
    assert repository_state(checkout) == before and not (out / "v0.2.0").exists()


def test_the_previous_release_is_downloaded_when_it_is_not_in_the_output_folder(released, tmp_path, monkeypatch):
    checkout, out = released
    monkeypatch.setenv("CHINA_AI_LANDSCAPE_CACHE", str(tmp_path / "cache"))
    add_model(checkout)
    with serve(out) as url:
        result = publish(checkout, version="0.2.0", out=tmp_path / "elsewhere", base_url=url)
    assert result.bump == "minor"
    assert (tmp_path / "cache" / "v0.1.0" / "models.csv").is_file()


def test_version_or_bump_is_required(checkout):
    result = run("--package", str(checkout))
    assert result.exit_code == 2 and "--version X.Y.Z" in result.output


def test_the_descriptor_keeps_its_formatting_apart_from_the_version(released):
    checkout, out = released
    add_model(checkout)
    original = (checkout / "datapackage.json").read_text().splitlines()
    publish(checkout, version="0.2.0", out=out)
    updated = (checkout / "datapackage.json").read_text().splitlines()
    assert [(a, b) for a, b in zip(original, updated) if a != b] == [('  "version": "0.1.0",', '  "version": "0.2.0",')]
    assert json.loads((out / "v0.2.0" / "datapackage.json").read_text())["version"] == "0.2.0"
