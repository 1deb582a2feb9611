import subprocess
import sys

HEAVY = {"frictionless", "pandera", "great_expectations", "polars"}


def test_import_loads_no_validation_or_polars_modules():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import china_ai_landscape"],
        capture_output=True, text=True, check=True,
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "china_ai_landscape" in imported
    assert imported & HEAVY == set()


def test_loading_a_table_still_imports_no_validation_module():
    code = "import sys, china_ai_landscape as c; c.load('models'); print(sorted(m for m in %r if m in sys.modules))" % HEAVY
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
