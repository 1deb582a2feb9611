"""Packages that are not ours: the toolkit works on them, without this dataset's rules."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from china_ai_landscape.cli import main
from china_ai_landscape.validation import validate

FIXTURES = Path(__file__).parent / "fixtures"


def test_frictionless_example_package_passes(digest):
    before = digest(FIXTURES / "cities")
    result = CliRunner().invoke(main, ["validate", str(FIXTURES / "cities")])
    assert result.exit_code == 0, result.output
    assert digest(FIXTURES / "cities") == before


def test_this_datasets_rules_are_skipped_for_a_foreign_package():
    report = validate(FIXTURES / "cities", skip=("expectations",))
    assert "rules" in report.layers
    assert any("no rule set applies to package" in note for note in report.notes)


def test_we_agree_with_frictionless_about_a_v1_licence_entry():
    """frictionless rejects the periodic table's {id, url} licence; so do we, and its table is clean."""
    import frictionless

    theirs = frictionless.validate(str(FIXTURES / "periodic-table" / "datapackage.json"))
    report = validate(FIXTURES / "periodic-table")
    assert not theirs.valid and not report.ok
    assert [f.code for f in report.errors] == ["package-error"] == [e.type for e in theirs.errors]
    assert validate(FIXTURES / "periodic-table", skip=("descriptor",)).ok
