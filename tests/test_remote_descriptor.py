"""A descriptor given as a URL, read from a real HTTP server on loopback, only with --allow-remote."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from china_ai_landscape.validation import validate
from hostile import assert_one_line_error, attack_package, run_cli


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test reads this process's stderr
        pass


@pytest.fixture
def served(tmp_path):
    """The corpus base package, with one broken row, served over HTTP; yields its base URL."""
    root = attack_package(tmp_path)
    csv = next(root.rglob("*.csv"))
    csv.write_text(csv.read_text(encoding="utf-8") + "broken,row\n", encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _located(report) -> set:
    return {(f.code, f.table, f.row, f.field) for f in report.findings}


def test_a_served_package_gives_the_findings_of_its_folder(served):
    root, base = served
    local = validate(root, skip=("expectations",))
    remote = validate(base + "datapackage.json", skip=("expectations",), allow_remote=True)
    assert not local.ok and _located(remote) == _located(local)
    assert remote.package == base + "datapackage.json"


def test_without_allow_remote_a_descriptor_url_is_one_line_and_not_fetched(served):
    _, base = served
    assert_one_line_error(run_cli("validate", base + "datapackage.json"), 2, "--allow-remote")


def test_a_missing_descriptor_is_one_line_and_a_missing_resource_one_finding(served):
    root, base = served
    assert_one_line_error(run_cli("validate", base + "nothing-here.json", "--allow-remote"), 2, "cannot be downloaded")
    csv = next(root.rglob("*.csv"))
    csv.unlink()
    report = validate(base + "datapackage.json", skip=("expectations",), allow_remote=True)
    assert any(f.table == csv.stem or csv.name in (f.file or "") for f in report.findings if f.severity == "error")
    assert report.layers  # the rest of the package is still checked
