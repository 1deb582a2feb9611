"""The release database (SQLite) and names beside ids, for the shipped data."""

from __future__ import annotations

import json
import sqlite3

import pytest

import china_ai_landscape as cal
from china_ai_landscape.labels import label_plan
from china_ai_landscape.package import shipped
from china_ai_landscape.releases.sqlite import build_sqlite


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "data.sqlite"
    build_sqlite(shipped(), path)
    connection = sqlite3.connect(path)
    yield path, connection
    connection.close()


def test_every_table_with_the_rows_load_gives(database):
    _path, db = database
    for name in cal.tables():
        assert db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == len(cal.load(name)), name


def test_keys_foreign_keys_and_lists_survive(database):
    _path, db = database
    pk = [row[1] for row in db.execute("PRAGMA table_info(models)") if row[5]]
    assert pk == ["id"]
    references = {(row[3], row[2], row[4]) for row in db.execute("PRAGMA foreign_key_list(models)")}
    assert ("developer_id", "companies", "id") in references
    sources = db.execute("SELECT source_ids FROM models LIMIT 1").fetchone()[0]
    assert isinstance(json.loads(sources), list)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_full_text_search_finds_a_model_by_name(database):
    _path, db = database
    hits = db.execute("SELECT models.id FROM models JOIN models_fts ON models.rowid = models_fts.rowid "
                      "WHERE models_fts MATCH 'DeepSeek'").fetchall()
    assert "deepseek-v3" in {h[0] for h in hits} and len(hits) < len(cal.load("models"))


def test_column_descriptions_come_from_the_schemas(database):
    _path, db = database
    described = dict(db.execute("SELECT field, description FROM _fields WHERE \"table\" = 'models'").fetchall())
    schema = {f["name"]: f.get("description") for f in shipped().schema("models")["fields"]}
    assert described == schema


def test_the_labelled_view_agrees_with_load_labels(database):
    _path, db = database
    view = dict(db.execute("SELECT id, developer_group_name FROM models_labelled").fetchall())
    frame = cal.load("models", labels=True)
    assert view == dict(zip(frame["id"], frame["developer_group_name"]))


def test_two_builds_give_the_same_bytes(database, tmp_path):
    path, _db = database
    again = tmp_path / "again.sqlite"
    build_sqlite(shipped(), again)
    assert again.read_bytes() == path.read_bytes()


def test_labels_give_developer_names_and_groups_without_a_hand_join():
    models = cal.load("models", labels=True)
    companies = cal.load("companies").set_index("id")
    parent = companies["parent_id"].dropna().to_dict()

    def top(company):
        while company in parent:
            company = parent[company]
        return company

    for row in models.sample(40, random_state=1).itertuples():
        assert row.developer_name == companies.loc[row.developer_id, "name"]
        assert row.developer_group_id == top(row.developer_id)
        assert row.developer_group_name == companies.loc[top(row.developer_id), "name"]
    merged = models.merge(companies.reset_index(), left_on="developer_id", right_on="id", suffixes=("", "_company"))
    assert "id_x" not in merged.columns


def test_the_plan_is_derived_from_foreign_keys():
    plan = {label.column: label for label in label_plan(shipped(), "investment_investors")}
    assert set(plan) == {"investor_id"}  # investment_id points at a table without names
    assert plan["investor_id"].added == ["investor_name", "investor_country", "investor_group_id", "investor_group_name"]


def test_amount_usd_is_computed_from_the_years_rate():
    investments = cal.load("investments", labels=True, as_="arrow").to_pylist()
    rates = cal.load("exchange_rates", as_="arrow").to_pylist()
    cny = {r["year"]: r["rate"] for r in rates if r["currency"] == "CNY"}
    checked = 0
    for row in investments:
        if row["amount"] is None or row["date"] is None:
            continue
        year = row["date"].year
        if row["currency"] == "USD":
            assert row["amount_usd"] == row["amount"]
        elif row["currency"] == "CNY" and year in cny:
            assert abs(row["amount_usd"] - row["amount"] / cny[year]) < 0.01
            checked += 1
        elif row["currency"] == "CNY":
            assert row["amount_usd"] is None  # no rate for that year: nothing guessed
    assert checked > 3
