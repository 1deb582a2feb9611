"""Release Parquet files read by other tools (DuckDB, polars) give what load() gives."""

import duckdb
import pytest

import china_ai_landscape as cal
from china_ai_landscape.releases import download

from release_helpers import VERSION, cache, published, server  # noqa: F401  (fixtures)

pl = pytest.importorskip("polars")


@pytest.fixture
def release_files(published, server, cache, monkeypatch):  # noqa: F811
    monkeypatch.setenv("CHINA_AI_LANDSCAPE_RELEASE_URL", server)
    paths = download(VERSION, registry=published[2])
    return {p.stem: p for p in paths if p.suffix == ".parquet"}


def test_duckdb_reads_the_same_rows_and_types_as_load(release_files):
    for name, path in release_files.items():
        loaded = cal.load(name, version=VERSION, as_="arrow")
        from_file = duckdb.sql(f"SELECT * FROM read_parquet('{path}')")
        from_load = duckdb.from_arrow(loaded)
        assert from_file.columns == from_load.columns
        assert [str(t) for t in from_file.types] == [str(t) for t in from_load.types]
        assert from_file.fetchall() == from_load.fetchall()


def test_polars_reads_the_same_rows_and_types_as_load(release_files):
    for name, path in release_files.items():
        loaded = cal.load(name, version=VERSION, as_="polars")
        from_file = pl.read_parquet(path)
        assert from_file.schema == loaded.schema
        assert from_file.equals(loaded)
