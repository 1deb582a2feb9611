"""The peer corpus: frictionless-py's own fixtures, checked by both tools (``tests/peers/``).

A case is either one of frictionless-py's package descriptors, or one of its CSV files checked
as a package of one resource without a schema (both tools then infer the types and the dialect).
Both tools must give the same verdict and the same (resource, row, field, code) findings,
except in the cases listed in ``DIFFERENCES``, each a row of the README's table "Where we
differ from frictionless".
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent / "peers" / "frictionless-py" / "data"

# Package descriptors of frictionless-py's fixtures (paths under ROOT), and its zipped packages.
DESCRIPTORS = (
    'package.zip', 'package-invalid.zip',
    'capital.package.yaml', 'catalog/package1.yaml', 'catalog/package2.yaml',
    'ckan.package-sameresourcename.yaml', 'ckan.package.json', 'ckan.package.yaml',
    'compression/datapackage.json', 'country.package-full.yaml', 'country.package.json',
    'country.package.yaml', 'detailed-with-id.package.json', 'detailed-with-schema.package.json',
    'detailed.package.json', 'geopoint/datapackage.json', 'infer/datapackage.json',
    'invalid/datapackage.json', 'invalid/datapackage_no_foreign_key.json', 'issue-1004.package.json',
    'issue-1100.package.json', 'issue-1105.package.json', 'issue-869.json',
    'issue-905/datapackage.json', 'issue-977.json', 'multipart-zipped.package.json',
    'multipart.package.json', 'multiple-errors.package.json', 'multiple-folders.package.json',
    'number/datapackage.json', 'package/datapackage.json', 'package/zenodo.packagepartialmeta.json',
    'package/zenodo.packagewithmeta.json', 'package-1067.json', 'package-dialect-no-header.json',
    'package-storage.json', 'package-with-dereferencing.json', 'package-with-fields-993.json',
    'package-with-missingvalues-993.json', 'package.json', 'storage/constraints.json',
    'storage/integrity.json', 'storage/types.json', 'zipped-resources/datapackage.json',
)

# CSV files checked as a one-resource package without a schema.
SCHEMALESS_CSV = (
    'Table With Data.csv', 'accent.csv', 'analysis-data.csv', 'ascii-notvalid.csv', 'ascii.csv',
    'blank-cells.csv', 'blank-headers.csv', 'blank-rows-multiple.csv', 'blank-rows-no-fields.csv',
    'blank-rows.csv', 'bom.csv', 'capital-3.csv', 'capital-invalid.csv', 'capital-valid.csv',
    'capitals.csv', 'chunk1.csv', 'chunk2.csv', 'chunk2.headless.csv', 'chunk3.csv',
    'compression/implicit-gz.csv', 'compression/implicit-zip.csv', 'countries-cleaned.csv',
    'countries-truefalsevalues.csv', 'countries.csv', 'country-1.csv', 'country-2.csv',
    'country-3.csv', 'data.csv', 'data2.csv', 'defective-rows.csv', 'delimiter.csv', 'dialect.csv',
    'doublequote.csv', 'duplicate-column.csv', 'duplicate-headers.csv', 'duplicate-rows.csv',
    'empty.csv', 'encoding-issue-274.csv', 'escaping.csv', 'floats.csv',
    'geopoint/data/geopoint-object.csv', 'infer/data.csv', 'infer/data2.csv', 'invalid/data.csv',
    'invalid/data2.csv', 'invalid.csv', 'issue-1004-data1.csv', 'issue-1004-data2.csv',
    'issue-1009-comma.csv', 'issue-1009-semicolon.csv', 'issue-1066-smallcellsize.csv',
    'issue-1066-smallcellsizewithdeviation.csv', 'issue-1100.csv', 'issue-1105-timezone.csv',
    'issue-1109.csv', 'issue-1138.csv', 'issue-1232.csv', 'issue-1341.csv', 'issue-1478/table.csv',
    'issue-493.csv', 'issue-825.csv', 'issue-833.csv', 'issue-844.csv', 'issue-905/bad.csv',
    'issue-905/ok1.csv', 'issue-905/ok2.csv', 'issue-991.csv', 'latin1.csv', 'leading-zeros.csv',
    'long.csv', 'matrix-with-comment.csv', 'matrix.csv', 'nested-invalid.csv', 'nested.csv',
    'number/number-test.csv', 'numeric-labels.csv', 'package/data.csv', 'package/data2.csv',
    'package-dialect-no-header.csv', 'primary-file-types.csv', 'schema-errors.csv',
    'skip-blank-at-the-end.csv', 'skip-rows-before-headers.csv', 'skip-rows.csv',
    'structure-errors.csv', 'sync-schema.csv', 'table-chunks/data1/chunk2.csv',
    'table-chunks/data2/chunk2.csv', 'table-delimiter.csv', 'table-infer-increase-limit.csv',
    'table-infer-iso-8859-7.csv', 'table-infer-missing-values.csv', 'table-infer-row-limit.csv',
    'table-infer-utf8.csv', 'table-infer.csv', 'table-limits.csv', 'table-output.csv',
    'table-reverse.csv', 'table-unicode-headers.csv', 'table-with-accents.csv', 'table.csv',
    'table_with_data.csv', 'tables/chunk1.csv', 'tables/chunk2.csv', 'timezone-with-id.csv',
    'timezone.csv', 'transform-groups.csv', 'transform-pivot.csv', 'transform.csv', 'transpose.csv',
    'unique-field.csv', 'vix.csv', 'without-headers-extra.csv', 'without-headers.csv',
    'without-rows.csv', 'table.tsv', 'table.csv.gz', 'chunk1.csv.zip', 'chunk2.csv.zip',
    'doublequote.csv.zip', 'table.csv.zip', 'without-rows.csv.zip',
)


@dataclass(frozen=True)
class Difference:
    """How we deliberately differ on a case: the verdicts, and the finding codes only one side has."""

    why: str
    our_verdict: bool
    their_verdict: bool
    only_ours: frozenset = frozenset()
    only_theirs: frozenset = frozenset()


_EMPTY = Difference('"resources": [] (the standard requires at least one resource)', False, True)
_UTF8 = Difference("no encoding given: the standard says UTF-8; frictionless guesses another", False, True,
                   frozenset({"encoding-error"}))
DIFFERENCES = {
    "catalog/package1.yaml": _EMPTY,
    "catalog/package2.yaml": _EMPTY,
    "multiple-errors.package.json": Difference(
        "an invalid package descriptor: frictionless stops there, we go on and also report the missing data file",
        False, False, frozenset({"scheme-error"})),
    "multiple-folders.package.json": Difference(
        "a schema and no dialect, the header on line 2: frictionless guesses the header row, we read the "
        "standard's default (the header is line 1)", False, False,
        frozenset({"missing-label", "incorrect-label", "extra-cell", "type-error"}),
        frozenset({"incorrect-label", "type-error", "missing-cell"})),
    "zipped-resources/datapackage.json": Difference(
        "a zip archive holding two files: frictionless reads the first, we say which file is meant is not stated",
        False, False, frozenset({"compression-error"})),
    "latin1.csv": _UTF8,
    "table-infer-iso-8859-7.csv": _UTF8,
    "table-with-accents.csv": _UTF8,
}


CASES = list(DESCRIPTORS) + list(SCHEMALESS_CSV)


def package_for(case: str, tmp: Path) -> Path:
    """The descriptor of a case: frictionless-py's own, or a one-resource package around a CSV."""
    if case in DESCRIPTORS:
        return ROOT / case
    folder = tmp / case.replace("/", "_")
    folder.mkdir(parents=True)
    shutil.copy(ROOT / case, folder / Path(case).name)
    (folder / "datapackage.json").write_text(json.dumps(
        {"name": "peer-case", "resources": [{"name": "table", "path": Path(case).name}]}), encoding="utf-8")
    return folder / "datapackage.json"
