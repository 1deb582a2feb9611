"""frictionless-py's own fixtures: both tools give the same verdict and the same findings.

166 packages: frictionless-py's package descriptors and its CSV files as schema-less packages
(see tests/peer_cases.py). Deliberate differences are listed there and in the README.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import described, frictionless_verdict, our_verdict, without_cascades
from peer_cases import CASES, DESCRIPTORS, DIFFERENCES, ROOT, package_for


@pytest.fixture(scope="module")
def peer_runs(tmp_path_factory):
    """Each case's package path and frictionless's verdict, computed once for the module."""
    tmp = tmp_path_factory.mktemp("peers")
    runs = {}
    for case in CASES:
        path = package_for(case, tmp)
        runs[case] = (path, *frictionless_verdict(path))
    return runs


def _disagreement(case: str, path: Path, their_ok: bool, theirs: set) -> str | None:
    """Why the tools disagree on a case beyond its documented difference, or None."""
    ok, ours = our_verdict(path)
    with described(path) as descriptor:
        theirs = without_cascades(descriptor, ours, theirs)
    expected = DIFFERENCES.get(case)
    if expected is None:
        if (ok, ours) != (their_ok, theirs):
            return f"verdicts {ok}/{their_ok}; only ours {sorted(ours - theirs, key=str)}; only theirs {sorted(theirs - ours, key=str)}"
        return None
    codes = (frozenset(c for *_, c in ours - theirs), frozenset(c for *_, c in theirs - ours))
    if (ok, their_ok) != (expected.our_verdict, expected.their_verdict) or codes != (expected.only_ours, expected.only_theirs):
        return f"documented difference changed: verdicts {ok}/{their_ok}, codes only ours {sorted(codes[0])}, only theirs {sorted(codes[1])}"
    return None


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 60
    assert set(DIFFERENCES) <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_we_agree_with_frictionless_on_its_fixtures(case, peer_runs):
    assert _disagreement(case, *peer_runs[case]) is None


@pytest.mark.parametrize("disabled", ["_header_findings", "_key_findings", "_row_checks"])
def test_the_corpus_catches_a_disabled_check(disabled, peer_runs, monkeypatch):
    """Turn one check of the tables layer off: some package of the corpus must then disagree.

    (No fixture of frictionless-py breaks a foreign key; tests/corpus/ covers that check.)
    """
    from china_ai_landscape.validation import tables

    original = getattr(tables, disabled)
    if disabled == "_row_checks":
        monkeypatch.setattr(tables, disabled, lambda *args: ([], original(*args)[1]))
    else:
        monkeypatch.setattr(tables, disabled, lambda *args: [])
    assert any(_disagreement(case, *peer_runs[case]) for case in CASES)


def test_the_corpus_catches_disabled_cell_constraints(peer_runs, monkeypatch):
    from china_ai_landscape.validation import cells

    monkeypatch.setattr(cells, "constraints", lambda *args: [])
    assert any(_disagreement(case, *peer_runs[case]) for case in CASES)


VALID_WITH_SCHEMAS = [c for c in DESCRIPTORS if not c.endswith(".zip")]


def test_every_valid_peer_package_loads_with_the_values_the_validator_read():
    """One meaning per cell: for each table of the corpus that validates and has a schema,
    load() (pyarrow, the light path) gives the typed values the tables layer built (polars)."""
    import polars as pl

    from china_ai_landscape.loading import read_table
    from china_ai_landscape.package import DataPackage
    from china_ai_landscape.validation import descriptor, tables
    from china_ai_landscape.resource_bytes import load_bytes

    compared = 0
    for case in VALID_WITH_SCHEMAS:
        path = ROOT / case
        if not validate_ok(path):
            continue
        package = DataPackage(path)
        resources, _ = descriptor.resolve(package)
        for name, typed in tables.check(resources, load_bytes).tables.items():
            if not isinstance(package.resource(name).get("schema"), (dict, str)):
                continue  # no schema: the validator infers one, load() asks for one
            loaded = pl.from_arrow(read_table(package, name))
            checked = typed.frame.drop("__row", "__line")
            assert loaded.columns == checked.columns, (case, name)
            for column in checked.columns:
                as_text = [loaded[column].cast(pl.String), checked[column].cast(pl.String)]
                assert as_text[0].equals(as_text[1], null_equal=True), (case, name, column)
            compared += 1
    assert compared >= 30


def validate_ok(path) -> bool:
    from china_ai_landscape.validation import validate

    return validate(path, skip=("rules", "expectations")).ok
