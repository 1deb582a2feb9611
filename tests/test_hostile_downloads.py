"""Each way a download can fail has its own true message, and leaves nothing in the cache."""

from __future__ import annotations

import pytest

from china_ai_landscape.errors import DatasetError
from china_ai_landscape.releases import download
from hostile import assert_one_line_error, run_cli
from release_helpers import (VERSION, CutShortHandler, SilentHandler, StallHandler, cache, closed_port, published,  # noqa: F401
                             serve, serve_stalling)


@pytest.fixture
def quick_timeout(monkeypatch):
    monkeypatch.setenv("CHINA_AI_LANDSCAPE_TIMEOUT", "0.5")


def _nothing_left(cache) -> None:
    assert not cache.exists() or list(cache.rglob("*")) == [], sorted(cache.rglob("*"))


def test_a_stall_during_the_body_says_it_stalled(published, cache, quick_timeout):
    with serve_stalling(published[1], StallHandler) as url, pytest.raises(DatasetError, match="stalled: no data for 0.5 s"):
        download(VERSION, ["models"], base_url=url, registry=published[2])
    _nothing_left(cache)


def test_a_server_that_never_answers_says_so(published, cache, quick_timeout):
    with serve_stalling(published[1], SilentHandler) as url, \
            pytest.raises(DatasetError, match="accepted the connection but did not answer within 0.5 s"):
        download(VERSION, ["models"], base_url=url, registry=published[2])
    _nothing_left(cache)


def test_a_refused_connection_says_refused(published, cache):
    with pytest.raises(DatasetError, match="refused the connection"):
        download(VERSION, ["models"], base_url=f"http://127.0.0.1:{closed_port()}", registry=published[2])
    _nothing_left(cache)


def test_a_connection_cut_off_says_cut_off_and_leaves_no_folder(published, cache):
    with serve(published[1], CutShortHandler) as url, pytest.raises(DatasetError, match="cut off"):
        download(VERSION, ["models"], base_url=url, registry=published[2])
    _nothing_left(cache)


@pytest.mark.parametrize("form", ["file-url", "plain-path"])
def test_a_local_mirror_works_with_the_same_checks(published, cache, form):
    base = published[1].as_uri() if form == "file-url" else str(published[1])
    paths = download(VERSION, ["models"], base_url=base, registry=published[2])
    assert [p.name for p in paths] == ["datapackage.json", "models.parquet"]


def test_a_file_missing_from_a_local_mirror_is_an_unknown_release(published, cache, tmp_path):
    with pytest.raises(DatasetError, match="release 9.9.9 is unknown"):
        download("9.9.9", base_url=str(tmp_path), registry=published[2])
    _nothing_left(cache)


@pytest.mark.parametrize("scheme", ["ftp", "gopher", "s3"])
def test_other_schemes_are_refused_in_one_line(cache, scheme):
    result = run_cli("download", "--version", "0.1.0", "--base-url", f"{scheme}://example.com/releases")
    assert_one_line_error(result, 2, f"{scheme}:// is not supported")
    _nothing_left(cache)


def test_a_release_descriptor_naming_a_path_outside_the_cache_is_refused(published, cache, tmp_path):
    """A hostile (or broken) release descriptor cannot make a download write outside the cache."""
    import json
    import shutil

    served = tmp_path / "served"
    shutil.copytree(published[1], served)
    path = served / f"v{VERSION}" / "datapackage.json"
    descriptor = json.loads(path.read_text())
    models = next(r for r in descriptor["resources"] if r["name"] == "models")
    models["parquet"]["path"] = "../../escaped.parquet"
    path.write_text(json.dumps(descriptor))
    with serve(served) as url, pytest.raises(DatasetError, match="not a plain file name"):
        download(VERSION, ["models"], base_url=url)  # no registry entry: the descriptor is trusted on first use
    assert not (cache.parent / "escaped.parquet").exists() and not (tmp_path / "escaped.parquet").exists()


def test_a_remote_resource_or_schema_that_fails_is_one_finding_and_the_rest_is_checked(tmp_path):
    """With --allow-remote, a 404 is a finding for that resource; the other resources are still checked."""
    import json
    import shutil

    from hostile import BASE

    served = tmp_path / "served"
    served.mkdir()
    root = tmp_path / "pkg"
    shutil.copytree(BASE, root)
    with serve(served) as url:
        descriptor = json.loads((root / "datapackage.json").read_text())
        deals = next(r for r in descriptor["resources"] if r["name"] == "deals")
        notes = next(r for r in descriptor["resources"] if r["name"] == "deal_notes")
        deals["path"] = f"{url}/missing.csv"
        notes["schema"] = f"{url}/missing.json"
        (root / "datapackage.json").write_text(json.dumps(descriptor))
        (root / "data" / "orgs.csv").write_text((root / "data" / "orgs.csv").read_text().replace(",1999,", ",19x9,"))
        result = run_cli("validate", str(root), "--allow-remote", "--skip", "expectations", "--skip", "descriptor",
                         "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert result.exit_code == 1
    by_table = {(f["table"], f["code"]) for f in findings}
    assert ("deals", "scheme-error") in by_table and ("deal_notes", "schema-error") in by_table
    assert ("orgs", "type-error") in by_table  # the local resources were still checked
