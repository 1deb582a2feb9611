"""The built wheel carries the data: install it into a fresh venv and load every table there."""

import json
import subprocess
import sys
import venv

import pytest

import china_ai_landscape as cal

pytestmark = pytest.mark.slow

SCRIPT = """
import json, china_ai_landscape as c
print(json.dumps({"root": str(c.package.package_root()), "version": c.__version__,
                  "rows": {name: len(c.load(name)) for name in c.tables()}}))
"""


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory, repo_root):
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(repo_root)],
                   check=True, capture_output=True)
    wheel = next((work / "dist").glob("china_ai_landscape-*.whl"))
    venv.create(work / "venv", with_pip=True)
    python = work / "venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)
    return work, python


def test_every_table_loads_from_the_installed_wheel(installed_wheel, repo_root):
    work, python = installed_wheel
    run = subprocess.run([str(python), "-c", SCRIPT], cwd=work, capture_output=True, text=True, check=True)
    result = json.loads(run.stdout)
    assert str(repo_root) not in result["root"] and "site-packages" in result["root"]
    assert result["version"] == cal.data_version()
    assert result["rows"] == {name: len(cal.load(name)) for name in cal.tables()}
    assert all(count > 0 for count in result["rows"].values())


def test_the_installed_console_script_runs(installed_wheel):
    work, python = installed_wheel
    run = subprocess.run([str(python.parent / "dataset"), "tables"], cwd=work, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "models" in run.stdout
