from china_ai_landscape.package import DataPackage
from china_ai_landscape.readme import render


def test_generated_readme_sections_are_current(repo_root):
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    assert render(text, DataPackage(repo_root)) == text, "README.md is stale: run python -m china_ai_landscape.readme"


def test_data_dictionary_names_every_schema_field(repo_root, package):
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    for name in package.table_names():
        assert f"### `{name}`" in text
        for field in package.schema(name)["fields"]:
            assert f"| `{field['name']}` |" in text


def test_render_replaces_a_stale_section(package):
    stale = "x\n<!-- BEGIN tables -->\nSTALE-CONTENT\n<!-- END tables -->\n<!-- BEGIN coverage -->\n<!-- END coverage -->\n<!-- BEGIN completeness -->\n<!-- END completeness -->\n<!-- BEGIN data-dictionary -->\n<!-- END data-dictionary -->\n"
    fresh = render(stale, package)
    assert "STALE-CONTENT" not in fresh and "| `models` |" in fresh
    assert render(fresh, package) == fresh


def test_completeness_figures_follow_the_data(package_copy):
    """The completeness table is computed: blanking Chinese names lowers the share it prints."""
    import csv
    import io

    from china_ai_landscape.readme import completeness_section

    before = completeness_section(DataPackage(package_copy))
    path = package_copy / "data" / "companies.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows:
        row["name_zh"] = ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    after = completeness_section(DataPackage(package_copy))
    line = next(line for line in after.splitlines() if "`name_zh`" in line)
    assert "| 0 of " in line and line not in before
