"""dataset diff git:REV: a revision read with git, the working tree left untouched."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from diff_fixtures import base_tables, model, write_package

from china_ai_landscape.cli import main
from china_ai_landscape.diffing import diff

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd, *args) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def commit_all(repo, message):
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path):
    """A git repository whose data package gained a row and changed one in its last commit,
    and has an uncommitted edit in the working tree."""
    root = tmp_path / "repo"
    write_package(root, base_tables())
    git(root, "init", "-q")
    commit_all(root, "first")
    tables = base_tables()
    tables["models"]["rows"].append(model("m6"))
    tables["models"]["rows"][0]["name"] = "Model One"
    write_package(root, tables)
    commit_all(root, "second")
    tables["models"]["rows"].pop(1)  # uncommitted: m2 removed
    write_package(root, tables)
    return root


def test_git_revisions_compare_committed_versions(repo, monkeypatch):
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "git:HEAD~1", "git:HEAD", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    models = data["tables"]["models"]
    assert (models["added"], models["removed"], models["changed"], models["unchanged"]) == (1, 0, 1, 4)
    assert (data["old"]["source"], data["bump"]) == ("git:HEAD~1", "minor")


def test_git_revision_against_the_working_tree_leaves_it_untouched(repo, monkeypatch):
    status_before = git(repo, "status", "--porcelain")
    csv_before = (repo / "data" / "models.csv").read_bytes()
    monkeypatch.chdir(repo)
    d = diff("git:HEAD", ".")
    assert (d.tables["models"].removed, d.bump) == (1, "major")
    assert git(repo, "status", "--porcelain") == status_before
    assert (repo / "data" / "models.csv").read_bytes() == csv_before


def test_errors_in_a_revision_name_the_revision_not_a_temporary_folder(repo, monkeypatch):
    tables = base_tables()
    tables["models"]["rows"].append(model("m1"))
    write_package(repo, tables)
    commit_all(repo, "duplicate key")
    (repo / "data" / "models.csv").write_text("id,name\n", encoding="utf-8")  # broken working copy
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "git:HEAD~1", "git:HEAD"])
    assert result.exit_code == 2
    assert "duplicate primary key (id='m1') in git:HEAD" in result.output
    result = CliRunner().invoke(main, ["diff", "git:HEAD", "."])
    assert result.exit_code == 2 and "data/models.csv" in result.output and "dataset-diff-" not in result.output


def test_unknown_revision_and_no_repository_are_input_errors(repo, tmp_path, monkeypatch):
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "git:no-such-branch", "."])
    assert result.exit_code == 2 and "unknown revision 'no-such-branch'" in result.output
    outside = tmp_path / "plain"
    outside.mkdir()
    monkeypatch.chdir(outside)
    result = CliRunner().invoke(main, ["diff", "git:HEAD", str(repo)])
    assert result.exit_code == 2 and "is not in a git repository" in result.output


def test_this_repository_against_its_previous_commit(repo_root, monkeypatch):
    """`dataset diff git:HEAD~1 .` works here (skipped in a shallow clone or an unpacked sdist)."""
    if subprocess.run(["git", "rev-parse", "--verify", "--quiet", "HEAD~1"], cwd=repo_root,
                      capture_output=True).returncode != 0:
        pytest.skip("no HEAD~1: not a git checkout, or a shallow clone")
    monkeypatch.chdir(repo_root)
    result = CliRunner().invoke(main, ["diff", "git:HEAD~1", ".", "--format", "json", "--limit", "0"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == diff("git:HEAD~1", ".").to_dict()
    assert data["bump"] in ("none", "patch", "minor", "major")
    for table in data["tables"].values():
        assert table["added"] + table["changed"] + table["unchanged"] == table["new_rows"]
