import pandas as pd
import pyarrow as pa
import pytest

import china_ai_landscape as cal
from china_ai_landscape.loading import load_from

# Expected pandas dtype per Table Schema type. The columns themselves come from the schemas.
PANDAS_DTYPE = {
    "string": pd.ArrowDtype(pa.string()),
    "integer": pd.ArrowDtype(pa.int64()),
    "number": pd.ArrowDtype(pa.float64()),
    "boolean": pd.ArrowDtype(pa.bool_()),
    "date": pd.ArrowDtype(pa.date32()),
}


def expected_dtype(field):
    if field["type"] == "list":
        return pd.ArrowDtype(pa.list_(pa.string()))
    return PANDAS_DTYPE[field["type"]]


def test_tables_lists_every_resource_in_descriptor_order(package):
    assert cal.tables() == [r["name"] for r in package.descriptor["resources"]]


@pytest.mark.parametrize("name", [r["name"] for r in cal.descriptor()["resources"]])
def test_loaded_columns_have_the_types_their_schema_declares(name, package):
    frame = cal.load(name)
    fields = package.schema(name)["fields"]
    assert list(frame.columns) == [f["name"] for f in fields]
    for field in fields:
        assert frame[field["name"]].dtype == expected_dtype(field), (name, field["name"])


def test_source_ids_load_as_lists_of_ids():
    models = cal.load("models")
    assert len(models) > 0
    for ids in models["source_ids"]:
        assert len(ids) >= 1 and all(isinstance(i, str) and i for i in ids)


def test_missing_cells_load_as_nulls_not_empty_strings():
    companies = cal.load("companies", as_="arrow")
    assert companies.column("parent_id").null_count > 0
    assert "" not in companies.column("parent_id").drop_null().to_pylist()


def test_arrow_and_polars_outputs_carry_the_same_rows():
    arrow = cal.load("models", as_="arrow")
    polars_frame = cal.load("models", as_="polars")
    assert isinstance(arrow, pa.Table)
    assert polars_frame.shape == (arrow.num_rows, arrow.num_columns)
    assert polars_frame["id"].to_list() == arrow.column("id").to_pylist()


def test_unknown_table_lists_valid_names():
    with pytest.raises(cal.DatasetError) as info:
        cal.load("modles")
    assert "'modles'" in str(info.value)
    for name in cal.tables():
        assert name in str(info.value)


def test_unknown_output_kind_is_a_clear_error():
    with pytest.raises(cal.DatasetError, match="as_="):
        cal.load("models", as_="excel")


def test_a_list_field_is_split_on_its_schema_delimiter(package_copy):
    from china_ai_landscape.package import DataPackage

    path = package_copy / "data" / "sources.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    cols = header.split(",")
    row = {c: "" for c in cols} | {"id": "s1", "title": "T", "publisher": "P", "published": "2023-01-02",
                                   "published_precision": "day", "url": "https://example.org/a", "language": "en",
                                   "kind": "news"}
    path.write_text(header + "\n" + ",".join(row[c] for c in cols) + "\n", encoding="utf-8")
    frame = load_from(DataPackage(package_copy), "sources", as_="arrow")
    assert frame.num_rows == 1
    assert frame.column("published").type == pa.date32()
    assert frame.column("author").to_pylist() == [None]


def test_version_and_data_version_come_from_the_descriptor(package):
    assert cal.data_version() == package.descriptor["version"]
    assert cal.__version__ == package.descriptor["version"]


def test_descriptor_is_a_copy():
    d = cal.descriptor()
    d["name"] = "changed"
    assert cal.descriptor()["name"] == "china-ai-landscape"
