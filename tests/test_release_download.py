"""Downloading releases from a real HTTP server on 127.0.0.1 serving a folder built by publish."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import china_ai_landscape as cal
from china_ai_landscape.cli import main
from china_ai_landscape.errors import DatasetError
from china_ai_landscape.loading import read_csv_table
from china_ai_landscape.package import DataPackage
from china_ai_landscape.releases import download
from china_ai_landscape.releases.files import sha256_file
from china_ai_landscape.releases.registry import Registry
from release_helpers import VERSION, CutShortHandler, cache, published, serve, server  # noqa: F401  (fixtures)

def tampered_copy(published, tmp_path, name: str, change) -> Path:
    """A copy of the served releases with one file of VERSION changed by ``change(bytes)``."""
    root = tmp_path / "served"
    shutil.copytree(published[1], root)
    path = root / f"v{VERSION}" / name
    path.write_bytes(change(path.read_bytes()))
    return root


def flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_download_verifies_against_the_registry_and_caches(published, server, cache):
    paths = download(VERSION, ["models"], base_url=server, registry=published[2])
    assert [p.name for p in paths] == ["datapackage.json", "models.parquet"]
    assert all(p.parent == cache / f"v{VERSION}" for p in paths)
    released = published[2].files(VERSION)
    assert all(sha256_file(p) == released[p.name].sha256 for p in paths)


def test_load_with_a_version_gives_the_released_rows_and_types(published, server, cache, monkeypatch):
    monkeypatch.setenv("CHINA_AI_LANDSCAPE_RELEASE_URL", server)
    package = DataPackage(published[0])
    for name in package.table_names():
        table = cal.load(name, version=VERSION, as_="arrow")
        expected = read_csv_table(package.data_path(name), package.schema(name))
        assert table.equals(expected)
        frame = cal.load(name, version=VERSION)
        assert list(frame.columns) == expected.column_names and len(frame) == expected.num_rows


def test_cached_release_loads_after_the_server_is_stopped(published, cache, monkeypatch):
    with serve(published[1]) as url:
        monkeypatch.setenv("CHINA_AI_LANDSCAPE_RELEASE_URL", url)
        online = cal.load("models", version=VERSION, as_="arrow")
    offline = cal.load("models", version=VERSION, as_="arrow")
    assert offline.equals(online)


def test_a_tampered_file_is_refused_and_not_cached(published, tmp_path, cache):
    root = tampered_copy(published, tmp_path, "models.parquet", flip_last_byte)
    with serve(root) as url, pytest.raises(DatasetError, match="models.parquet: refused, SHA-256") as caught:
        download(VERSION, ["models"], base_url=url, registry=published[2])
    assert caught.value.exit_code == 1 and "tampered" in str(caught.value)
    assert leftovers(cache) == ["datapackage.json"]


def test_a_tampered_file_is_refused_against_the_release_descriptor_too(published, tmp_path, cache, monkeypatch):
    root = tampered_copy(published, tmp_path, "labs.parquet", flip_last_byte)
    with serve(root) as url:
        monkeypatch.setenv("CHINA_AI_LANDSCAPE_RELEASE_URL", url)
        with pytest.raises(DatasetError, match="labs.parquet: refused"):
            cal.load("labs", version=VERSION)
    assert "labs.parquet" not in leftovers(cache)


def test_a_tampered_descriptor_is_refused_when_the_registry_knows_the_release(published, tmp_path, cache):
    root = tampered_copy(published, tmp_path, "datapackage.json", lambda data: data.replace(b'"Labs"', b'"Lobs"'))
    with serve(root) as url, pytest.raises(DatasetError, match="datapackage.json: refused"):
        download(VERSION, base_url=url, registry=published[2])
    assert leftovers(cache) == []


def test_a_truncated_file_is_refused_with_its_size(published, tmp_path, cache):
    root = tampered_copy(published, tmp_path, "models.parquet", lambda data: data[: len(data) // 2])
    full = published[2].files(VERSION)["models.parquet"].bytes
    with serve(root) as url, pytest.raises(DatasetError, match=f"has {full // 2} bytes instead of {full}"):
        download(VERSION, ["models"], base_url=url, registry=published[2])
    assert "models.parquet" not in leftovers(cache)


def test_a_connection_cut_mid_file_is_refused_and_leaves_nothing(published, cache):
    with serve(published[1], CutShortHandler) as url, pytest.raises(DatasetError, match="connection was cut off"):
        download(VERSION, ["models"], base_url=url, registry=published[2])
    assert leftovers(cache) == []


def test_a_corrupted_cached_file_is_fetched_again(published, server, cache):
    path = download(VERSION, ["models"], base_url=server, registry=published[2])[1]
    path.write_bytes(flip_last_byte(path.read_bytes()))
    again = download(VERSION, ["models"], base_url=server, registry=published[2])[1]
    assert sha256_file(again) == published[2].files(VERSION)["models.parquet"].sha256


def test_an_unknown_version_lists_the_known_ones(published, server, cache):
    with pytest.raises(DatasetError, match=f"release 9.9.9 is unknown.*known releases: {VERSION}") as caught:
        download("9.9.9", base_url=server, registry=published[2])
    assert caught.value.exit_code == 2


def test_an_unknown_table_lists_the_tables_of_the_release(published, server, cache):
    with pytest.raises(DatasetError, match="no table 'nope'; its tables: labs, models"):
        download(VERSION, ["nope"], base_url=server, registry=published[2])


def test_an_unlisted_release_is_not_trusted_over_plain_http_from_another_host(cache):
    with pytest.raises(DatasetError, match="https://"):
        download("0.0.9", base_url="http://example.invalid/releases", registry=Registry())


def test_a_pinned_descriptor_hash_must_match(published, server, cache):
    good = published[2].files(VERSION)["datapackage.json"].sha256
    assert download(VERSION, ["labs"], base_url=server, descriptor_sha256=good, registry=Registry())
    shutil.rmtree(cache)
    with pytest.raises(DatasetError, match="datapackage.json: refused"):
        download(VERSION, ["labs"], base_url=server, descriptor_sha256="0" * 64, registry=Registry())


def test_cli_download_prints_verified_paths(server, cache, tmp_path):
    dest = tmp_path / "here"
    result = CliRunner().invoke(main, ["download", "--version", VERSION, "--table", "labs", "--format", "csv",
                                       "--dest", str(dest), "--base-url", server])
    assert result.exit_code == 0, result.output
    assert result.output.split() == [str(dest / "datapackage.json"), str(dest / "labs.csv")]
    descriptor = json.loads((dest / "datapackage.json").read_text())
    assert f"sha256:{sha256_file(dest / 'labs.csv')}" == descriptor["resources"][0]["hash"]
    assert not cache.exists()


def test_cli_download_of_an_unknown_version_exits_2_with_one_line(server, cache):
    result = CliRunner().invoke(main, ["download", "--version", "7.0.0", "--base-url", server])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "release 7.0.0 is unknown" in result.output


DOWNLOAD_SCRIPT = """
import sys
from china_ai_landscape.releases import download
from china_ai_landscape.releases.registry import Registry
paths = download(sys.argv[1], base_url=sys.argv[2], registry=Registry.read(sys.argv[3]))
print(len(paths))
"""


def test_two_processes_downloading_at_once_both_get_verified_files(published, server, cache):
    command = [sys.executable, "-c", DOWNLOAD_SCRIPT, VERSION, server, str(published[2].path)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [run.communicate(timeout=120) + (run.returncode,) for run in runs]
    assert [r[2] for r in results] == [0, 0], results
    released = published[2].files(VERSION)
    cached = {p.name: sha256_file(p) for p in (cache / f"v{VERSION}").iterdir()}
    assert cached == {name: released[name].sha256 for name in cached}
    assert set(cached) == {"datapackage.json", "labs.parquet", "models.parquet"}
