"""Regenerate tests/corpus/cases/ from tests/corpus/base/ and the list in cases.py.

    python tests/corpus/make_corpus.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import CASES  # noqa: E402


def main() -> None:
    out = HERE / "cases"
    shutil.rmtree(out, ignore_errors=True)
    for case in CASES:
        target = out / case.name
        shutil.copytree(HERE / "base", target)
        case.mutate(target)
        print(f"{case.name}: {target.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
