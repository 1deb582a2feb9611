"""Property tests: random bytes, descriptors and schemas never make ``validate`` raise, exit
outside {0, 1, 2}, or change a file. Together they run 2,000 examples."""

from __future__ import annotations

import json
import shutil
import tempfile
import traceback
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from china_ai_landscape.cli import main
from conftest import digest_tree
from hostile import BASE

SETTINGS = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
KEYS = ["name", "path", "schema", "dialect", "encoding", "format", "data", "fields", "type", "constraints", "primaryKey",
        "foreignKeys", "resources", "missingValues", "delimiter", "header", "compression", "bytes", "hash", "reference"]
PATHS = st.sampled_from(["data/orgs.csv", "data/deals.csv", "../outside.csv", "/etc/hostname", "data", "data/orgs.csv.gz",
                         "https://example.invalid/x.csv", "schemas/orgs.json", "", "data/\x00.csv", "data/*.csv"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                    st.text(max_size=20), PATHS)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                    st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=5)),
                    max_leaves=25)


def _validate_in_copy(change) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pkg"
        shutil.copytree(BASE, root)
        outside = Path(tmp) / "outside.csv"
        outside.write_text("id,name\nsecret,x\n")
        change(root)
        before = digest_tree(Path(tmp))
        result = CliRunner().invoke(main, ["validate", str(root), "--skip", "expectations", "--format", "json"])
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            "".join(traceback.format_exception(result.exception))
        assert result.exit_code in (0, 1, 2), result.output
        assert "secret" not in result.output
        assert digest_tree(Path(tmp)) == before


@settings(max_examples=1000, **SETTINGS)
@given(st.binary(max_size=600), st.sampled_from(["orgs", "deals", "deal_orgs", "deal_notes"]))
def test_random_bytes_in_a_table(data, table):
    _validate_in_copy(lambda root: (root / "data" / f"{table}.csv").write_bytes(data))


@settings(max_examples=700, **SETTINGS)
@given(st.one_of(JSON, st.fixed_dictionaries({"name": SCALARS, "resources": st.lists(JSON, max_size=3)})))
def test_random_descriptors(descriptor):
    _validate_in_copy(lambda root: (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8"))


@settings(max_examples=300, **SETTINGS)
@given(st.one_of(JSON, st.fixed_dictionaries({"fields": st.lists(JSON, max_size=4), "primaryKey": JSON, "foreignKeys": JSON})))
def test_random_schemas(schema):
    _validate_in_copy(lambda root: (root / "schemas" / "orgs.json").write_text(json.dumps(schema), encoding="utf-8"))
