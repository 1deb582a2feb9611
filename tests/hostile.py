"""Helpers for the hostile-input tests: a package to attack, a secret outside it, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from china_ai_landscape.cli import main

BASE = Path(__file__).resolve().parent / "corpus" / "base"
SECRET = "SECRET-OUTSIDE-VALUE-7f3a"


def attack_package(tmp_path: Path) -> Path:
    """A writable copy of the corpus base package; returns its folder."""
    root = tmp_path / "pkg"
    shutil.copytree(BASE, root)
    return root


def secret_file(tmp_path: Path, name: str = "secret.csv", text: str | None = None) -> Path:
    """A file outside every package, holding the secret string."""
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    path = outside / name
    path.write_text(text if text is not None else f"id,name\n{SECRET},x\n", encoding="utf-8")
    return path


def edit_descriptor(root: Path, change) -> None:
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def run_cli(*args: str, env: dict | None = None):
    """The CLI in-process; an exception escaping a command fails the calling test."""
    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"dataset {' '.join(args)} raised {result.exception!r}") from result.exception
    return result


def assert_one_line_error(result, exit_code: int = 2, *words: str) -> None:
    assert result.exit_code == exit_code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]
