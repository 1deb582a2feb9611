import pytest

import china_ai_landscape as cal


def cited_tables():
    return [name for name in cal.tables() if name != "sources"]


@pytest.mark.parametrize("name", cited_tables())
def test_every_row_cites_existing_sources(name):
    known = set(cal.load("sources", as_="arrow").column("id").to_pylist())
    frame = cal.load(name, as_="arrow")
    assert "source_ids" in frame.column_names
    for row_number, ids in enumerate(frame.column("source_ids").to_pylist(), start=2):
        assert ids, f"{name} row {row_number} cites no source"
        missing = set(ids) - known
        assert not missing, f"{name} row {row_number} cites unknown sources {sorted(missing)}"


def test_every_source_is_cited_somewhere():
    cited = set()
    for name in cited_tables():
        for ids in cal.load(name, as_="arrow").column("source_ids").to_pylist():
            cited.update(ids)
    sources = set(cal.load("sources", as_="arrow").column("id").to_pylist())
    assert sources - cited == set()
