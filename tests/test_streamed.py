"""A large file is read in batches (``validation/streamed.py``): same findings, bounded memory.

Files are streamed from ``STREAM_ABOVE`` bytes on. Here that threshold is lowered to 0, so
every package of the corpora is validated both ways (whole, then in batches of a few KiB) and
the tables and rules layers must report exactly the same findings, message and line included.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cases import CASES as BROKEN
from peer_cases import CASES as PEER
from peer_cases import package_for

from china_ai_landscape.validation import streamed, tables, validate

BROKEN_ROOT = Path(__file__).parent / "corpus" / "cases"


def _findings(path: Path, monkeypatch, stream: bool, block: int = 1 << 12) -> list[tuple]:
    monkeypatch.setattr(streamed, "STREAM_ABOVE", 0 if stream else 1 << 62)
    monkeypatch.setattr(streamed, "BLOCK_SIZE", block)
    report = validate(path, skip=("expectations",))
    return [(f.layer, f.code, f.table, f.row, f.field, f.line, f.severity, f.message) for f in report.findings]


@pytest.fixture
def streamed_count(monkeypatch):
    """How many resources were checked in batches (not handed back to the whole-file reader)."""
    calls = []
    original = tables._check_streamed

    def counting(*args):
        found = original(*args)
        calls.append(args[0].name)
        return found

    monkeypatch.setattr(tables, "_check_streamed", counting)
    return calls


def _same_both_ways(path: Path, monkeypatch) -> None:
    whole = _findings(path, monkeypatch, stream=False)
    assert _findings(path, monkeypatch, stream=True) == whole


BROKEN_PACKAGES = [c.name for c in BROKEN if c.exit_code != 2]


@pytest.mark.parametrize("case", BROKEN_PACKAGES)
def test_the_broken_corpus_gives_the_same_findings_in_batches(case, monkeypatch):
    _same_both_ways(BROKEN_ROOT / case, monkeypatch)


def test_the_peer_corpus_gives_the_same_findings_in_batches(tmp_path, monkeypatch, streamed_count):
    for case in PEER:
        path = package_for(case, tmp_path)
        whole = _findings(path, monkeypatch, stream=False)
        assert _findings(path, monkeypatch, stream=True) == whole, case
    assert len(streamed_count) >= 60  # most of the corpus really went through the batches


def _write(path: Path, text: str | bytes) -> None:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def _package(root: Path, rows: list[str], *, header: str = "id,name,amount,parent", crlf: bool = False,
             bom: bool = False) -> Path:
    schema = {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True, "unique": True}},
            {"name": "name", "type": "string", "constraints": {"maxLength": 12}},
            {"name": "amount", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "parent", "type": "string"},
        ],
        "primaryKey": ["id"],
        "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}}],
    }
    (root / "data").mkdir(parents=True)
    newline = "\r\n" if crlf else "\n"
    _write(root / "data" / "t.csv", (b"\xef\xbb\xbf" if bom else b"") + (newline.join([header] + rows) + newline).encode())
    (root / "datapackage.json").write_text(json.dumps({"name": "streamed", "resources": [
        {"name": "t", "path": "data/t.csv", "schema": schema}]}))
    return root / "datapackage.json"


def _rows(n: int) -> list[str]:
    return [f"id-{i},name {i % 50},{i},{'' if i % 7 else f'id-{i // 2}'}" for i in range(n)]


def test_irregular_rows_repeats_and_bad_cells_across_many_batches(tmp_path, monkeypatch, streamed_count):
    rows = _rows(3000)
    rows[0] = "id-0,short"  # a missing cell in the first record after the header
    rows[700] = "id-700,x,7,,surplus,more"  # extra cells
    rows[1500] = ""  # a blank row
    rows[1501] = "id-3,dup,1,"  # repeats an id of an earlier batch
    rows[2200] = "id-2200,a name far too long,-4,nobody"  # maxLength, minimum, dangling reference
    rows[-1] = "id-2999"  # an irregular record at the very end
    _same_both_ways(_package(tmp_path, rows), monkeypatch)
    assert streamed_count == ["t"]
    found = _findings(tmp_path / "datapackage.json", monkeypatch, stream=True)
    assert {(code, row) for _, code, _, row, *_ in found} >= {
        ("missing-cell", 2), ("extra-cell", 702), ("blank-row", 1502), ("primary-key", 1503),
        ("unique-error", 1503), ("constraint-error", 2202), ("foreign-key", 2202), ("missing-cell", 3001)}


def test_values_spanning_lines_a_bom_and_crlf(tmp_path, monkeypatch, streamed_count):
    rows = _rows(2000)
    rows[10] = 'id-10,"two\nlines",10,'
    rows[1200] = 'id-1200,"three\nmore\nlines",-1,'  # the line of this finding is 2 lines further down
    rows[1900] = "id-1900,x,notanumber,"
    _same_both_ways(_package(tmp_path, rows, crlf=True, bom=True), monkeypatch)
    streamed_count.clear()
    found = _findings(tmp_path / "datapackage.json", monkeypatch, stream=True)
    codes = {code for _, code, *_ in found}
    assert {"utf8-bom", "crlf-line-endings", "type-error", "constraint-error"} <= codes
    lines = {(code, row, line) for _, code, _, row, _, line, *_ in found}
    assert ("constraint-error", 1202, 1203) in lines and ("type-error", 1902, 1905) in lines
    assert len(streamed_count) == 2  # read twice: the line breaks inside values were found on the first pass


def test_a_hash_collision_is_not_reported_as_a_repeat(tmp_path, monkeypatch):
    import polars as pl

    from china_ai_landscape.validation import batched_keys

    monkeypatch.setattr(batched_keys.KeyIndex, "add", _colliding_add(batched_keys.KeyIndex.add, pl))
    found = _findings(_package(tmp_path, _rows(500)), monkeypatch, stream=True)
    assert not [f for f in found if f[1] in ("primary-key", "unique-error")]


def _colliding_add(add, pl):
    """KeyIndex.add with every hash the same: each row then looks like a repeat of the first."""
    def colliding(self, typed):
        add(self, typed)
        for key, buckets in self.parts.items():
            rows = pl.concat([part for parts in buckets.values() for part in parts])
            self.parts[key] = {0: [rows.with_columns(pl.lit(1, dtype=pl.UInt64).alias("h"))]}
    return colliding


def test_a_rule_on_a_streamed_table_reports_rows_and_a_broken_rule(tmp_path, monkeypatch):
    import polars as pl

    from china_ai_landscape.validation.rules import _REGISTERED, Rule, RuleSet, register

    def rules(ctx):
        yield Rule("even-amount", "t", "amount", lambda c: pl.col("amount") % 2 == 0, "{id}: odd amount {amount}")
        yield Rule("broken", "t", "name", lambda c: pl.col("no_such_column") > 1, "never")

    register(RuleSet("streamed-test", lambda p: p.descriptor.get("name") == "streamed", rules))
    try:
        path = _package(tmp_path, _rows(3000))
        whole = _findings(path, monkeypatch, stream=False)
        batched = _findings(path, monkeypatch, stream=True)
    finally:
        _REGISTERED.pop("streamed-test")
    odd = [f for f in batched if f[1] == "even-amount"]
    assert [f[3] for f in odd[:3]] == [3, 5, 7] and odd[0][7] == "id-1: odd amount 1"
    assert odd[-1][7].startswith("… and 500 more")
    assert [f for f in batched if f[1] != "rule-error"] == [f for f in whole if f[1] != "rule-error"]
    assert any(f[1] == "rule-error" and "broken" in f[7] for f in batched)


def test_spill_files_are_removed(tmp_path, monkeypatch):
    import tempfile

    spills = tmp_path / "tmp"
    spills.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spills))
    _findings(_package(tmp_path / "p", _rows(1000)), monkeypatch, stream=True)
    assert not list(spills.iterdir())


def test_a_file_pyarrow_refuses_midway_is_read_whole(tmp_path, monkeypatch, streamed_count):
    rows = _rows(3000)
    rows[2500] = "id-2500,café,1,"
    path = _package(tmp_path, rows)
    data = (tmp_path / "data" / "t.csv").read_bytes().replace("café".encode(), b"caf\xe9")  # invalid UTF-8, deep in
    _write(tmp_path / "data" / "t.csv", data)
    found = _findings(path, monkeypatch, stream=True)
    assert not streamed_count  # handed back to the whole-file reader
    assert found == _findings(path, monkeypatch, stream=False)
    assert any(code == "encoding-error" for _, code, *_ in found)


def test_the_threshold_can_be_set_in_the_environment(tmp_path, monkeypatch, streamed_count):
    path = _package(tmp_path, _rows(100))
    monkeypatch.setenv(streamed.STREAM_ABOVE_VARIABLE, "0")
    validate(path, skip=("expectations",))
    assert streamed_count == ["t"]
    monkeypatch.setenv(streamed.STREAM_ABOVE_VARIABLE, "not a number")  # the default applies
    validate(path, skip=("expectations",))
    assert streamed_count == ["t"]


def test_no_room_for_spill_files_means_reading_whole(tmp_path, monkeypatch, streamed_count):
    import polars as pl

    path = _package(tmp_path, _rows(500))
    whole = _findings(path, monkeypatch, stream=False)

    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_ipc", full_disk)
    assert _findings(path, monkeypatch, stream=True) == whole
    assert not streamed_count
