"""Nothing outside the package is ever read: symlinks, absolute paths and ``..`` in every command."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from china_ai_landscape.errors import DatasetError, UnsafePathError
from china_ai_landscape.loading import load_from
from china_ai_landscape.package import DataPackage
from hostile import SECRET, assert_one_line_error, attack_package, edit_descriptor, resource, run_cli, secret_file


def _everything(result) -> str:
    return result.output + (result.stderr or "")


@pytest.fixture
def symlinked_csv(tmp_path):
    root = attack_package(tmp_path)
    target = root / "data" / "orgs.csv"
    target.unlink()
    target.symlink_to(secret_file(tmp_path))
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_validate_never_reads_a_csv_symlinked_out_of_the_package(symlinked_csv, fmt):
    result = run_cli("validate", str(symlinked_csv), "--skip", "expectations", "--format", fmt)
    assert result.exit_code == 1
    assert SECRET not in _everything(result)
    assert "symlink that leads outside the package" in result.output


def test_the_finding_is_unsafe_path_for_the_table(symlinked_csv):
    from china_ai_landscape.validation import validate

    report = validate(symlinked_csv, skip=["expectations"])
    unsafe = [f for f in report.findings if f.code == "unsafe-path"]
    assert [(f.table, f.layer) for f in unsafe] == [("orgs", "descriptor")]


def test_a_symlink_to_a_valid_csv_elsewhere_does_not_pass_silently(tmp_path):
    root = attack_package(tmp_path)
    elsewhere = secret_file(tmp_path, "orgs.csv", (root / "data" / "orgs.csv").read_text(encoding="utf-8"))
    (root / "data" / "orgs.csv").unlink()
    (root / "data" / "orgs.csv").symlink_to(elsewhere)
    assert run_cli("validate", str(root), "--skip", "expectations").exit_code == 1


def test_a_symlink_that_stays_inside_the_package_is_followed(tmp_path):
    root = attack_package(tmp_path)
    (root / "data" / "orgs.csv").rename(root / "data" / "orgs-real.csv")
    (root / "data" / "orgs.csv").symlink_to("orgs-real.csv")
    result = run_cli("validate", str(root), "--skip", "expectations")
    assert result.exit_code == 0, result.output


def test_a_schema_symlinked_out_of_the_package_is_not_read(tmp_path):
    root = attack_package(tmp_path)
    outside = secret_file(tmp_path, "schema.json", json.dumps({"fields": [{"name": SECRET, "type": "integr"}]}))
    (root / "schemas" / "orgs.json").unlink()
    (root / "schemas" / "orgs.json").symlink_to(outside)
    result = run_cli("validate", str(root), "--skip", "expectations", "--format", "json")
    assert result.exit_code == 1 and SECRET not in _everything(result)
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "unsafe-path" in codes


def test_a_descriptor_symlinked_out_of_its_folder_is_refused(tmp_path):
    root = attack_package(tmp_path)
    outside = secret_file(tmp_path, "datapackage.json", json.dumps({"name": SECRET, "resources": []}))
    (root / "datapackage.json").unlink()
    (root / "datapackage.json").symlink_to(outside)
    result = run_cli("validate", str(root), "--skip", "expectations")
    assert_one_line_error(result, 2, "symlink")
    assert SECRET not in _everything(result)


def test_load_refuses_a_symlinked_table(symlinked_csv):
    with pytest.raises(UnsafePathError, match="symlink"):
        load_from(DataPackage(symlinked_csv), "orgs")


@pytest.mark.parametrize("side", ["old", "new"])
def test_diff_refuses_a_symlinked_table_on_either_side(tmp_path, symlinked_csv, side):
    clean = attack_package(tmp_path / "clean")
    old, new = (symlinked_csv, clean) if side == "old" else (clean, symlinked_csv)
    result = run_cli("diff", str(old), str(new), "--limit", "0")
    assert_one_line_error(result, 2, "outside the package")
    assert SECRET not in _everything(result)


@pytest.mark.parametrize("path_of", ["absolute", "traversal"])
def test_diff_refuses_absolute_and_parent_paths(tmp_path, path_of):
    secret = secret_file(tmp_path, "orgs.csv",
                         (attack_package(tmp_path / "x") / "data" / "orgs.csv").read_text() + f"{SECRET},S,company,2000,,,\n")
    root = attack_package(tmp_path)
    path = str(secret) if path_of == "absolute" else os.path.relpath(secret, root)
    edit_descriptor(root, lambda d: resource(d, "orgs").update(path=path))
    result = run_cli("diff", str(attack_package(tmp_path / "clean")), str(root), "--limit", "0")
    assert_one_line_error(result, 2)
    assert SECRET not in _everything(result)


def test_publish_refuses_a_symlinked_table(symlinked_csv, tmp_path):
    result = run_cli("publish", "--package", str(symlinked_csv), "--version", "1.0.0", "--out", str(tmp_path / "dist"),
                     "--registry", str(tmp_path / "registry.json"), "--dry-run")
    assert result.exit_code in (1, 2)
    assert SECRET not in _everything(result) and "Traceback" not in _everything(result)


def test_diff_of_a_git_revision_refuses_a_committed_symlink_out(tmp_path):
    root = attack_package(tmp_path)
    secret = secret_file(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "."], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    (root / "data" / "orgs.csv").unlink()
    (root / "data" / "orgs.csv").symlink_to(secret)
    subprocess.run([*git, "commit", "-qam", "symlink out"], cwd=root, check=True)
    old = os.getcwd()
    os.chdir(root)
    try:
        result = run_cli("diff", "git:HEAD~1", "git:HEAD")
    finally:
        os.chdir(old)
    assert_one_line_error(result, 2)
    assert SECRET not in _everything(result)


def test_resolving_is_one_function_that_every_reader_uses(tmp_path, symlinked_csv):
    package = DataPackage(symlinked_csv)
    with pytest.raises(UnsafePathError) as caught:
        package.data_path("orgs")
    assert caught.value.problem == "symlink" and isinstance(caught.value, DatasetError)
    for path, problem in (("/etc/hostname", "absolute"), ("../x.csv", "traversal"), ("https://a.example/x.csv", "remote")):
        with pytest.raises(UnsafePathError) as caught:
            package.resolve(path)
        assert caught.value.problem == problem


def test_allow_remote_never_reads_file_urls(tmp_path):
    """--allow-remote fetches http and https only: a file:// resource, schema or dialect is a
    finding, and the file's contents never reach the output."""
    secret = secret_file(tmp_path)
    root = attack_package(tmp_path)
    url = secret.resolve().as_uri()

    def point_outside(descriptor):
        resource(descriptor, "orgs").update(path=url)
        resource(descriptor, "deals").update(dialect=url)

    edit_descriptor(root, point_outside)
    result = run_cli("validate", str(root), "--allow-remote", "--skip", "expectations", "--format", "json")
    assert result.exit_code == 1
    assert SECRET not in result.output
    assert "only http and https addresses" in result.output
