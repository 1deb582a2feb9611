"""Properties of the row diff, checked on generated tables (hypothesis)."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pyarrow as pa
from diff_fixtures import write_package
from hypothesis import given, settings
from hypothesis import strategies as st

from china_ai_landscape.arrow_types import arrow_schema
from china_ai_landscape.diffing import diff
from china_ai_landscape.diffing.rows import diff_rows

SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "name", "type": "string"},
        {"name": "parameters", "type": "integer"},
        {"name": "source_ids", "type": "list", "itemType": "string", "delimiter": ";"},
    ],
    "primaryKey": ["id"],
}
FIELDS = [f["name"] for f in SCHEMA["fields"]]

records = st.fixed_dictionaries({
    "name": st.one_of(st.none(), st.text(alphabet="ab z", min_size=1, max_size=4)),
    "parameters": st.one_of(st.none(), st.integers(1, 10**13)),
    "source_ids": st.lists(st.sampled_from(["s1", "s2", "s3"]), min_size=1, max_size=3),
})
# A small key space, so that two generated tables share many keys.
keyed = st.dictionaries(st.sampled_from([f"k{i}" for i in range(15)]), records, max_size=12)
loose_rows = st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.integers(0, 2)), max_size=12)


def table(rows: dict[str, dict]) -> pa.Table:
    return pa.Table.from_pylist([{"id": k, **v} for k, v in rows.items()], schema=arrow_schema(SCHEMA))


def loose_table(rows: list[tuple]) -> pa.Table:
    return pa.table({"who": pa.array([r[0] for r in rows], pa.string()), "n": pa.array([r[1] for r in rows], pa.int64())})


# No deadlines: the machine is shared and tests never assert timings.
relaxed = settings(deadline=None)


def counts(d) -> tuple[int, int, int, int]:
    return d.added, d.removed, d.changed, d.unchanged


@relaxed
@given(keyed, st.randoms())
def test_a_table_against_itself_in_any_row_order_has_no_differences(rows, rnd):
    items = list(rows.items())
    rnd.shuffle(items)
    d = diff_rows("t", table(rows), table(dict(items)), ["id"])
    assert counts(d) == (0, 0, 0, len(rows))


@relaxed
@given(keyed, keyed)
def test_keyed_counts_match_a_plain_python_comparison(old, new):
    d = diff_rows("t", table(old), table(new), ["id"])
    shared = old.keys() & new.keys()
    changed = {k for k in shared if old[k] != new[k]}
    assert counts(d) == (len(new.keys() - old.keys()), len(old.keys() - new.keys()), len(changed), len(shared) - len(changed))
    assert d.added + d.changed + d.unchanged == len(new)
    assert d.removed + d.changed + d.unchanged == len(old)
    assert set(d.added_rows.column("id").to_pylist()) == new.keys() - old.keys()
    assert set(d.changed_new.column("id").to_pylist()) == changed


@relaxed
@given(keyed, keyed)
def test_swapping_sides_swaps_added_and_removed(a, b):
    forward, backward = diff_rows("t", table(a), table(b), ["id"]), diff_rows("t", table(b), table(a), ["id"])
    assert (backward.added, backward.removed) == (forward.removed, forward.added)
    assert (backward.changed, backward.unchanged) == (forward.changed, forward.unchanged)
    assert set(backward.added_rows.column("id").to_pylist()) == set(forward.removed_rows.column("id").to_pylist())


@relaxed
@given(loose_rows, loose_rows)
def test_whole_row_comparison_counts_rows_as_a_multiset(old, new):
    d = diff_rows("t", loose_table(old), loose_table(new), [])
    before, after = Counter(old), Counter(new)
    assert counts(d) == (sum((after - before).values()), sum((before - after).values()), 0, sum((before & after).values()))
    assert d.added + d.unchanged == len(new) and d.removed + d.unchanged == len(old)
    swapped = diff_rows("t", loose_table(new), loose_table(old), [])
    assert (swapped.added, swapped.removed) == (d.removed, d.added)


@settings(max_examples=15, deadline=None)
@given(keyed)
def test_a_package_against_itself_needs_no_bump(rows):
    with tempfile.TemporaryDirectory() as tmp:
        tables = {"models": {"schema": SCHEMA, "rows": [{"id": k, **v} for k, v in rows.items()]}}
        package = write_package(Path(tmp) / "pkg", tables)
        d = diff(package, package)
        assert (d.bump, d.reasons, d.differs) == ("none", [], False)
        assert d.tables["models"].unchanged == len(rows)


@relaxed
@given(keyed, keyed, st.randoms())
def test_tables_sorted_by_key_diff_as_the_same_rows_in_any_order(old, new, rnd):
    from china_ai_landscape.diffing.keys import _sorted_codes

    in_order = {k: old[k] for k in sorted(old)}, {k: new[k] for k in sorted(new)}
    shuffled = []
    for rows in (old, new):
        items = list(rows.items())
        rnd.shuffle(items)
        shuffled.append(dict(items))
    sorted_old, sorted_new = table(in_order[0]), table(in_order[1])
    assert _sorted_codes(sorted_old.column("id"), sorted_new.column("id")) is not None  # the binary search is used
    fast, general = diff_rows("t", sorted_old, sorted_new, ["id"]), diff_rows("t", table(shuffled[0]), table(shuffled[1]), ["id"])
    assert counts(fast) == counts(general)
    assert fast.field_changes == general.field_changes
    for rows in ("added_rows", "removed_rows", "changed_new"):
        assert sorted(getattr(fast, rows).column("id").to_pylist()) == sorted(getattr(general, rows).column("id").to_pylist())


item_lists = st.one_of(st.none(), st.lists(st.text(alphabet=["a", "b", ";", "\x1f", "é"], max_size=3), max_size=3))


@relaxed
@given(st.lists(st.tuples(item_lists, item_lists), min_size=1, max_size=12), st.integers(0, 3), st.integers(0, 3))
def test_list_fields_differ_exactly_when_their_items_do(pairs, skip_old, skip_new):
    """Lists of text are compared through views of their buffers; sliced and chunked columns
    (as a CSV reader gives them) must compare as their values do."""
    kind = pa.list_(pa.string())

    def side(values: list, skip: int) -> pa.Table:
        padded = pa.table({"id": [f"pad{i}" for i in range(skip)] + [f"k{i:02d}" for i in range(len(values))],
                           "items": pa.array([["x"]] * skip + values, kind)})
        body = padded.slice(skip)  # the list column now starts at an offset into its buffers
        half = body.num_rows // 2
        return pa.concat_tables([body.slice(0, half), body.slice(half)])  # two chunks

    d = diff_rows("t", side([p[0] for p in pairs], skip_old), side([p[1] for p in pairs], skip_new), ["id"])
    expected = sum(1 for a, b in pairs if a != b)
    assert d.changed == expected
    assert d.field_changes == ({"items": expected} if expected else {})
