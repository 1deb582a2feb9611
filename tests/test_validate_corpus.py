"""Every case of the broken-package corpus: the finding, the exit code, no traceback, no change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases import CASES
from china_ai_landscape.cli import main
from china_ai_landscape.validation import validate

CORPUS = Path(__file__).parent / "corpus" / "cases"


def _has(findings: list[dict], expected) -> bool:
    return any(
        f["code"] == expected.code and f["table"] == expected.table and f["row"] == expected.row
        and f["field"] == expected.field and f["severity"] == expected.severity
        for f in findings
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_package(case, digest):
    root = CORPUS / case.name
    before = digest(root)
    result = CliRunner().invoke(main, ["validate", str(root), "--format", "json"])
    assert result.exit_code == case.exit_code, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    if case.exit_code == 2:
        assert case.stderr in result.stderr and result.stderr.count("\n") == 1
    else:
        findings = json.loads(result.stdout)["findings"]
        missing = [e for e in case.expected if not _has(findings, e)]
        assert not missing, json.dumps(findings, indent=1, ensure_ascii=False)
    assert digest(root) == before


@pytest.mark.parametrize("case", [c for c in CASES if c.exit_code != 2], ids=lambda c: c.name)
def test_finding_names_the_file(case):
    """Messages for people: each expected finding points at a file or table and says what to do."""
    report = validate(CORPUS / case.name)
    for expected in case.expected:
        finding = next(f for f in report.findings if f.code == expected.code and f.table == expected.table)
        assert finding.message and finding.message[0] not in " :"
        assert finding.file or finding.table or finding.layer == "descriptor"


def test_the_base_package_is_valid():
    report = validate(Path(__file__).parent / "corpus" / "base")
    assert report.ok and not report.findings


def test_a_remote_path_is_fetched_only_when_allowed(tmp_path, digest):
    """With --allow-remote, a resource on a local HTTP server is read like a local file."""
    import shutil
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(CORPUS.parent / "base" / "data" / "deals.csv", served / "deals.csv")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        package = tmp_path / "package"
        shutil.copytree(CORPUS.parent / "base", package)
        descriptor = json.loads((package / "datapackage.json").read_text())
        descriptor["resources"][1]["path"] = f"http://127.0.0.1:{server.server_address[1]}/deals.csv"
        (package / "datapackage.json").write_text(json.dumps(descriptor))
        refused = validate(package)
        assert [f.code for f in refused.errors] == ["remote-path"]
        allowed = validate(package, allow_remote=True)
        assert allowed.ok, allowed.render("text")
    finally:
        server.shutdown()
