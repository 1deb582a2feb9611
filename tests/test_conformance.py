"""The tables layer reports what frictionless reports: same (table, row, field, code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases import CASES
from conformance import compare

CORPUS = Path(__file__).parent / "corpus"
COMPARABLE = [c for c in CASES if c.frictionless]


@pytest.mark.parametrize("case", COMPARABLE, ids=[c.name for c in COMPARABLE])
def test_corpus_case_matches_frictionless(case):
    ours, theirs = compare(CORPUS / "cases" / case.name)
    assert ours == theirs


def test_generated_package_with_planted_errors_matches_frictionless(tmp_path):
    from benchmarks.synthetic import write_package

    path = write_package(tmp_path, companies=400, investments=4000, plant=4, seed=11)
    ours, theirs = compare(path)
    assert len(theirs) > 60  # every kind of planted mistake was found...
    assert {code for *_, code in theirs} >= {"type-error", "constraint-error", "foreign-key", "primary-key",
                                             "unique-error", "extra-cell", "missing-cell", "blank-row"}
    assert ours == theirs  # ...and at the same places


def test_foreign_example_package_matches_frictionless():
    ours, theirs = compare(Path(__file__).parent / "fixtures" / "cities")
    assert ours == theirs == set()
