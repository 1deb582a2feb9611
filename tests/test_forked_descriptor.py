"""The descriptor layer may run in a forked child: the findings never depend on where it ran."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from china_ai_landscape.validation import validate

CASES = Path(__file__).parent / "corpus" / "cases"


def _cli_json(path: Path) -> dict:
    """The report of a fresh `dataset validate` process (which forks: it has loaded no thread pool yet)."""
    done = subprocess.run([sys.executable, "-m", "china_ai_landscape", "validate", str(path), "--format", "json",
                           "--skip", "expectations"], capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def _findings(report: dict) -> list:
    return sorted(json.dumps(f, sort_keys=True) for f in report["findings"])


@pytest.mark.parametrize("case", ["invalid-schema", "stated-hash-and-bytes", "duplicate-primary-key"])
def test_a_forked_run_reports_what_an_in_process_run_reports(case):
    in_process = json.loads(validate(CASES / case, skip=("expectations",)).render("json"))
    forked = _cli_json(CASES / case)
    assert any(f["layer"] == "descriptor" for f in forked["findings"]) or case == "duplicate-primary-key"
    assert _findings(forked) == _findings(in_process)


def test_the_parent_does_the_work_when_the_child_fails():
    code = """
import os
from china_ai_landscape.validation import forked
parent = os.getpid()
def work():
    if os.getpid() != parent:
        raise RuntimeError("the child fails")
    return "done here"
assert forked._can_fork()
print(forked.later(work)())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done here" and done.stderr == ""


def test_no_fork_once_a_thread_pool_library_is_loaded():
    code = "import polars\nfrom china_ai_landscape.validation import forked\nprint(forked._can_fork())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
