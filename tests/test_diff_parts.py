"""Large CSV files are diffed in parts (``diffing/parts.py``): the result is the whole diff's.

The size from which files are split is lowered here (``DATASET_PARTS_ABOVE=0``, parts of a
few KiB), so small packages are diffed both ways and must give the same rows, counts,
field changes and rendering.
"""

from __future__ import annotations

import copy
import random

import pytest
from diff_fixtures import MODELS_SCHEMA, base_tables, model, write_package

from china_ai_landscape.diffing import diff, parts
from china_ai_landscape.errors import DatasetError


@pytest.fixture
def split_small(monkeypatch):
    """Diff in parts from 0 bytes, in parts of about 4 KiB; records which tables were split."""
    monkeypatch.setattr(parts, "PART_BYTES", 4096)
    split = []
    original = parts.diff_in_parts

    def recording(name, *args):
        found = original(name, *args)
        split.append(name)
        return found

    monkeypatch.setattr(parts, "diff_in_parts", recording)
    return split


def _both_ways(old, new, monkeypatch):
    monkeypatch.setenv(parts.PARTS_ABOVE_VARIABLE, str(1 << 62))
    whole = diff(old, new)
    monkeypatch.setenv(parts.PARTS_ABOVE_VARIABLE, "0")
    in_parts = diff(old, new)
    return whole, in_parts


def _edited(rng: random.Random, n: int) -> tuple[dict, dict]:
    """Two versions of a models table of ``n`` rows: rows changed in every field, removed, added."""
    old = base_tables()
    old["models"]["rows"] = [model(f"m-{i}", name=f'name {i}, "quoted"' if i % 11 == 0 else (f"two\nlines {i}" if i % 13 == 0 else None),
                           parameters=None if i % 9 == 0 else 10**9 + i, released=None if i % 7 == 0 else "2024-01-02")
                     for i in range(n)]
    new = copy.deepcopy(old)
    rows = new["models"]["rows"]
    for i in rng.sample(range(n), n // 20):
        field = rng.choice(["name", "kind", "parameters", "released", "source_ids"])
        rows[i][field] = {"name": f"renamed {i}", "kind": "product", "parameters": None,
                          "released": "2025-05-05", "source_ids": ["s1", "s2"]}[field]
    gone = set(rng.sample(range(n), n // 50))
    new["models"]["rows"] = [r for i, r in enumerate(rows) if i not in gone] + [model(f"new-{i}") for i in range(n // 40)]
    rng.shuffle(new["models"]["rows"])  # the new file's order differs from the old one's
    return old, new


@pytest.mark.parametrize("seed, formats", [(1, ("csv", "csv")), (2, ("csv", "csv")), (3, ("parquet", "parquet")),
                                           (4, ("csv", "parquet"))])
def test_a_table_diffed_in_parts_is_the_whole_diff(tmp_path, monkeypatch, split_small, seed, formats):
    old_tables, new_tables = _edited(random.Random(seed), 1500)
    old = write_package(tmp_path / "old", old_tables, parquet=("models",) if formats[0] == "parquet" else ())
    new = write_package(tmp_path / "new", new_tables, parquet=("models",) if formats[1] == "parquet" else ())
    whole, in_parts = _both_ways(old, new, monkeypatch)
    assert "models" in split_small and "model_sources" in split_small  # composite string keys too
    assert in_parts.to_dict() == whole.to_dict()
    for style in ("text", "markdown", "json"):
        assert in_parts.render(style) == whole.render(style)
    models = in_parts.tables["models"]
    assert models.changed and models.added and models.removed
    assert models.changed_old.column_names == whole.tables["models"].changed_old.column_names


def _errors_both_ways(old, new, monkeypatch) -> list[str]:
    """The error message of the whole diff, then of the diff in parts."""
    messages = []
    for threshold in (str(1 << 62), "0"):
        monkeypatch.setenv(parts.PARTS_ABOVE_VARIABLE, threshold)
        with pytest.raises(DatasetError) as caught:
            diff(old, new)
        messages.append(str(caught.value))
    return messages


def test_a_repeated_key_is_reported_as_the_whole_diff_reports_it(tmp_path, monkeypatch, split_small):
    old_tables = base_tables()
    old_tables["models"]["rows"] = [model(f"m-{i}") for i in range(300)]
    new_tables = copy.deepcopy(old_tables)
    new_tables["models"]["rows"].append(model("m-7", name="again"))
    old, new = write_package(tmp_path / "old", old_tables), write_package(tmp_path / "new", new_tables)
    messages = _errors_both_ways(old, new, monkeypatch)
    assert messages[0] == messages[1] and "m-7" in messages[0]


def test_a_key_that_is_not_a_string_is_diffed_whole(tmp_path, monkeypatch, split_small):
    schema = copy.deepcopy(MODELS_SCHEMA)
    schema["primaryKey"] = ["parameters"]
    tables = base_tables()
    tables["models"] = {"schema": schema, "rows": [model(f"m-{i}", parameters=i + 1) for i in range(200)]}
    old, new = write_package(tmp_path / "old", tables), write_package(tmp_path / "new", tables)
    monkeypatch.setenv(parts.PARTS_ABOVE_VARIABLE, "0")
    assert not diff(old, new).differs
    assert "models" not in split_small


def test_no_room_for_the_parts_means_a_whole_diff(tmp_path, monkeypatch, split_small):
    import pyarrow as pa

    old_tables, new_tables = _edited(random.Random(5), 300)
    old, new = write_package(tmp_path / "old", old_tables), write_package(tmp_path / "new", new_tables)
    monkeypatch.setenv(parts.PARTS_ABOVE_VARIABLE, str(1 << 62))
    whole = diff(old, new)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pa.ipc, "new_file", full_disk)
    monkeypatch.setenv(parts.PARTS_ABOVE_VARIABLE, "0")
    assert diff(old, new).to_dict() == whole.to_dict()
    assert not split_small


def test_a_cell_that_does_not_read_is_reported_as_the_whole_diff_reports_it(tmp_path, monkeypatch, split_small):
    old_tables, new_tables = _edited(random.Random(6), 400)
    old, new = write_package(tmp_path / "old", old_tables), write_package(tmp_path / "new", new_tables)
    data = new / "data" / "models.csv"
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[250] = lines[250].replace(",1000000", ",12x", 1)  # a parameter count that is not an integer
    data.write_text("".join(lines), encoding="utf-8")
    messages = _errors_both_ways(old, new, monkeypatch)
    assert messages[0] == messages[1]
    assert "models" not in split_small
