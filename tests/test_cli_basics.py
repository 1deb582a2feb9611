import json

from click.testing import CliRunner

import china_ai_landscape as cal
from china_ai_landscape.cli import main
from china_ai_landscape.summary import table_summaries


def test_version_names_package_and_data_versions():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert cal.__version__ in result.output and cal.data_version() in result.output


def test_every_command_has_help_with_examples():
    runner = CliRunner()
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Examples:" in result.output, f"dataset {name} --help shows no examples"


def test_tables_lists_row_counts_from_the_data():
    result = CliRunner().invoke(main, ["tables", "--format", "json"])
    assert result.exit_code == 0
    listed = {row["name"]: row["rows"] for row in json.loads(result.output)}
    assert listed == {name: len(cal.load(name)) for name in cal.tables()}


def test_tables_text_shows_each_table_once():
    result = CliRunner().invoke(main, ["tables"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for row in table_summaries():
        assert sum(line.split()[0] == row["name"] for line in lines) == 1
