"""No input ends in a traceback: each broken input is a finding or one line with its exit code."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from china_ai_landscape.validation import validate
from china_ai_landscape import resource_bytes
from china_ai_landscape.validation import reading
from china_ai_landscape.validation.rules import _REGISTERED, Rule, RuleSet, register
from hostile import assert_one_line_error, attack_package, edit_descriptor, resource, run_cli

REPO = Path(__file__).resolve().parents[1]


def _codes(root, skip=("expectations",)) -> dict[str, list]:
    report = validate(root, skip=list(skip))
    found: dict[str, list] = {}
    for f in report.findings:
        found.setdefault(f.code, []).append(f)
    return found


def _schema(root: Path, name: str, change) -> None:
    path = root / "schemas" / f"{name}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")


def test_a_schema_field_without_name_is_a_finding_in_validate_and_one_line_in_diff(tmp_path):
    root = attack_package(tmp_path)
    _schema(root, "orgs", lambda s: s["fields"][1].pop("name"))
    result = run_cli("validate", str(root), "--skip", "expectations", "--format", "json")
    assert result.exit_code == 1
    assert any(f["code"] == "schema-error" and "needs a \"name\"" in f["message"] for f in json.loads(result.stdout)["findings"])
    assert_one_line_error(run_cli("diff", str(attack_package(tmp_path / "clean")), str(root)), 2, "name")


def test_a_schema_without_fields_is_one_line_in_diff(tmp_path):
    root = attack_package(tmp_path)
    _schema(root, "deals", lambda s: s.pop("fields"))
    assert run_cli("validate", str(root), "--skip", "expectations").exit_code == 1
    assert_one_line_error(run_cli("diff", str(attack_package(tmp_path / "clean")), str(root)), 2, "fields")


def test_an_unknown_encoding_is_an_encoding_finding(tmp_path):
    root = attack_package(tmp_path)
    edit_descriptor(root, lambda d: resource(d, "orgs").update(encoding="no-such-codec"))
    found = _codes(root)
    assert "no-such-codec" in found["encoding-error"][0].message


class _Broken(Exception):
    pass


def _raise(*_args):
    raise _Broken("boom")


@pytest.mark.parametrize("where", ["applies_to", "rules", "check"])
def test_a_plug_in_rule_set_that_raises_is_a_rule_error_finding(tmp_path, where):
    root = attack_package(tmp_path)
    always = lambda _package: True  # noqa: E731
    rules = {"applies_to": lambda _ctx: [], "rules": _raise,
             "check": lambda _ctx: [Rule("x", "orgs", "id", _raise, "never shown")]}[where]
    register(RuleSet(f"broken-{where}", _raise if where == "applies_to" else always, rules))
    try:
        report = validate(root, skip=["expectations"])
    finally:
        _REGISTERED.pop(f"broken-{where}")
    errors = [f for f in report.findings if f.code == "rule-error"]
    assert len(errors) == 1 and "boom" in errors[0].message and report.exit_code == 1


def test_a_csv_that_is_a_folder_says_so(tmp_path):
    root = attack_package(tmp_path)
    (root / "data" / "deals.csv").unlink()
    (root / "data" / "deals.csv").mkdir()
    found = _codes(root)
    assert "is a folder" in found["scheme-error"][0].message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_csv_and_schema_are_findings(tmp_path):
    root = attack_package(tmp_path)
    (root / "data" / "deals.csv").chmod(0)
    (root / "schemas" / "orgs.json").chmod(0)
    result = run_cli("validate", str(root), "--skip", "expectations")
    assert result.exit_code == 1 and "permission denied" in result.output.lower()


def test_an_unreadable_csv_is_a_finding(tmp_path, monkeypatch):
    """The same path as a permission error, reached as root too: the read itself fails."""
    root = attack_package(tmp_path)
    real = Path.read_bytes

    def refuse(self):
        if self.name == "deals.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    found = _codes(root)
    assert "permission denied" in found["scheme-error"][0].message


def test_a_header_with_200000_columns_is_one_finding_naming_the_limit(tmp_path):
    root = attack_package(tmp_path)
    header = ",".join(f"c{i}" for i in range(200_000))
    (root / "data" / "deal_notes.csv").write_text(header + "\n" + "," * 199_999 + "\n", encoding="utf-8")
    found = _codes(root)
    [finding] = found["source-error"]
    assert finding.table == "deal_notes" and f"{reading.MAX_COLUMNS:,}" in finding.message


def test_a_header_longer_than_64_kib_is_read_whole(tmp_path):
    root = attack_package(tmp_path)
    long_names = [f"note_{i:05d}_" + "x" * 60 for i in range(1200)]  # about 80 KiB of header
    _schema(root, "deal_notes", lambda s: s["fields"].extend({"name": n, "type": "string"} for n in long_names))
    path = root / "data" / "deal_notes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + "," + ",".join(long_names)] + [line + "," * len(long_names) for line in lines[1:]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert len(rows[0]) > 1 << 16
    report = validate(root, skip=["expectations"])
    assert report.exit_code == 0, [f.message for f in report.findings]


def test_a_cell_over_2_mib_validates_loads_and_diffs(tmp_path):
    from china_ai_landscape.loading import load_from
    from china_ai_landscape.package import DataPackage

    root = attack_package(tmp_path)
    _schema(root, "deals", lambda s: next(f for f in s["fields"] if f["name"] == "note").pop("constraints", None))
    path = root / "data" / "deals.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Seed round", "y" * (3 << 20)), encoding="utf-8")
    assert validate(root, skip=["expectations"]).exit_code == 0
    assert load_from(DataPackage(root), "deals", as_="arrow").num_rows == 2
    result = run_cli("diff", str(attack_package(tmp_path / "clean")), str(root), "--limit", "1")
    assert result.exit_code == 0 and "changed" in result.output


def test_deeply_nested_json_is_one_line_or_a_finding(tmp_path):
    root = attack_package(tmp_path)
    deep = "[" * 100_000 + "]" * 100_000
    (root / "schemas" / "orgs.json").write_text(deep, encoding="utf-8")
    assert run_cli("validate", str(root), "--skip", "expectations").exit_code == 1
    (root / "datapackage.json").write_text('{"resources": ' + deep + "}", encoding="utf-8")
    assert_one_line_error(run_cli("validate", str(root), "--skip", "expectations"), 2, "nested")


def _gzipped(root: Path, name: str) -> None:
    path = root / "data" / f"{name}.csv"
    (root / "data" / f"{name}.csv.gz").write_bytes(gzip.compress(path.read_bytes(), mtime=0))
    path.unlink()
    edit_descriptor(root, lambda d: resource(d, name).update(path=f"data/{name}.csv.gz"))


def test_a_gzipped_resource_is_read_without_noise(tmp_path):
    root = attack_package(tmp_path)
    _gzipped(root, "orgs")
    done = subprocess.run([sys.executable, "-m", "china_ai_landscape", "validate", str(root), "--skip", "expectations"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr


def test_a_gzipped_resource_with_a_bad_row_names_the_row(tmp_path):
    root = attack_package(tmp_path)
    path = root / "data" / "orgs.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",1999,", ",19x9,"), encoding="utf-8")
    _gzipped(root, "orgs")
    [finding] = _codes(root)["type-error"]
    assert (finding.table, finding.row, finding.field) == ("orgs", 2, "founded")


def test_a_compression_bomb_stops_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(resource_bytes, "MAX_DECOMPRESSED", 1 << 20)
    root = attack_package(tmp_path)
    (root / "data" / "orgs.csv.gz").write_bytes(gzip.compress(b"id\n" + b"a\n" * (4 << 20)))
    edit_descriptor(root, lambda d: resource(d, "orgs").update(path="data/orgs.csv.gz"))
    [finding] = _codes(root)["compression-error"]
    assert "more than 1 MiB" in finding.message


def test_corrupt_gzip_is_a_finding(tmp_path):
    root = attack_package(tmp_path)
    (root / "data" / "orgs.csv.gz").write_bytes(b"\x1f\x8b\x08\x00" + zlib.compress(b"nonsense")[:5])
    edit_descriptor(root, lambda d: resource(d, "orgs").update(path="data/orgs.csv.gz"))
    assert "compression-error" in _codes(root)


def test_an_internal_error_is_one_line_with_exit_3_and_a_traceback_only_with_debug(tmp_path, monkeypatch):
    import china_ai_landscape.validation as validation

    def bug(*_args, **_kwargs):
        raise RuntimeError("an unforeseen bug")

    monkeypatch.setattr(validation, "validate", bug)
    result = run_cli("validate", str(attack_package(tmp_path)))
    assert result.exit_code == 3
    assert "Internal error: RuntimeError: an unforeseen bug" in result.stderr and "--debug" in result.stderr
    assert "Traceback" not in result.output
    from click.testing import CliRunner

    from china_ai_landscape.cli import main

    debug = CliRunner().invoke(main, ["--debug", "validate", str(attack_package(tmp_path / "d"))])
    assert isinstance(debug.exception, RuntimeError)  # --debug lets the traceback through
    env = CliRunner().invoke(main, ["validate", str(attack_package(tmp_path / "e"))], env={"DATASET_DEBUG": "1"})
    assert isinstance(env.exception, RuntimeError)


def test_ctrl_c_exits_130(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "china_ai_landscape", "validate", str(REPO / "datapackage.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)  # past start-up, inside the validation
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err


def test_millions_of_bad_cells_give_a_bounded_report(tmp_path):
    from china_ai_landscape.validation.tables import MAX_PER_CHECK

    root = attack_package(tmp_path)
    lines = ["deal_id,org_id,text"] + [f"d{i},nobody-{i},x" for i in range(3 * MAX_PER_CHECK)]
    (root / "data" / "deal_notes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = _codes(root)
    dangling = found["foreign-key"]
    assert len(dangling) == MAX_PER_CHECK + 1
    assert f"and {2 * MAX_PER_CHECK} more rows with this problem" in dangling[-1].message


@pytest.mark.parametrize("names", [["", ""], ["id", "id"], ["__row", "id"]])
def test_empty_duplicate_or_reserved_field_names_are_a_schema_finding(tmp_path, names):
    root = attack_package(tmp_path)
    _schema(root, "orgs", lambda s: s.update(fields=[{"name": n} for n in names]))
    result = run_cli("validate", str(root), "--skip", "expectations", "--format", "json")
    assert result.exit_code == 1
    assert any(f["code"] == "schema-error" for f in json.loads(result.stdout)["findings"])
