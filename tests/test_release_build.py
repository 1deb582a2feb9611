"""A release folder: reproducible to the byte, self-describing, checkable with standard tools."""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from china_ai_landscape.arrow_types import arrow_schema
from china_ai_landscape.errors import DatasetError
from china_ai_landscape.loading import read_csv_table
from china_ai_landscape.package import DataPackage
from china_ai_landscape.releases.build import build
from china_ai_landscape.releases.files import sha256_file
from release_helpers import FIXTURE


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("build") / "v0.3.0"
    build(DataPackage(FIXTURE), "0.3.0", "# Notes\n", dest)
    return dest


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_building_twice_gives_identical_bytes(folder, tmp_path):
    again = tmp_path / "elsewhere" / "v0.3.0"
    build(DataPackage(FIXTURE), "0.3.0", "# Notes\n", again)
    assert folder_bytes(again) == folder_bytes(folder)


def test_the_folder_holds_parquet_and_csv_per_table_and_the_release_files(folder):
    tables = DataPackage(FIXTURE).table_names()
    expected = {f"{t}.{ext}" for t in tables for ext in ("parquet", "csv")}
    expected |= {"datapackage.json", "SHA256SUMS", "RELEASE_NOTES.md", "release-fixture-0.3.0.zip", "release-fixture.sqlite"}
    assert {p.name for p in folder.iterdir()} == expected


def test_sha256sum_checks_every_listed_file(folder):
    run = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    listed = {line.split("  ", 1)[1] for line in (folder / "SHA256SUMS").read_text().splitlines()}
    assert listed == {p.name for p in folder.iterdir()} - {"SHA256SUMS", "release-fixture-0.3.0.zip"}


def test_descriptor_gives_size_and_hash_of_every_table_file(folder):
    descriptor = json.loads((folder / "datapackage.json").read_text())
    assert descriptor["version"] == "0.3.0"
    for resource in descriptor["resources"]:
        for entry in (resource, resource["parquet"]):
            path = folder / entry["path"]
            assert entry["bytes"] == path.stat().st_size
            assert entry["hash"] == f"sha256:{sha256_file(path)}"


def test_release_descriptor_is_a_self_contained_package_with_the_same_tables(folder):
    release = DataPackage(folder)
    source = DataPackage(FIXTURE)
    for name in source.table_names():
        assert release.schema(name) == source.schema(name)
        assert read_csv_table(release.data_path(name), release.schema(name)).equals(
            read_csv_table(source.data_path(name), source.schema(name)))


def test_parquet_is_zstd_typed_by_the_schema_and_described(folder):
    package = DataPackage(FIXTURE)
    for name in package.table_names():
        parquet = pq.ParquetFile(folder / f"{name}.parquet")
        assert {parquet.metadata.row_group(0).column(i).compression for i in range(parquet.metadata.num_columns)} == {"ZSTD"}
        schema = parquet.schema_arrow
        expected = arrow_schema(package.schema(name))
        assert [(f.name, f.type) for f in schema] == [(f.name, f.type) for f in expected]
        for field in package.schema(name)["fields"]:
            assert schema.field(field["name"]).metadata[b"description"].decode() == field["description"]
        assert schema.metadata[b"datapackage.version"] == b"0.3.0"
        assert json.loads(schema.metadata[b"resource.schema"]) == package.schema(name)
        assert parquet.read().equals(read_csv_table(package.data_path(name), package.schema(name)).replace_schema_metadata(schema.metadata))


def test_zip_holds_every_file_with_fixed_times_in_sorted_order(folder):
    with zipfile.ZipFile(folder / "release-fixture-0.3.0.zip") as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {n.split("/", 1)[1] for n in names} == {p.name for p in folder.iterdir()} - {"release-fixture-0.3.0.zip"}
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        for info in infos:
            assert archive.read(info) == (folder / info.filename.split("/", 1)[1]).read_bytes()


def test_a_failed_build_leaves_no_folder_and_no_temporary_files(tmp_path):
    broken = tmp_path / "pkg"
    shutil.copytree(FIXTURE, broken)
    (broken / "data" / "models.csv").write_text("id,name,developer_id,parameters,released,score,tags\nx,X,baidu,many,,,\n")
    out = tmp_path / "out"
    with pytest.raises(DatasetError, match="models.csv"):
        build(DataPackage(broken), "0.3.0", "# Notes\n", out / "v0.3.0")
    assert list(out.iterdir()) == []


def test_an_existing_release_folder_is_never_overwritten(folder):
    before = folder_bytes(folder)
    with pytest.raises(DatasetError, match="already exists"):
        build(DataPackage(FIXTURE), "0.3.0", "# Other notes\n", folder)
    assert folder_bytes(folder) == before


@pytest.mark.slow
def test_the_wheel_ships_the_release_registry(tmp_path, repo_root):
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(repo_root)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("china_ai_landscape-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        shipped = json.loads(archive.read("china_ai_landscape/releases/registry.json"))
    assert shipped == json.loads((repo_root / "src/china_ai_landscape/releases/registry.json").read_text())
